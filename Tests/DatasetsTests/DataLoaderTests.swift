import Datasets
import Foundation
import TensorCore
import Testing

/// An in-memory dataset whose sample `i` is a 1×2×3 image filled with `i`, label `i % 3`,
/// a mask of `i % 2`; optionally failing at one index or changing shape at another.
private struct CountingDataset: ImageDataset {
    let count: Int
    var failingIndex: Int? = nil
    var oddShapeIndex: Int? = nil
    var classNames: [String] { ["a", "b", "c"] }
    var labels: [Int] { (0..<count).map { $0 % 3 } }

    func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        if index == failingIndex { throw .unreadableFile(file: "sample\(index)", reason: "test failure") }
        let shape = index == oddShapeIndex ? [1, 3, 3] : [1, 2, 3]
        let image = Tensor(shape: shape, repeating: Float(index))
        let mask = Tensor(shape: [1] + shape.dropFirst(), repeating: Float(index % 2))
        return DatasetSample(image: image, label: index % 3, mask: mask, name: "sample\(index)")
    }
}

/// Adds a value drawn from the sample's generator, so the test can see which generator a
/// sample got.
private struct AddRandom: SampleTransform {
    func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        result.image = sample.image + generator.nextUnitFloat()
        return result
    }
}

/// Writes the ``ComputeSettings/threads`` in effect where it runs into the image, so a test
/// can see which settings the loader's threads used.
private struct RecordSettings: SampleTransform {
    func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        result.image = Tensor(shape: sample.image.shape, repeating: Float(ComputeSettings.current.threads))
        return result
    }
}

@Suite("DataLoader")
struct DataLoaderTests {
    /// The batches are prepared on a background thread and on worker threads, which a
    /// task-local value does not reach by itself; without carrying them, the transforms ran
    /// under the process default whatever the caller's scope said.
    @Test("the loader's threads prepare batches under the settings of the scope that asked for the epoch")
    func threadsUseCallerSettings() throws {
        let threads = ComputeSettings.default.threads + 3
        let loader = try DataLoader(
            dataset: CountingDataset(count: 12), batchSize: 4, transform: RecordSettings(), seed: 1,
            workerCount: 3)
        let batches = try ComputeSettings.withSettings(ComputeSettings(threads: threads)) { try Self.collect(loader, epoch: 0) }
        #expect(batches.allSatisfy { $0.images.scalars.allSatisfy { $0 == Float(threads) } })
        let single = try ComputeSettings.withSettings(ComputeSettings(threads: threads)) { try loader.batch(0, epoch: 0) }
        #expect(single.images.scalars.allSatisfy { $0 == Float(threads) })
    }

    static func collect(_ loader: DataLoader, epoch: Int) throws -> [Batch] {
        let batches = loader.epoch(epoch)
        var result: [Batch] = []
        while let batch = try batches.next() { result.append(batch) }
        #expect(result.count == batches.count)
        return result
    }

    @Test("an epoch visits every index once, in a seeded order that changes per epoch")
    func coversEveryIndex() throws {
        let loader = try DataLoader(dataset: CountingDataset(count: 23), batchSize: 5, seed: 7)
        #expect(loader.batchCount == 5)
        let first = try Self.collect(loader, epoch: 0)
        #expect(first.map(\.count) == [5, 5, 5, 5, 3])
        let indices = first.flatMap(\.indices)
        #expect(indices.sorted() == Array(0..<23))
        #expect(indices == loader.order(epoch: 0))
        #expect(indices != Array(0..<23))
        #expect(loader.order(epoch: 1) != loader.order(epoch: 0))
        #expect(try DataLoader(dataset: CountingDataset(count: 23), batchSize: 5, seed: 7).order(epoch: 1) == loader.order(epoch: 1))
        #expect(try DataLoader(dataset: CountingDataset(count: 23), batchSize: 5, seed: 8).order(epoch: 0) != indices)

        let ordered = try DataLoader(dataset: CountingDataset(count: 23), batchSize: 5, shuffles: false, dropsLastPartialBatch: true, seed: 7)
        #expect(ordered.batchCount == 4)
        #expect(try Self.collect(ordered, epoch: 3).flatMap(\.indices) == Array(0..<20))
    }

    @Test("batches stack images, masks, labels and names of the samples")
    func batchContents() throws {
        let dataset = CountingDataset(count: 10)
        let loader = try DataLoader(dataset: dataset, batchSize: 4, seed: 1)
        for batch in try Self.collect(loader, epoch: 2) {
            #expect(batch.images.shape == [batch.count, 1, 2, 3])
            #expect(batch.masks?.shape == [batch.count, 1, 2, 3])
            #expect(batch.images.scalars == batch.indices.flatMap { Array(repeating: Float($0), count: 6) })
            #expect(batch.masks?.scalars == batch.indices.flatMap { Array(repeating: Float($0 % 2), count: 6) })
            #expect(batch.labels == batch.indices.map { $0 % 3 })
            #expect(batch.names == batch.indices.map { "sample\($0)" })
        }
    }

    @Test("results do not depend on the number of workers, and a batch can be recomputed alone")
    func deterministicAcrossWorkers() throws {
        let dataset = CountingDataset(count: 17)
        let one = try DataLoader(dataset: dataset, batchSize: 6, transform: AddRandom(), seed: 3, workerCount: 1)
        let three = try DataLoader(dataset: dataset, batchSize: 6, transform: AddRandom(), seed: 3, workerCount: 3, prefetchCount: 1)
        let a = try Self.collect(one, epoch: 4)
        let b = try Self.collect(three, epoch: 4)
        #expect(a.map(\.images.scalars) == b.map(\.images.scalars))
        #expect(try one.batch(2, epoch: 4).images.scalars == a[2].images.scalars)
        let otherEpoch = try Self.collect(one, epoch: 5)
        #expect(otherEpoch.map(\.images.scalars) != a.map(\.images.scalars))
    }

    @Test("a failing sample fails its batch only; shapes that differ in a batch are an error")
    func errors() throws {
        let loader = try DataLoader(dataset: CountingDataset(count: 9, failingIndex: 4), batchSize: 3, shuffles: false, seed: 0)
        let batches = loader.epoch(0)
        #expect(try batches.next()?.indices == [0, 1, 2])
        #expect(throws: DatasetError.unreadableFile(file: "sample4", reason: "test failure")) { try batches.next() }
        #expect(try batches.next()?.indices == [6, 7, 8])
        #expect(try batches.next() == nil)

        let mixed = try DataLoader(dataset: CountingDataset(count: 4, oddShapeIndex: 2), batchSize: 4, shuffles: false, seed: 0)
        #expect(throws: DatasetError.inconsistentBatch(first: "sample0", firstShape: [1, 2, 3], other: "sample2", otherShape: [1, 3, 3])) {
            try mixed.batch(0, epoch: 0)
        }
        #expect(throws: DatasetError.self) { try DataLoader(dataset: CountingDataset(count: 4), batchSize: 0, seed: 0) }
        #expect(throws: DatasetError.self) { try DataLoader(dataset: CountingDataset(count: 4), batchSize: 2, seed: 0, workerCount: 0) }
    }

    @Test("dropping an epoch early stops its background thread")
    func earlyRelease() throws {
        let loader = try DataLoader(dataset: CountingDataset(count: 200), batchSize: 2, seed: 0, prefetchCount: 1)
        for epoch in 0..<20 {
            let batches = loader.epoch(epoch)
            #expect(try batches.next()?.count == 2)
        }
        // Were the producers still blocked or running, the next epoch would still complete.
        #expect(try Self.collect(loader, epoch: 99).count == 100)
    }

    @Test("a shard's slices are contiguous, balanced and together the whole batch", arguments: 1...5)
    func shardPositions(count: Int) throws {
        for size in 0...23 {
            let slices = try (0..<count).map { try DataShard($0, of: count).positions(inBatchOf: size) }
            #expect(slices.first?.lowerBound == 0 && slices.last?.upperBound == size)
            #expect(zip(slices, slices.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            let sizes = slices.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "size \(size): \(sizes)")
        }
        #expect(DataShard.whole == (try DataShard(0, of: 1)))
        #expect(throws: DatasetError.self) { try DataShard(2, of: 2) }
        #expect(throws: DatasetError.self) { try DataShard(0, of: 0) }
        #expect(throws: DatasetError.self) { try DataShard(-1, of: 3) }
    }

    /// Data-parallel training relies on it: the processes' slices of a batch are the
    /// samples of the whole loader's batch, augmented with the same generators.
    @Test("sharded loaders deliver the whole loader's batches in slices, skipping empty ones")
    func shardedBatches() throws {
        let whole = try DataLoader(dataset: CountingDataset(count: 14), batchSize: 4, transform: AddRandom(), seed: 5)
        let batches = try Self.collect(whole, epoch: 3)
        #expect(batches.map(\.count) == [4, 4, 4, 2] && (0..<4).map(whole.sampleCount(ofBatch:)) == [4, 4, 4, 2])
        let shards = try (0..<3).map { try Self.collect(whole.sharded(DataShard($0, of: 3)), epoch: 3) }
        // The last batch of two samples has no slice for shard 0.
        #expect(shards.map(\.count) == [3, 4, 4])
        #expect(shards.allSatisfy { $0.map(\.indices.count).allSatisfy { $0 >= 1 } })
        for (number, batch) in batches.enumerated() {
            let slices = shards.compactMap { shard in
                shard.first { $0.indices.allSatisfy(batch.indices.contains) }
            }
            #expect(slices.flatMap(\.indices) == batch.indices)
            #expect(slices.flatMap(\.images.scalars) == batch.images.scalars)
            #expect(try whole.sharded(DataShard(2, of: 3)).batch(number, epoch: 3).indices == slices.last?.indices)
        }
        #expect(whole.sharded(DataShard.whole).batchCount == whole.batchCount)
    }
}
