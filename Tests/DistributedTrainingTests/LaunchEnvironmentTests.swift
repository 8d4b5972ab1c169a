import DistributedTraining
import NN
import Testing

// Which environment means an MPI launcher: the test process is never started by one, and
// MPI is never initialised here (the MPI collectives run under mpirun in CI,
// Tests/DistributedChecks).

@Suite("Launch environment")
struct LaunchEnvironmentTests {
    @Test("no launcher variable: no launcher, a single process, and MPI untouched")
    func noLauncher() throws {
        #expect(try LaunchEnvironment(environment: ["PATH": "/usr/bin", "SLURM_NTASKS": "4"]) == nil)
        let communicator = try ProcessGroup.join(environment: ["HOME": "/root"])
        #expect(communicator is SingleProcessCommunicator && communicator.worldSize == 1)
        #expect(MPICommunicator.current == nil && !ProcessGroup.isDistributed)
        // Nothing to end or stop.
        ProcessGroup.finish()
        ProcessGroup.abort(exitCode: 1)
    }

    @Test("Open MPI's, PMI's and PMIx's variables give the size and rank they hold")
    func launchers() throws {
        let openMPI = try #require(try LaunchEnvironment(environment: ["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "3"]))
        #expect(openMPI.worldSize == 4 && openMPI.rank == 3)
        #expect(openMPI.description == "OMPI_COMM_WORLD_SIZE=4, OMPI_COMM_WORLD_RANK=3")
        let pmi = try #require(try LaunchEnvironment(environment: ["PMI_SIZE": "2", "PMI_RANK": "0"]))
        #expect(pmi.worldSize == 2 && pmi.rank == 0)
        let pmix = try #require(try LaunchEnvironment(environment: ["PMIX_RANK": "5"]))
        #expect(pmix.worldSize == nil && pmix.rank == 5)
        // Open MPI's variables come first where several launchers' are set.
        let both = try #require(try LaunchEnvironment(environment: ["PMI_SIZE": "8", "OMPI_COMM_WORLD_SIZE": "2", "PMIX_RANK": "1"]))
        #expect(both.worldSize == 2 && both.rank == 1)
    }

    @Test("malformed launcher variables are refused, naming the variable")
    func malformed() {
        for (environment, named) in [
            (["OMPI_COMM_WORLD_SIZE": "two"], "OMPI_COMM_WORLD_SIZE"), (["PMI_SIZE": "0"], "PMI_SIZE"),
            (["PMIX_RANK": "-1"], "PMIX_RANK"), (["PMI_SIZE": "2", "PMI_RANK": "2"], "rank 2 of 2"),
        ] {
            let error = #expect(throws: CommunicationError.self) { try LaunchEnvironment(environment: environment) }
            guard case let .unavailable(reason) = error else {
                Issue.record("expected unavailable, found \(String(describing: error))")
                continue
            }
            #expect(reason.contains(named), "\(reason)")
        }
    }
}
