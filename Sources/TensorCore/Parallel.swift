import Dispatch

/// Splits `0..<count` into contiguous chunks of at least `minimumChunk` items and runs `body`
/// on them, in parallel on up to `threads` threads when there is more than one chunk. The
/// workers run under the caller's ``ComputeSettings`` (a task-local value does not reach
/// Dispatch's threads by itself).
func parallelChunks(
    count: Int, minimumChunk: Int, threads: Int = ComputeSettings.current.threads, _ body: (Range<Int>) -> Void
) {
    let parts = min(threads, max(1, count / max(1, minimumChunk)))
    if parts <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunk = (count + parts - 1) / parts
    let scoped = ComputeSettings.scoped
    withoutActuallyEscaping(body) { escapable in
        // The chunks write disjoint ranges; concurrentPerform returns only when all are done.
        let work = UncheckedSendable(value: escapable)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = part * chunk
            let end = min(count, start + chunk)
            guard start < end else { return }
            if let scoped {
                ComputeSettings.$scoped.withValue(scoped) { work.value(start..<end) }
            } else {
                work.value(start..<end)
            }
        }
    }
}

/// Splits `batch` images into one contiguous part per thread (never more parts than images),
/// for kernels that keep per-thread state such as partial sums.
struct ImageParts {
    /// The number of parts.
    let count: Int
    /// Images per part (the last one may have fewer).
    let imagesPerPart: Int
    private let batch: Int

    init(batch: Int, threads: Int) {
        self.batch = batch
        count = max(1, min(threads, batch))
        imagesPerPart = (batch + count - 1) / count
    }

    /// Runs `body(part, images)` for every non-empty part, in parallel.
    func run(_ body: (Int, Range<Int>) -> Void) {
        parallelChunks(count: count, minimumChunk: 1, threads: count) { chunk in
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
