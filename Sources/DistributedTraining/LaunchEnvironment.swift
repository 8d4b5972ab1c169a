import NN

/// What the environment says about an MPI launcher that started this process: Open MPI's
/// `mpirun` sets `OMPI_COMM_WORLD_SIZE` and `OMPI_COMM_WORLD_RANK`, MPICH's Hydra and
/// Slurm's PMI-1 set `PMI_SIZE` and `PMI_RANK`, PMIx launchers (`srun --mpi=pmix`, `prterun`)
/// set `PMIX_RANK`. A process started otherwise has none of them, and no MPI call is made.
public struct LaunchEnvironment: Sendable, Equatable, CustomStringConvertible {
    /// The variables that revealed the launcher, as `NAME=value`.
    public let variables: [String]
    /// The number of processes the launcher started, when it says.
    public let worldSize: Int?
    /// This process's rank, when the launcher says.
    public let rank: Int?

    /// The launcher described by `environment`, or `nil` when no launcher variable is set.
    ///
    /// - Throws: `CommunicationError.unavailable(reason:)` when a variable holds no
    ///   count or rank (not an integer, a size below 1, a rank outside it).
    public init?(environment: [String: String]) throws(CommunicationError) {
        let names = [("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"), ("PMI_SIZE", "PMI_RANK"), (nil, "PMIX_RANK")]
        var variables: [String] = []
        var size: Int?, rank: Int?
        func number(_ name: String, _ text: String, atLeast minimum: Int) throws(CommunicationError) -> Int {
            guard let value = Int(text), value >= minimum else {
                throw .unavailable(reason: "the launcher's \(name) is \"\(text)\", expected an integer of at least \(minimum)")
            }
            return value
        }
        for (sizeName, rankName) in names {
            if let sizeName, let text = environment[sizeName] {
                variables.append("\(sizeName)=\(text)")
                if size == nil { size = try number(sizeName, text, atLeast: 1) }
            }
            if let text = environment[rankName] {
                variables.append("\(rankName)=\(text)")
                if rank == nil { rank = try number(rankName, text, atLeast: 0) }
            }
        }
        guard !variables.isEmpty else { return nil }
        if let size, let rank, rank >= size {
            throw .unavailable(
                reason: "the launcher says rank \(rank) of \(size) processes (\(variables.joined(separator: ", "))), expected a rank below the size")
        }
        self.variables = variables
        worldSize = size
        self.rank = rank
    }

    public var description: String { variables.joined(separator: ", ") }
}
