import FixtureSupport
import Foundation
import TensorCore
import Testing

@testable import Explain

// Display normalisation against Fixtures/upsampling.json (the reference's __local_norm and
// __global_norm in torch, `training/bases.py`): local, global with a reference set,
// semi-global, and the low-resolution quirk next to the resolution-consistent variant.
// Then properties that need no reference: the range, constant maps, min-max at q = 1, the
// quantile rank and the label-balanced reference set.

@Suite("Normalization")
struct NormalizationTests {
    static let tolerance = FixtureTolerance(absolute: 1e-5, relative: 1e-5, matchesNonFinite: false)

    @Test("local, global and semi-global against the reference", arguments: MapsFixtures.names(\.normalization, \.name))
    func normalization(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.normalization, \.name, name)
        let maps = try testCase.maps.tensor()
        let method: HeatmapNormalization
        switch testCase.mode {
        case "local": method = .local(quantile: testCase.quantile)
        case "semi_global": method = .semiGlobal(quantile: testCase.quantile)
        case "global":
            let reference = try #require(testCase.reference, "\(name): a global case needs a reference")
            method = .global(try HeatmapReferenceStatistics(reference: reference.tensor(), quantile: testCase.quantile))
        default: throw FixtureError("unknown mode \(testCase.mode)")
        }
        let output = try method.normalize(maps)
        expectMapsClose(output, testCase.expected, Self.tolerance, "\(name) [N, 1, H, W]")
        let flat = try method.normalize(maps.squeezed(axis: 1))
        #expect(flat.shape == [maps.shape[0], maps.shape[2], maps.shape[3]])
        #expect(flat.scalars == output.scalars, "\(name): [N, H, W] gives the same values")
    }

    @Test("global statistics from low-resolution (quirk) or up-sampled reference maps", arguments: MapsFixtures.names(\.quirk, \.name))
    func quirk(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.quirk, \.name, name)
        let field = try MapsFixtures.field(size: testCase.size, jump: testCase.jump, shift: testCase.shift)
        let upsampler = try ReceptiveFieldUpsampler(receptiveField: field, inputSize: size2D(testCase.input), sigma: testCase.sigma)
        let low = try testCase.low_resolution.tensor()
        let reference = low.gathered(atIndices: testCase.reference_indices, alongAxis: 0)
        let shown = try upsampler.upsample(low.gathered(atIndices: testCase.picture_indices, alongAxis: 0))

        let quirk = try HeatmapReferenceStatistics(
            lowResolutionMaps: reference, quantile: testCase.quantile,
            resolution: .lowResolution, upsample: upsampler.upsample)
        expectMapsClose(try HeatmapNormalization.global(quirk).normalize(shown), testCase.quirk, Self.tolerance, "\(name) quirk")

        let consistent = try HeatmapReferenceStatistics(
            lowResolutionMaps: reference, quantile: testCase.quantile,
            resolution: .upsampled, upsample: upsampler.upsample)
        expectMapsClose(try HeatmapNormalization.global(consistent).normalize(shown), testCase.consistent, Self.tolerance, "\(name) consistent")
        // Measuring the up-sampled maps directly gives the same statistics (the chunking
        // changes nothing).
        #expect(consistent == (try HeatmapReferenceStatistics(reference: upsampler.upsample(reference), quantile: testCase.quantile)))

        expectMapsClose(
            try HeatmapNormalization.local(quantile: testCase.quantile).normalize(shown), testCase.local,
            Self.tolerance, "\(name) local")
    }

    @Test("the up-sampled reference is chunked without changing the statistics")
    func chunking() throws {
        let upsampler = try MapsFixtures.cnn28Upsampler()
        var generator = SeededGenerator(seed: 3)
        let maps = Tensor.randomUniform(shape: [150, 7, 7], low: 0, high: 2, using: &generator)
        var calls = 0
        let chunked = try HeatmapReferenceStatistics(lowResolutionMaps: maps, quantile: 0.97, resolution: .upsampled) { part throws(ExplainError) in
            calls += 1
            return try upsampler.upsample(part)
        }
        #expect(calls == 3)
        #expect(chunked == (try HeatmapReferenceStatistics(reference: upsampler.upsample(maps), quantile: 0.97)))
    }

    @Test("outputs lie in [0, 1]; q = 1 is min-max; constant maps become 0")
    func properties() throws {
        var generator = SeededGenerator(seed: 5)
        let maps = Tensor.randomNormal(shape: [3, 1, 10, 12], using: &generator)
        for method in [HeatmapNormalization.local(quantile: 0.85), .semiGlobal(quantile: 0.97), .local(quantile: 0.99), .semiGlobal(quantile: 0.5)] {
            let output = try method.normalize(maps)
            #expect(output.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(method)")
        }
        let minMax = try HeatmapNormalization.local(quantile: 1).normalize(maps)
        for image in 0..<3 {
            let values = maps.slice(alongAxis: 0, image..<(image + 1)).scalars
            let (low, high) = (values.min() ?? 0, values.max() ?? 0)
            let normalized = minMax.slice(alongAxis: 0, image..<(image + 1)).scalars
            #expect(normalized.min() == 0 && normalized.max() == 1)
            for (value, scaled) in zip(values, normalized) {
                #expect(Swift.abs(scaled - (value - low) / (high - low)) <= 1e-6)
            }
        }
        let constant = Tensor(shape: [2, 4, 4], repeating: 3)
        #expect(try HeatmapNormalization.local(quantile: 0.9).normalize(constant).scalars.allSatisfy { $0 == 0 })
        let statistics = try HeatmapReferenceStatistics(minimum: 1, scale: 0)
        #expect(try statistics.normalize(Tensor([0.5, 1, 2])).scalars == [0, 0, 1])
    }

    @Test("invalid quantiles, layouts and values are rejected")
    func errors() throws {
        let maps = Tensor.ones(shape: [2, 1, 4, 4])
        #expect(throws: ExplainError.self) { try HeatmapNormalization.local(quantile: 0).normalize(maps) }
        #expect(throws: ExplainError.self) { try HeatmapNormalization.local(quantile: 1.5).normalize(maps) }
        #expect(throws: ExplainError.self) { try HeatmapNormalization.local(quantile: 0.9).normalize(Tensor.ones(shape: [2, 3, 4, 4])) }
        #expect(throws: ExplainError.self) {
            try HeatmapNormalization.local(quantile: 0.9).normalize(Tensor(shape: [1, 2, 2], scalars: [0, .nan, 1, 2]))
        }
        #expect(throws: ExplainError.self) { try HeatmapReferenceStatistics(reference: Tensor.zeros(shape: [0]), quantile: 0.5) }
        #expect(throws: ExplainError.self) { try HeatmapReferenceStatistics(minimum: 0, scale: -1) }
    }

    @Test("the quantile is the k-th smallest value, k = int(q·N) at least 1")
    func quantileRank() throws {
        #expect(MapsSupport.quantileRank(0.85, count: 49) == 41)
        #expect(MapsSupport.quantileRank(0.97, count: 100) == 97)
        #expect(MapsSupport.quantileRank(1, count: 784) == 784)
        #expect(MapsSupport.quantileRank(0.001, count: 10) == 1)
        var generator = SeededGenerator(seed: 9)
        for trial in 0..<200 {
            let count = 1 + trial * 7 % 300
            // Few distinct values, so that ranks fall on ties.
            var values = (0..<count).map { _ in Float(Int.random(in: 0..<(trial % 5 + 2), using: &generator)) }
            let sorted = values.sorted()
            let rank = 1 + Int.random(in: 0..<count, using: &generator)
            let kth = values.withUnsafeMutableBufferPointer { MapsSupport.kthSmallest($0, rank: rank) }
            #expect(kth == sorted[rank - 1], "trial \(trial): rank \(rank) of \(count)")
        }
    }

    @Test("label-balanced reference set")
    func labelBalancing() throws {
        var generator = SeededGenerator(seed: 1)
        let labels = [0, 1, 0, 0, 1, 0, 0, 0, 1, 0]
        let indices = try LabelBalancing.balancedIndices(labels: labels, using: &generator)
        #expect(indices == indices.sorted())
        #expect(indices.count == 6)
        #expect(indices.filter { labels[$0] == 1 } == [1, 4, 8], "every sample of the rarer label")
        #expect(indices.filter { labels[$0] == 0 }.count == 3)
        var again = SeededGenerator(seed: 1)
        #expect(try LabelBalancing.balancedIndices(labels: labels, using: &again) == indices, "reproducible")
        #expect(try LabelBalancing.balancedIndices(labels: [1, 1, 1], using: &generator) == [0, 1, 2])
        #expect(throws: ExplainError.self) { try LabelBalancing.balancedIndices(labels: [0, 1, 2], using: &generator) }
        #expect(throws: ExplainError.self) { try LabelBalancing.balancedIndices(labels: [], using: &generator) }
    }
}
