import Dispatch
import Foundation
import TensorCore

/// Shuffled, seeded mini-batches of an ``ImageDataset``, decoded and augmented in parallel
/// ahead of the training step.
///
/// Everything random is derived from `seed`: the order of epoch `e` from `(seed, e)`, and the
/// transform's generator for a sample from `(seed, e, index)`. A batch is therefore the same
/// whatever the number of workers or the timing of the threads, and any batch can be
/// recomputed on its own (``batch(_:epoch:)``), e.g. after resuming from a checkpoint.
///
/// Memory: at most ``prefetchCount`` batches are queued or being prepared, besides the one
/// the consumer holds; while a batch is prepared, up to `min(workerCount, batchSize)` images
/// are decoded at once, each bounded by ``DatasetLimits/maximumImageSamples`` (and a gzipped
/// file by ``DatasetLimits/maximumDecompressedBytes``), all together by
/// ``DatasetLimits/maximumDecodingBytes``. Lower ``workerCount``, ``prefetchCount`` or the
/// limits to bound the decoded bytes in flight further.
///
/// Data-parallel training gives each process a ``sharded(_:)`` loader: it delivers that
/// process's slice of every batch, with the same samples and augmentation as the whole
/// loader's batch holds, whatever the number of processes.
///
/// ```swift
/// let loader = try DataLoader(dataset: train, batchSize: 128, transform: augmentation, seed: 1)
/// for epoch in 0..<epochs {
///     let batches = loader.epoch(epoch)          // starts decoding in the background
///     while let batch = try batches.next() {     // waits only if the workers fall behind
///         ...
///     }
/// }
/// ```
public struct DataLoader: Sendable {
    /// The samples.
    public let dataset: any ImageDataset
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the samples in a new seeded random order.
    public let shuffles: Bool
    /// Whether a last batch smaller than ``batchSize`` is left out.
    public let dropsLastPartialBatch: Bool
    /// Applied to every sample after decoding (augmentation, normalisation), if any.
    public let transform: (any SampleTransform)?
    /// The seed all randomness of the loader derives from.
    public let seed: UInt64
    /// Threads that decode and transform the samples of one batch.
    public let workerCount: Int
    /// How many batches are prepared ahead of the consumer.
    public let prefetchCount: Int
    /// The part of every batch this loader delivers (``DataShard/whole`` unless
    /// ``sharded(_:)`` made it).
    public private(set) var shard = DataShard.whole

    /// A loader; nothing is decoded until batches are requested.
    ///
    /// - Parameters:
    ///   - dataset: the samples to load (``dataset``).
    ///   - batchSize: samples per batch (``batchSize``).
    ///   - shuffles: whether each epoch visits the samples in a new random order
    ///     (``shuffles``).
    ///   - dropsLastPartialBatch: whether a last smaller batch is left out
    ///     (``dropsLastPartialBatch``).
    ///   - transform: applied to every sample after decoding (``transform``).
    ///   - seed: the seed all randomness of the loader derives from (``seed``).
    ///   - workerCount: decoding threads per batch; by default all cores but one (at least
    ///     one), leaving a core to the training step.
    ///   - prefetchCount: how many batches are prepared ahead (``prefetchCount``).
    /// - Throws: ``DatasetError/invalidLoaderConfiguration(_:)`` for a batch size, worker
    ///   count or prefetch count below 1.
    public init(
        dataset: any ImageDataset, batchSize: Int, shuffles: Bool = true, dropsLastPartialBatch: Bool = false,
        transform: (any SampleTransform)? = nil, seed: UInt64, workerCount: Int? = nil, prefetchCount: Int = 2
    ) throws(DatasetError) {
        let workers = workerCount ?? max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        guard batchSize >= 1, workers >= 1, prefetchCount >= 1 else {
            throw .invalidLoaderConfiguration("expected batchSize, workerCount and prefetchCount ≥ 1, found \(batchSize), \(workers), \(prefetchCount)")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffles = shuffles
        self.dropsLastPartialBatch = dropsLastPartialBatch
        self.transform = transform
        self.seed = seed
        self.workerCount = workers
        self.prefetchCount = prefetchCount
    }

    /// The number of batches per epoch (of the whole loader, also when it is sharded).
    public var batchCount: Int {
        dropsLastPartialBatch ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The same loader delivering only `shard`'s slice of every batch
    /// (``DataShard/positions(inBatchOf:)``); an epoch of it skips the batches whose slice
    /// is empty (only a last partial batch with fewer samples than shards has such).
    public func sharded(_ shard: DataShard) -> DataLoader {
        var loader = self
        loader.shard = shard
        return loader
    }

    /// The number of samples of batch `number` of every epoch in the whole loader.
    ///
    /// - Precondition: `number` is in `0..<batchCount`.
    public func sampleCount(ofBatch number: Int) -> Int {
        precondition((0..<batchCount).contains(number), "DataLoader: batch \(number) is outside 0..<\(batchCount)")
        return min((number + 1) * batchSize, dataset.count) - number * batchSize
    }

    /// The order in which epoch `epoch` visits the dataset's indices.
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<dataset.count)
        if shuffles {
            var generator = SeededGenerator(seed: DataLoader.mix(seed, UInt64(bitPattern: Int64(epoch)), 0x5EED))
            indices.shuffle(using: &generator)
        }
        return indices
    }

    /// Decodes, transforms and stacks batch `number` of `epoch` (this loader's shard of it)
    /// now, on ``workerCount`` threads.
    ///
    /// - Throws: the first ``DatasetError`` of a sample (decoding or transform), or
    ///   ``DatasetError/inconsistentBatch(first:firstShape:other:otherShape:)``.
    /// - Precondition: `number` is in `0..<batchCount` and the shard's slice of it is not empty.
    public func batch(_ number: Int, epoch: Int) throws(DatasetError) -> Batch {
        let indices = shardIndices(ofBatch: number, order: order(epoch: epoch))
        precondition(!indices.isEmpty, "DataLoader: \(shard) of batch \(number) is empty")
        return try batch(indices: indices, epoch: epoch)
    }

    /// The dataset indices of this loader's shard of batch `number` in an epoch's `order`.
    func shardIndices(ofBatch number: Int, order: [Int]) -> [Int] {
        let start = number * batchSize
        let positions = shard.positions(inBatchOf: sampleCount(ofBatch: number))
        return Array(order[(start + positions.lowerBound)..<(start + positions.upperBound)])
    }

    /// The batches of `epoch`, prepared by a background thread up to ``prefetchCount``
    /// batches ahead, under the `ComputeSettings` in effect here. Dropping the iterator
    /// stops the preparation.
    public func epoch(_ epoch: Int) -> EpochBatches {
        EpochBatches(loader: self, epoch: epoch)
    }

    /// Decodes and transforms the samples at `indices` in parallel, then stacks them.
    func batch(indices: [Int], epoch: Int) throws(DatasetError) -> Batch {
        let samples = try prepareSamples(indices, workers: workerCount) { index throws(DatasetError) in
            try self.prepareSample(index, epoch: epoch)
        }
        return try Batch(stacking: samples, indices: indices)
    }

    /// One sample, decoded and transformed with its own generator.
    private func prepareSample(_ index: Int, epoch: Int) throws(DatasetError) -> DatasetSample {
        let sample = try dataset.sample(at: index)
        guard let transform else { return sample }
        var generator = SeededGenerator(seed: DataLoader.mix(seed, UInt64(bitPattern: Int64(epoch)), UInt64(index)))
        return try transform.apply(sample, using: &generator)
    }

    /// Mixes three values into one seed (SplitMix64's finaliser over a running combination).
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        var state = a
        for value in [b, c] {
            state = (state ^ value) &+ 0x9E37_79B9_7F4A_7C15
            state = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            state = (state ^ (state >> 27)) &* 0x94D0_49BB_1331_11EB
            state ^= state >> 31
        }
        return state
    }
}
