import Datasets
import Foundation
import TensorCore
import Testing

@Suite("Dataset subsets and splits")
struct DatasetSubsetTests {
    @Test("a subset reads the base samples at its indices, in its order")
    func subsetReadsBaseSamples() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        let subset = try DatasetSubset(base, indices: [7, 3, 999])
        #expect(subset.count == 3)
        #expect(subset.labels == [base.labels[7], base.labels[3], base.labels[999]])
        #expect(subset.classNames == base.classNames)
        #expect(try subset.sample(at: 1).image.scalars == base.sample(at: 3).image.scalars)
        #expect(try subset.sample(at: 2).name == base.sample(at: 999).name)
    }

    @Test("bad indices are typed errors")
    func badIndices() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        #expect(throws: DatasetError.sampleIndexOutOfRange(dataset: "subset of IDXImageDataset", index: 1000, count: 1000)) {
            try DatasetSubset(base, indices: [0, 1000])
        }
        #expect(throws: DatasetError.invalidSubset(reason: "index 4 is listed twice")) { try DatasetSubset(base, indices: [4, 2, 4]) }
        let subset = try DatasetSubset(base, indices: [4])
        #expect(throws: DatasetError.sampleIndexOutOfRange(dataset: "subset of IDXImageDataset", index: 1, count: 1)) {
            try subset.sample(at: 1)
        }
    }

    @Test("a random split is a seeded partition of the given indices", arguments: [0.1, 0.3, 0.5])
    func randomSplitPartitions(fraction: Double) throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        let normal = base.labels.indices.filter { base.labels[$0] == 2 }
        let (kept, held) = try DatasetSubset.randomSplit(base, fraction: fraction, of: normal, seed: 5)
        #expect(held.count == Int((fraction * Double(normal.count)).rounded()))
        #expect(Set(kept.baseIndices).isDisjoint(with: held.baseIndices))
        #expect((kept.baseIndices + held.baseIndices).sorted() == normal)
        #expect(kept.baseIndices == kept.baseIndices.sorted() && held.baseIndices == held.baseIndices.sorted())
        let again = try DatasetSubset.randomSplit(base, fraction: fraction, of: normal, seed: 5)
        #expect(again.held.baseIndices == held.baseIndices)
        let other = try DatasetSubset.randomSplit(base, fraction: fraction, of: normal, seed: 6)
        #expect(other.held.baseIndices != held.baseIndices)
    }

    @Test("a split that leaves a part empty is refused")
    func emptySplit() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        #expect(throws: DatasetError.invalidSubset(reason: "the held-out fraction must be in (0, 1), found 1.0")) {
            try DatasetSubset.randomSplit(base, fraction: 1, of: [0, 1, 2], seed: 0)
        }
        #expect(throws: DatasetError.invalidSubset(reason: "holding out 0.1 of 3 samples leaves a part empty")) {
            try DatasetSubset.randomSplit(base, fraction: 0.1, of: [0, 1, 2], seed: 0)
        }
    }

    @Test("drawing per group takes n of each group and leaves the rest")
    func drawPerGroup() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        let anomalous = base.labels.indices.filter { base.labels[$0] != 0 }
        let group = { (index: Int) in base.classNames[base.labels[index]] }
        let (chosen, rest) = try DatasetSubset.drawPerGroup(base, perGroup: 2, of: anomalous, group: group, seed: 1)
        #expect(chosen.count == 18)
        for label in 1...9 { #expect(chosen.labels.filter { $0 == label }.count == 2) }
        #expect(Set(chosen.baseIndices).isDisjoint(with: rest.baseIndices))
        #expect((chosen.baseIndices + rest.baseIndices).sorted() == anomalous)
        #expect(try DatasetSubset.drawPerGroup(base, perGroup: 2, of: anomalous, group: group, seed: 1).chosen.baseIndices == chosen.baseIndices)
        #expect(throws: DatasetError.invalidSubset(reason: "group T-shirt/top has 1 samples; drawing 1 must leave at least one for testing")) {
            try DatasetSubset.drawPerGroup(base, perGroup: 1, of: [0], group: { _ in "T-shirt/top" }, seed: 0)
        }
    }
}
