import Foundation
import TensorCore

/// The batches of one epoch of a ``DataLoader`` (of a sharded loader, its non-empty slices
/// of them), prepared ahead by a background thread.
/// The thread runs under the `ComputeSettings` in effect where the epoch was asked for
/// (``DataLoader/epoch(_:)``), not the process default.
///
/// Call ``next()`` until it returns `nil`. A failed batch throws its ``DatasetError`` at its
/// turn; the batches after it are still delivered. Releasing the iterator early stops the
/// background thread after the batch it is working on.
public final class EpochBatches {
    /// The number of batches in the epoch (for a sharded loader, of non-empty slices).
    public let count: Int
    private let queue: PrefetchQueue
    private var delivered = 0

    init(loader: DataLoader, epoch: Int) {
        let order = loader.order(epoch: epoch)
        let batches = (0..<loader.batchCount).map { loader.shardIndices(ofBatch: $0, order: order) }.filter { !$0.isEmpty }
        count = batches.count
        let queue = PrefetchQueue(capacity: loader.prefetchCount)
        self.queue = queue
        // A task-local value does not reach a Thread by itself: carry the caller's settings.
        let settings = ComputeSettings.current
        let thread = Thread {
            ComputeSettings.withSettings(settings) {
                for indices in batches {
                    guard queue.waitForSpace() else { return }
                    queue.push(Result { () throws(DatasetError) -> Batch in try loader.batch(indices: indices, epoch: epoch) })
                }
            }
        }
        thread.name = "DataLoader epoch \(epoch)"
        thread.start()
    }

    deinit { queue.cancel() }

    /// The next batch, waiting for the background thread if it is not ready; `nil` after
    /// the last batch.
    ///
    /// - Throws: the ``DatasetError`` that preparing this batch raised.
    public func next() throws(DatasetError) -> Batch? {
        guard delivered < count else { return nil }
        delivered += 1
        return try queue.pop().get()
    }
}

/// A bounded first-in first-out queue between one producer thread and one consumer.
private final class PrefetchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Result<Batch, DatasetError>] = []
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks while the queue is full; false once the consumer has gone.
    func waitForSpace() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        return !cancelled
    }

    func push(_ item: Result<Batch, DatasetError>) {
        condition.lock()
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until an item is there, then removes it.
    func pop() -> Result<Batch, DatasetError> {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
