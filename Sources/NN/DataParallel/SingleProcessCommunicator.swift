/// The ``Communicator`` of a run in one process: rank 0 of 1, where every collective leaves
/// the data as it is. Trainers use it when they are given no other.
public final class SingleProcessCommunicator: Communicator {
    /// The one process.
    public init() {}

    public var rank: Int { 0 }
    public var worldSize: Int { 1 }

    /// Leaves `values` as they are: the sum over one process.
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicationError) {}

    /// Leaves `bytes` as they are.
    ///
    /// - Throws: ``CommunicationError/invalidArgument(operation:message:)`` for a root other than 0.
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws(CommunicationError) {
        guard root == 0 else { throw .invalidArgument(operation: "broadcast", message: "expected root 0 of a single process, found \(root)") }
    }

    /// `[bytes]`.
    public func allGather(_ bytes: [UInt8]) throws(CommunicationError) -> [[UInt8]] { [bytes] }

    /// Returns at once.
    public func barrier() throws(CommunicationError) {}
}
