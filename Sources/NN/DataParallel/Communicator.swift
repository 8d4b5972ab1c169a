/// The processes of one data-parallel run and the operations they take part in together
/// (collectives): each process has a ``rank`` in `0..<worldSize`, and every process calls
/// the same collectives in the same order with buffers of the same size, as with MPI.
///
/// NN defines the protocol and the trivial ``SingleProcessCommunicator``, so that trainers
/// take a communicator without linking any transport; the `DistributedTraining` module
/// implements it over MPI and picks one or the other from the launcher's environment.
///
/// Collectives block until every process has called them. A process that fails in between
/// would leave the others waiting: code that may fail on one process only wraps it in
/// ``collectively(_:_:)`` so every process learns of the failure and stops with it.
public protocol Communicator: AnyObject, Sendable {
    /// This process's number, `0..<worldSize`; rank 0 writes a run's files.
    var rank: Int { get }
    /// The number of processes.
    var worldSize: Int { get }

    /// Replaces `values` on every process by their element-wise sum over all processes.
    ///
    /// - Throws: ``CommunicationError/transport(operation:message:)`` when the transport fails.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicationError)

    /// Replaces `bytes` on every process by process `root`'s (the same count everywhere).
    ///
    /// - Throws: ``CommunicationError/invalidArgument(operation:message:)`` for a root outside
    ///   the ranks, ``CommunicationError/transport(operation:message:)`` when the transport fails.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws(CommunicationError)

    /// Every process's `bytes` (each of any length), in rank order, on every process.
    ///
    /// - Throws: ``CommunicationError/transport(operation:message:)`` when the transport fails.
    func allGather(_ bytes: [UInt8]) throws(CommunicationError) -> [[UInt8]]

    /// Returns once every process has called it.
    ///
    /// - Throws: ``CommunicationError/transport(operation:message:)`` when the transport fails.
    func barrier() throws(CommunicationError)
}

extension Communicator {
    /// Replaces `values` on every process by their element-wise sum over all processes.
    ///
    /// - Throws: as the buffer's all-reduce.
    public func allReduceSum(_ values: inout [Float]) throws(CommunicationError) {
        try values.withUnsafeMutableBufferPointer { (buffer) throws(CommunicationError) in try allReduceSum(buffer) }
    }

    /// Replaces `values` on every process by process `root`'s (the same count everywhere).
    ///
    /// - Throws: as the buffer's broadcast.
    public func broadcast(_ values: inout [Float], from root: Int) throws(CommunicationError) {
        try values.withUnsafeMutableBufferPointer { (buffer) throws(CommunicationError) in
            try broadcast(UnsafeMutableRawBufferPointer(buffer), from: root)
        }
    }

    /// Process `root`'s `bytes`, of any length, on every process (the others' `bytes` are
    /// ignored): the length goes first, then the bytes.
    ///
    /// - Throws: as the buffer's broadcast.
    public func broadcast(bytes: [UInt8], from root: Int) throws(CommunicationError) -> [UInt8] {
        func broadcast(_ bytes: inout [UInt8]) throws(CommunicationError) {
            try bytes.withUnsafeMutableBufferPointer { (buffer) throws(CommunicationError) in
                try self.broadcast(UnsafeMutableRawBufferPointer(buffer), from: root)
            }
        }
        var count = withUnsafeBytes(of: Int64(bytes.count).littleEndian) { Array($0) }
        try broadcast(&count)
        let length = count.withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: length)
        try broadcast(&received)
        return received
    }

    /// Every process's `values` (each of any length), in rank order, on every process.
    ///
    /// - Throws: as the bytes' all-gather.
    public func allGather(_ values: [Float]) throws(CommunicationError) -> [[Float]] {
        let bytes = values.withUnsafeBytes { Array($0) }
        return try allGather(bytes).map { part in
            part.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
    }

    /// Runs `body` on this process, then tells every process whether it failed anywhere:
    /// the processes whose `body` threw rethrow their error, the others throw
    /// ``CommunicationError/peerFailed(operation:ranks:)``. So work that may fail on one
    /// process only (reading a file, writing the outputs on rank 0) cannot leave the others
    /// waiting forever in their next collective. With one process it runs `body` alone.
    ///
    /// - Throws: `body`'s error on the processes where it failed, the peers' failure on the
    ///   others, and ``CommunicationError`` when the transport fails.
    public func collectively<Value>(_ operation: String, _ body: () throws -> Value) throws -> Value {
        guard worldSize > 1 else { return try body() }
        let result = Result { try body() }
        var failures = [Float](repeating: 0, count: worldSize)
        if case .failure = result { failures[rank] = 1 }
        try allReduceSum(&failures)
        let failed = failures.indices.filter { failures[$0] > 0 }
        if case let .failure(error) = result { throw error }
        guard failed.isEmpty else { throw CommunicationError.peerFailed(operation: operation, ranks: failed) }
        return try result.get()
    }

    /// Whether every process has the same `record` (settings and data descriptions by
    /// name); nothing happens with one process.
    ///
    /// - Throws: ``CommunicationError/disagreement(what:differences:)`` on every process when
    ///   they differ, naming each field with rank 0's value and the differing rank's (at
    ///   most 20), and ``CommunicationError`` when the transport fails.
    public func requireAgreement(on record: [String: String], what: String) throws(CommunicationError) {
        guard worldSize > 1 else { return }
        let encode = { (record: [String: String]) -> [UInt8] in
            record.sorted { $0.key < $1.key }.flatMap { field -> [UInt8] in Array(field.key.utf8) + [0] + Array(field.value.utf8) + [0] }
        }
        let records = try allGather(encode(record)).map { bytes in
            let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
            return stride(from: 0, to: fields.count - 1, by: 2).reduce(into: [String: String]()) { $0[fields[$1]] = fields[$1 + 1] }
        }
        var differences: [String] = []
        for (rank, other) in records.enumerated().dropFirst() {
            for key in Set(records[0].keys).union(other.keys).sorted() where records[0][key] != other[key] {
                differences.append("\(key): \(records[0][key] ?? "(none)") on process 0, \(other[key] ?? "(none)") on process \(rank)")
            }
        }
        guard differences.isEmpty else {
            throw .disagreement(what: what, differences: Array(differences.prefix(20)) + (differences.count > 20 ? ["and \(differences.count - 20) more"] : []))
        }
    }
}
