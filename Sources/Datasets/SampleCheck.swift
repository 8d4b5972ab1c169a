import Dispatch
import Foundation

extension ImageDataset {
    /// Reads every sample once, on `workers` threads, and throws if any cannot be read: the
    /// check to run before long work (training) so that a bad file, a mask of the wrong size or
    /// an unreadable image is found at once, with all the bad files listed, not one per attempt.
    /// Samples are read and dropped; a data set with a decoded-image cache keeps them.
    ///
    /// - Parameters:
    ///   - name: How the error names the data set (e.g. "the training set").
    ///   - workers: Reading threads (at least 1).
    ///   - limit: The most failures listed in the error (the total is always counted).
    /// - Throws: ``DatasetError/unreadableSamples(dataset:failures:total:)`` with the first
    ///   `limit` failures in index order and how many samples failed.
    public func checkEverySample(
        name: String, workers: Int = ProcessInfo.processInfo.activeProcessorCount, listingAtMost limit: Int = 10
    ) throws(DatasetError) {
        let failures = SampleFailures(limit: max(1, limit))
        let threads = max(1, min(workers, count))
        let total = count
        let read: @Sendable (Int) -> Void = { worker in
            for index in stride(from: worker, to: total, by: threads) {
                do throws(DatasetError) {
                    _ = try self.sample(at: index)
                } catch {
                    failures.record(error, at: index)
                }
            }
        }
        if threads == 1 { read(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: read) }
        if let (listed, count) = failures.result() {
            throw .unreadableSamples(dataset: name, failures: listed, total: count)
        }
    }
}

/// The failures of ``ImageDataset/checkEverySample(name:workers:listingAtMost:)``'s threads:
/// the first `limit` by index, and a count of all.
private final class SampleFailures: @unchecked Sendable {
    private let limit: Int
    private var first: [(index: Int, error: DatasetError)] = []
    private var count = 0
    private let lock = NSLock()

    init(limit: Int) { self.limit = limit }

    func record(_ error: DatasetError, at index: Int) {
        lock.withLock {
            count += 1
            first.append((index, error))
            if first.count > limit {
                first.sort { $0.index < $1.index }
                first.removeLast()
            }
        }
    }

    /// The listed failures in index order and the total, or nil when none failed.
    func result() -> ([DatasetError], Int)? {
        lock.withLock { count == 0 ? nil : (first.sorted { $0.index < $1.index }.map(\.error), count) }
    }
}
