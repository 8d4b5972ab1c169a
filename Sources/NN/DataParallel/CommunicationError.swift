/// Why an operation that several processes take part in together (a ``Communicator``'s)
/// failed.
public enum CommunicationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A launcher (such as `mpirun`) started this process as one of several, but the
    /// communication library could not be initialised or sees another group of processes
    /// than the launcher describes.
    case unavailable(reason: String)
    /// The transport (MPI) reported an error in `operation`.
    case transport(operation: String, message: String)
    /// A call was malformed: a root outside the ranks, buffers of different sizes.
    case invalidArgument(operation: String, message: String)
    /// Other processes (their ranks) failed in `operation`, which every process takes part
    /// in; each wrote its own error to its output. This process stopped with them rather
    /// than wait for them forever.
    case peerFailed(operation: String, ranks: [Int])
    /// The processes were started with different settings or data (`what`): each difference
    /// names the field with rank 0's value and another rank's.
    case disagreement(what: String, differences: [String])

    public var description: String {
        switch self {
        case let .unavailable(reason): "distributed run: \(reason)"
        case let .transport(operation, message): "distributed run: \(operation) failed: \(message)"
        case let .invalidArgument(operation, message): "distributed run: \(operation): \(message)"
        case let .peerFailed(operation, ranks):
            "distributed run: process\(ranks.count == 1 ? "" : "es") \(ranks.map(String.init).joined(separator: ", ")) failed in \(operation) "
                + "(\(ranks.count == 1 ? "its" : "their") error is in \(ranks.count == 1 ? "its" : "their") output); this process stopped with \(ranks.count == 1 ? "it" : "them")"
        case let .disagreement(what, differences):
            "distributed run: the processes were started with different \(what), expected the same on every process: "
                + differences.joined(separator: "; ")
        }
    }
}
