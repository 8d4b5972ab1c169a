import CMPI
import Foundation
import NN
import TensorCore

/// A `Communicator` over MPI (Open MPI): the processes an MPI launcher (`mpirun`, `srun`)
/// started, on one machine or many. The collectives run on a duplicate of
/// `MPI_COMM_WORLD`, with errors returned (and thrown as `CommunicationError`) rather
/// than fatal. Calls may come from any thread, one at a time (`MPI_THREAD_SERIALIZED`).
///
/// Make it with ``ProcessGroup/join(environment:)``, which initialises MPI only when a
/// launcher started the process; end the process with ``ProcessGroup/finish()`` or
/// ``ProcessGroup/abort(exitCode:)``.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    // MPI handles are plain pointers: the communicator never changes after initialisation,
    // and MPI_THREAD_SERIALIZED makes concurrent calls the caller's error, as documented.
    public let rank: Int
    public let worldSize: Int
    /// The MPI library's own version string (`MPI_Get_library_version`).
    public let libraryVersion: String
    private let communicator: MPI_Comm

    /// The most elements one MPI call moves: MPI counts are 32-bit.
    private static let chunk = 1 << 30

    private init(rank: Int, worldSize: Int, libraryVersion: String, communicator: MPI_Comm) {
        self.rank = rank
        self.worldSize = worldSize
        self.libraryVersion = libraryVersion
        self.communicator = communicator
    }

    /// The state of MPI in this process: initialised once, finalised once.
    private enum Lifecycle {
        case notInitialized
        case running(MPICommunicator)
        case finalized
    }

    private static let lifecycle = Locked(Lifecycle.notInitialized)

    /// MPI, initialised on the first call (`MPI_Init_thread`); later calls return the same
    /// communicator.
    ///
    /// - Throws: `CommunicationError.unavailable(reason:)` when MPI cannot be initialised,
    ///   gives less than `MPI_THREAD_SERIALIZED`, or was finalised already.
    static func initialize() throws(CommunicationError) -> MPICommunicator {
        let result = lifecycle.withLock { state -> Result<MPICommunicator, CommunicationError> in
            switch state {
            case let .running(communicator): return .success(communicator)
            case .finalized: return .failure(.unavailable(reason: "MPI was finalised in this process already; it cannot be initialised again"))
            case .notInitialized:
                let started = Result { () throws(CommunicationError) -> MPICommunicator in try start() }
                if case let .success(communicator) = started { state = .running(communicator) }
                return started
            }
        }
        return try result.get()
    }

    /// `MPI_Init_thread`, a duplicate of the world communicator with errors returned, and
    /// its rank and size.
    private static func start() throws(CommunicationError) -> MPICommunicator {
        var provided: Int32 = 0
        let code = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided)
        guard code == MPI_SUCCESS else {
            throw .unavailable(reason: "MPI_Init_thread failed: \(message(for: code))")
        }
        let version = libraryVersionString()
        guard provided >= Int32(MPI_THREAD_SERIALIZED) else {
            MPI_Finalize()
            throw .unavailable(reason: "the MPI library (\(version)) gives thread level \(provided), expected at least MPI_THREAD_SERIALIZED")
        }
        var duplicate: MPI_Comm? = cmpi_comm_null()
        var rank: Int32 = 0, size: Int32 = 0
        for (operation, code) in [
            ("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return())),
            ("MPI_Comm_dup", MPI_Comm_dup(cmpi_comm_world(), &duplicate)),
            ("MPI_Comm_rank", MPI_Comm_rank(cmpi_comm_world(), &rank)),
            ("MPI_Comm_size", MPI_Comm_size(cmpi_comm_world(), &size)),
        ] where code != MPI_SUCCESS {
            throw .unavailable(reason: "\(operation) failed: \(message(for: code))")
        }
        guard let duplicate else { throw .unavailable(reason: "MPI_Comm_dup returned no communicator") }
        return MPICommunicator(rank: Int(rank), worldSize: Int(size), libraryVersion: version, communicator: duplicate)
    }

    /// `MPI_Finalize` once, if MPI runs; every process must call it, after its last collective.
    static func finalize() {
        lifecycle.withLock { state in
            guard case .running = state else { return }
            MPI_Finalize()
            state = .finalized
        }
    }

    /// `MPI_Abort` on every process of the run, if MPI runs with several processes; returns
    /// otherwise.
    static func abortAll(exitCode: Int32) {
        lifecycle.withLock { state in
            guard case let .running(communicator) = state, communicator.worldSize > 1 else { return }
            MPI_Abort(cmpi_comm_world(), exitCode)
        }
    }

    /// The communicator of this process's MPI, if MPI runs (``ProcessGroup/join(environment:)``
    /// initialised it and nothing finalised it since).
    public static var current: MPICommunicator? {
        lifecycle.withLock { state in
            if case let .running(communicator) = state { communicator } else { nil }
        }
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicationError) {
        guard let base = values.baseAddress else { return }
        for start in stride(from: 0, to: values.count, by: Self.chunk) {
            let count = Int32(min(Self.chunk, values.count - start))
            try check("MPI_Allreduce", MPI_Allreduce(cmpi_in_place(), base + start, count, cmpi_float(), cmpi_sum(), communicator))
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws(CommunicationError) {
        guard (0..<worldSize).contains(root) else {
            throw .invalidArgument(operation: "broadcast", message: "expected a root in 0..<\(worldSize), found \(root)")
        }
        guard let base = bytes.baseAddress else { return }
        for start in stride(from: 0, to: bytes.count, by: Self.chunk) {
            let count = Int32(min(Self.chunk, bytes.count - start))
            try check("MPI_Bcast", MPI_Bcast(base + start, count, cmpi_byte(), Int32(root), communicator))
        }
    }

    /// Every process's `bytes`: each process's length, then its bytes, broadcast in turn
    /// (any length, without MPI's 32-bit displacements).
    public func allGather(_ bytes: [UInt8]) throws(CommunicationError) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        for root in 0..<worldSize {
            parts.append(try broadcast(bytes: bytes, from: root))
        }
        return parts
    }

    public func barrier() throws(CommunicationError) {
        try check("MPI_Barrier", MPI_Barrier(communicator))
    }

    /// Throws a transport error for an MPI return code other than success.
    private func check(_ operation: String, _ code: Int32) throws(CommunicationError) {
        guard code == MPI_SUCCESS else { throw .transport(operation: operation, message: Self.message(for: code)) }
    }

    /// MPI's text for an error code.
    private static func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS else { return "MPI error \(code)" }
        return String(decoding: buffer.prefix(Int(length)).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `MPI_Get_library_version`, on one line.
    private static func libraryVersionString() -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_LIBRARY_VERSION_STRING) + 1)
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == MPI_SUCCESS else { return "unknown MPI library" }
        // The length may count the terminating zero.
        let text = String(decoding: buffer.prefix(Int(length)).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? text
    }
}
