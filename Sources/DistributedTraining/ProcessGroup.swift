import Foundation
import NN

/// The processes of a data-parallel run as the launcher started them: ``join(environment:)``
/// gives an ``MPICommunicator`` when an MPI launcher (`mpirun -np N …`, `srun`) started this
/// process and a `SingleProcessCommunicator` otherwise, so one program runs either way with
/// no option of its own. MPI is initialised only in the first case; a program that links MPI
/// but is started without a launcher never touches it.
///
/// ```swift
/// let communicator = try ProcessGroup.join()
/// let trainer = try AnomalyTrainer(net: net, objective: objective, configuration: configuration,
///                                  loader: loader, communicator: communicator)
/// try trainer.train()
/// if communicator.rank == 0 { try predictor.save(to: url) }
/// ProcessGroup.finish()
/// ```
public enum ProcessGroup {
    /// This process's communicator: MPI's when ``LaunchEnvironment`` finds a launcher in
    /// `environment`, else a single process. Initialises MPI on the first call that finds
    /// a launcher; later calls return the same communicator.
    ///
    /// - Throws: `CommunicationError.unavailable(reason:)` when a launcher's variables are
    ///   malformed, MPI cannot be initialised, or MPI sees another number of processes or
    ///   another rank than the launcher says (a launcher of another MPI implementation than
    ///   the library this program links: every process would run alone).
    public static func join(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CommunicationError) -> any Communicator {
        guard let launch = try LaunchEnvironment(environment: environment) else { return SingleProcessCommunicator() }
        let mpi = try MPICommunicator.initialize()
        if let size = launch.worldSize, size != mpi.worldSize || launch.rank.map({ $0 != mpi.rank }) == true {
            let said = "rank \(launch.rank.map(String.init) ?? "?") of \(size) processes (\(launch))"
            finish()
            throw .unavailable(
                reason: "the launcher started this process as \(said), but the MPI library this program links (\(mpi.libraryVersion)) "
                    + "sees rank \(mpi.rank) of \(mpi.worldSize): start it with that library's launcher (Open MPI's mpirun), not another MPI's")
        }
        return mpi
    }

    /// Whether MPI runs in this process with more than one process.
    public static var isDistributed: Bool { (MPICommunicator.current?.worldSize ?? 1) > 1 }

    /// Ends MPI (`MPI_Finalize`) after a run, if it was initialised; every process calls it
    /// after its last collective. Does nothing otherwise.
    public static func finish() { MPICommunicator.finalize() }

    /// After an error: stops every process of the run with `exitCode` (`MPI_Abort`), so that
    /// none waits forever for this one, when MPI runs with several processes; otherwise ends
    /// MPI if it runs and returns, for the caller to exit.
    public static func abort(exitCode: Int32) {
        MPICommunicator.abortAll(exitCode: exitCode)
        finish()
    }
}
