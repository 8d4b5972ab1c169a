import Dispatch
import Foundation
import TensorCore

/// Prepares the samples for `indices` on `workers` threads (each thread takes every
/// `workers`-th index) and returns them in index order, or the error of the first index
/// that failed. Used by ``DataLoader`` for a batch and by ``DecodedImageCache`` to build.
/// The threads run under the caller's ``ComputeSettings`` (a task-local value does not reach
/// Dispatch's threads by itself), so the samples do not depend on the process default.
func prepareSamples(
    _ indices: [Int], workers: Int, _ prepare: @escaping @Sendable (Int) throws(DatasetError) -> DatasetSample
) throws(DatasetError) -> [DatasetSample] {
    let slots = SampleSlots(count: indices.count)
    let threads = max(1, min(workers, indices.count))
    let settings = ComputeSettings.current
    let work: @Sendable (Int) -> Void = { worker in
        ComputeSettings.withSettings(settings) {
            for slot in stride(from: worker, to: indices.count, by: threads) {
                slots.store(Result { () throws(DatasetError) -> DatasetSample in try prepare(indices[slot]) }, at: slot)
            }
        }
    }
    if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
    return try slots.collect()
}

/// Per-sample results written by the preparing threads, each slot by one thread.
private final class SampleSlots: @unchecked Sendable {
    private var results: [Result<DatasetSample, DatasetError>?]
    private let lock = NSLock()

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func store(_ result: Result<DatasetSample, DatasetError>, at slot: Int) {
        lock.withLock { results[slot] = result }
    }

    /// The samples in slot order, or the error of the first failed slot.
    func collect() throws(DatasetError) -> [DatasetSample] {
        let all = lock.withLock { results }
        var samples: [DatasetSample] = []
        samples.reserveCapacity(all.count)
        for result in all {
            // Every slot is filled before collect() runs.
            samples.append(try result!.get())
        }
        return samples
    }
}
