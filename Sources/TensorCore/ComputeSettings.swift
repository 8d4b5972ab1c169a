import Foundation

/// The settings that affect every computation of the library, in one place: how many threads
/// the kernels and OpenBLAS use, which convolution algorithm runs and on which instruction
/// set, and how much freed memory is kept for reuse.
///
/// The process has one default, ``default``, which ``setDefault(_:)`` replaces (at start-up,
/// typically). ``withSettings(_:operation:)`` overrides it for one piece of work and everything
/// that piece calls, as a task-local value: tasks running beside it, and the rest of the
/// program, keep theirs. Kernels read ``current`` when they run, the innermost override or else
/// the default, so a gradient follows the settings around `gradients(wrt:)`, not those of
/// the forward pass.
///
/// ```swift
/// var settings = ComputeSettings.current
/// settings.convolution = .lowering
/// let y = ComputeSettings.withSettings(settings) {
///     Tensor.conv2d(x, weight: w, padding: 2)
/// }
/// ```
///
/// The library never reads environment variables. Executables map them onto the settings
/// with ``init(environment:)`` before their first computation.
public struct ComputeSettings: Sendable, Hashable {
    private var threadCount: Int
    private var cacheLimit: Int

    /// How many threads the kernels may use, in 1…``maximumThreads`` (values outside become
    /// the nearest bound): elementwise and reduction loops split large tensors into this many
    /// parts, convolutions split their images, and OpenBLAS runs each GEMM on as many threads.
    public var threads: Int {
        get { threadCount }
        set { threadCount = Swift.min(Swift.max(1, newValue), Self.maximumThreads) }
    }

    /// The most threads a computation may use: 1,024, far above any machine's cores and far
    /// below OpenBLAS's and the kernels' limits.
    public static let maximumThreads = 1024

    /// Which algorithm runs each convolution (see ``ConvolutionAlgorithm``).
    public var convolution: ConvolutionAlgorithm

    /// Which instruction set the direct convolution kernels run on (see
    /// ``KernelInstructionSet``): by default the best one the CPU supports. A set the CPU
    /// lacks falls back to the best supported one below it
    /// (``KernelInstructionSet/effective``), so any value is safe to set.
    public var instructionSet: KernelInstructionSet

    /// The most bytes of freed tensor memory and kernel workspaces kept for reuse (at least 0;
    /// negative values become 0). Buffers below 256 KiB are never kept; 0 returns every buffer
    /// to the system at once. The limit applies where a buffer is given back, and the cache
    /// shrinks to it when settings with a lower limit take effect.
    public var bufferCacheLimitBytes: Int {
        get { cacheLimit }
        set { cacheLimit = Swift.max(0, newValue) }
    }

    /// Settings with the given values; the defaults are the number of active cores, the
    /// automatic convolution choice on the best instruction set the CPU supports, and a 2 GiB
    /// buffer cache.
    public init(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        convolution: ConvolutionAlgorithm = .automatic,
        instructionSet: KernelInstructionSet = .automatic,
        bufferCacheLimitBytes: Int = 1 << 31
    ) {
        threadCount = Swift.min(Swift.max(1, threads), Self.maximumThreads)
        self.convolution = convolution
        self.instructionSet = instructionSet
        cacheLimit = Swift.max(0, bufferCacheLimitBytes)
    }

    /// The settings named by `FCDD_CONVOLUTION` (`automatic`, `lowering`, `direct` or
    /// `winograd`, any case), `FCDD_INSTRUCTION_SET` (`automatic`, `avx512`, `avx2` or
    /// `portable`, any case) and `OPENBLAS_NUM_THREADS` (a positive integer) in
    /// `environment`, and ``init(threads:convolution:instructionSet:bufferCacheLimitBytes:)``'s
    /// defaults for the rest. For executables, which pass `ProcessInfo.processInfo.environment`;
    /// the library itself never reads the environment.
    ///
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` for a value that is not one of
    ///   those, for `direct` on a CPU with neither AVX-512F nor AVX2 with FMA, and for an
    ///   instruction set the CPU does not support (``KernelInstructionSet/isSupported``): an
    ///   executable's user who names one wants to know that it would not run.
    public init(environment: [String: String]) throws(TensorError) {
        self.init()
        if let text = environment["OPENBLAS_NUM_THREADS"] {
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)), (1...Self.maximumThreads).contains(count) else {
                throw .invalidArgument(
                    op: "ComputeSettings(environment:)",
                    message: "OPENBLAS_NUM_THREADS must be an integer in 1...\(Self.maximumThreads), found \"\(text)\"")
            }
            threads = count
        }
        if let text = environment["FCDD_CONVOLUTION"] {
            let names = ConvolutionAlgorithm.allCases.map(\.rawValue)
            guard let algorithm = ConvolutionAlgorithm(rawValue: text.lowercased()) else {
                throw .invalidArgument(
                    op: "ComputeSettings(environment:)",
                    message: "FCDD_CONVOLUTION must be one of \(names.joined(separator: ", ")), found \"\(text)\"")
            }
            if algorithm == .direct, !ConvolutionAlgorithm.isDirectSupported {
                throw .invalidArgument(
                    op: "ComputeSettings(environment:)",
                    message: "FCDD_CONVOLUTION=direct needs a CPU with AVX-512F or AVX2 and FMA, and this one has "
                        + "neither; use automatic, lowering or winograd")
            }
            convolution = algorithm
        }
        if let text = environment["FCDD_INSTRUCTION_SET"] {
            let names = KernelInstructionSet.allCases.map(\.rawValue)
            guard let instructionSet = KernelInstructionSet(rawValue: text.lowercased()) else {
                throw .invalidArgument(
                    op: "ComputeSettings(environment:)",
                    message: "FCDD_INSTRUCTION_SET must be one of \(names.joined(separator: ", ")), found \"\(text)\"")
            }
            guard instructionSet.isSupported else {
                let supported = KernelInstructionSet.allCases.filter(\.isSupported).map(\.rawValue)
                throw .invalidArgument(
                    op: "ComputeSettings(environment:)",
                    message: "FCDD_INSTRUCTION_SET=\(text) is not supported by this CPU; use one of "
                        + supported.joined(separator: ", "))
            }
            self.instructionSet = instructionSet
        }
    }

    /// The process-wide settings, in effect wherever no ``withSettings(_:operation:)`` scope
    /// overrides them: ``init(threads:convolution:instructionSet:bufferCacheLimitBytes:)``'s
    /// defaults until ``setDefault(_:)`` replaces them.
    public static var `default`: ComputeSettings { processDefault.withLock { $0 } }

    /// Replaces ``default`` for the whole process, and shrinks the buffer cache to the new
    /// limit at once. Call it at start-up; kernels already running on other threads finish
    /// with the settings they read when they started, and work in a ``withSettings(_:operation:)``
    /// scope (FCDD's predictor, evaluation and trainer open one with the settings current when
    /// they start) does not see the change.
    public static func setDefault(_ settings: ComputeSettings) {
        processDefault.withLock { $0 = settings }
        BufferCache.shared.trim(toBytes: settings.bufferCacheLimitBytes)
    }

    /// The settings in effect here: those of the innermost ``withSettings(_:operation:)``
    /// around this code, else ``default``.
    public static var current: ComputeSettings { scoped ?? `default` }

    /// Runs `operation` with `settings` in effect for it and for everything it calls, including
    /// the worker threads of the library's kernels and child tasks, then restores the settings
    /// that were in effect before. Shrinks the buffer cache to the settings' limit on entry.
    public static func withSettings<Value, Failure: Error>(
        _ settings: ComputeSettings, operation: () throws(Failure) -> Value
    ) throws(Failure) -> Value {
        BufferCache.shared.trim(toBytes: settings.bufferCacheLimitBytes)
        // TaskLocal.withValue rethrows untyped errors: carry the typed one out in a Result.
        let outcome = $scoped.withValue(settings) { Result { () throws(Failure) -> Value in try operation() } }
        return try outcome.get()
    }

    /// Runs the asynchronous `operation` with `settings` in effect for it and for everything it
    /// calls, including child tasks, then restores the settings that were in effect before.
    /// Shrinks the buffer cache to the settings' limit on entry.
    public static func withSettings<Value, Failure: Error>(
        _ settings: ComputeSettings, isolation: isolated (any Actor)? = #isolation,
        operation: () async throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        BufferCache.shared.trim(toBytes: settings.bufferCacheLimitBytes)
        let outcome: Result<Value, Failure> = await $scoped.withValue(settings) {
            do throws(Failure) {
                return .success(try await operation())
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// The innermost scoped override, if any.
    @TaskLocal static var scoped: ComputeSettings?
}

private let processDefault = Locked(ComputeSettings())
