import COpenBLAS
import Dispatch
import Foundation
import Synchronization

private let threadLimit = Atomic<Int>(ComputeThreads.initialCount())

/// OpenBLAS's thread count is process-wide, and changing it while a GEMM runs on another
/// thread can corrupt that GEMM (its per-thread buffers are resized). Every GEMM of the
/// library and every change of the count hold this lock, so a kernel that switches OpenBLAS to
/// one thread for a while (``ComputeThreads/withSingleThreadedBLAS(_:)``) never overlaps a
/// GEMM started elsewhere. Concurrent GEMMs from different threads would compete for the same
/// OpenBLAS threads anyway, so little is lost by running them one after the other.
let blasGate = Mutex(())

/// How many threads the library's kernels may use: elementwise and reduction loops split
/// large tensors into this many parts, and OpenBLAS runs its GEMMs on as many threads.
///
/// The default is `OPENBLAS_NUM_THREADS` when set, otherwise the number of active cores.
public enum ComputeThreads {
    /// The current limit (at least 1).
    public static var count: Int { threadLimit.load(ordering: .relaxed) }

    /// Sets the limit for the whole process, including OpenBLAS's thread pool. Call it once at
    /// start-up, not while kernels run on other threads.
    public static func set(_ newCount: Int) {
        let clamped = max(1, newCount)
        threadLimit.store(clamped, ordering: .relaxed)
        blasGate.withLock { _ in openblas_set_num_threads(Int32(clamped)) }
    }

    /// Runs `body` with OpenBLAS on one thread, for kernels that split their work over the
    /// compute threads themselves and call GEMMs from each (OpenBLAS's own threads would only
    /// contend with them), then gives OpenBLAS its ``count`` threads back. Holds ``blasGate``
    /// throughout, so `body`'s GEMMs must pass `gated: false`; GEMMs of other threads wait.
    static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        try blasGate.withLock { _ in
            let threads = count
            if threads > 1 { openblas_set_num_threads(1) }
            defer { if threads > 1 { openblas_set_num_threads(Int32(threads)) } }
            return try body()
        }
    }

    static func initialCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// Splits `0..<count` into contiguous chunks of at least `minimumChunk` items and runs `body`
/// on them, in parallel when there is more than one chunk and more than one thread.
func parallelChunks(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
    let parts = min(ComputeThreads.count, max(1, count / max(1, minimumChunk)))
    if parts <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunk = (count + parts - 1) / parts
    withoutActuallyEscaping(body) { escapable in
        // The chunks write disjoint ranges; concurrentPerform returns only when all are done.
        let work = UncheckedSendable(value: escapable)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = part * chunk
            let end = min(count, start + chunk)
            if start < end { work.value(start..<end) }
        }
    }
}

/// Splits `batch` images into one contiguous part per compute thread (never more parts than
/// images), for kernels that keep per-thread state such as partial sums.
struct ImageParts {
    /// The number of parts.
    let count: Int
    /// Images per part (the last one may have fewer).
    let imagesPerPart: Int
    private let batch: Int

    init(batch: Int) {
        self.batch = batch
        count = max(1, min(ComputeThreads.count, batch))
        imagesPerPart = (batch + count - 1) / count
    }

    /// Runs `body(part, images)` for every non-empty part, in parallel.
    func forEach(_ body: (Int, Range<Int>) -> Void) {
        parallelChunks(count: count, minimumChunk: 1) { chunk in
            for part in chunk {
                let first = part * imagesPerPart
                let end = min(batch, first + imagesPerPart)
                if first < end { body(part, first..<end) }
            }
        }
    }

    /// Adds the parts' partial sums, `count` consecutive blocks of `length` floats, into the
    /// first block.
    func sumPartials(_ partials: UnsafeMutablePointer<Float>, length: Int) {
        for part in 1..<count {
            let source = partials + part * length
            for index in 0..<length { partials[index] += source[index] }
        }
    }
}

/// Lets a kernel's non-escaping body cross into `concurrentPerform`, whose threads are
/// joined before the call returns.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

/// Elements per thread below which splitting work costs more than it saves.
let parallelGrain = 1 << 15
