import FixtureSupport
import Foundation
import Testing

@testable import TensorCore

// SeededGenerator against an independent Python implementation of xoshiro256** seeded by
// SplitMix64 (Scripts/make_tensor_fixtures.py writes the reference values into
// Fixtures/tensor_ops.json), plus determinism and distribution checks of the random
// tensor constructors.

private func parseHex(_ text: String) throws -> UInt64 {
    let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
    guard let value = UInt64(digits, radix: 16) else { throw FixtureError("not a 64-bit hex value: \(text)") }
    return value
}

private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}

/// Mean and population standard deviation, accumulated in double.
private func moments(_ values: [Float]) -> (mean: Double, standardDeviation: Double) {
    let count = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / count
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
    return (mean, variance.squareRoot())
}

@Suite("SeededGenerator")
struct SeededGeneratorTests {
    @Test("First outputs match the reference xoshiro256** / SplitMix64")
    func referenceSequences() throws {
        let reference = try ForwardFixtures.file.get().generator
        try #require(!reference.sequences.isEmpty)
        for sequence in reference.sequences {
            let seed = try parseHex(sequence.seed)
            var generator = SeededGenerator(seed: seed)
            let expected = try sequence.outputs.map(parseHex)
            let actual = expected.map { _ in generator.next() }
            #expect(
                actual == expected,
                "seed \(sequence.seed): got \(actual.map(hex)), expected \(sequence.outputs)")
        }
    }

    @Test("nextUnitFloat uses the top 24 bits exactly")
    func referenceUnitFloats() throws {
        let reference = try ForwardFixtures.file.get().generator.unitFloats
        var generator = SeededGenerator(seed: try parseHex(reference.seed))
        let actual = reference.values.map { _ in generator.nextUnitFloat() }
        #expect(actual == reference.values.map { Float($0) })
        #expect(actual.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test("nextNormalPair matches the reference Box–Muller values")
    func referenceNormalPairs() throws {
        let reference = try ForwardFixtures.file.get().generator.normalPairs
        var generator = SeededGenerator(seed: try parseHex(reference.seed))
        for (index, pair) in reference.values.enumerated() {
            try #require(pair.count == 2)
            let (first, second) = generator.nextNormalPair()
            // Double-precision log/cos/sin may differ by an ulp between libms before the
            // rounding to float.
            #expect(Swift.abs(first - Float(pair[0])) <= 1e-6, "pair \(index): \(first) vs \(pair[0])")
            #expect(Swift.abs(second - Float(pair[1])) <= 1e-6, "pair \(index): \(second) vs \(pair[1])")
        }
    }

    @Test("Generators are values: equal seeds are equal, copies continue identically")
    func valueSemantics() {
        var a = SeededGenerator(seed: 99)
        var b = SeededGenerator(seed: 99)
        #expect(a == b)
        #expect(SeededGenerator(seed: 99) != SeededGenerator(seed: 100))
        _ = a.next()
        #expect(a != b)
        _ = b.next()
        #expect(a == b)
        var copy = a
        let fromOriginal = (0..<5).map { _ in a.next() }
        let fromCopy = (0..<5).map { _ in copy.next() }
        #expect(fromOriginal == fromCopy)
        // Different seeds give different streams.
        var c = SeededGenerator(seed: 100)
        #expect((0..<5).map { _ in c.next() } != fromOriginal)
    }

    @Test("Same seed gives identical random tensors; different seeds differ", arguments: [0, 1, 12_345] as [UInt64])
    func randomTensorsAreDeterministic(seed: UInt64) throws {
        var first = SeededGenerator(seed: seed)
        var second = SeededGenerator(seed: seed)
        let uniformA = Tensor.randomUniform(shape: [3, 5, 7], low: -2, high: 5, using: &first)
        let uniformB = Tensor.randomUniform(shape: [3, 5, 7], low: -2, high: 5, using: &second)
        #expect(uniformA.shape == [3, 5, 7])
        #expect(uniformA.scalars == uniformB.scalars)
        // The generators advanced identically, so the next draws agree too.
        let normalA = Tensor.randomNormal(shape: [4, 9], mean: 3, standardDeviation: 0.5, using: &first)
        let normalB = Tensor.randomNormal(shape: [4, 9], mean: 3, standardDeviation: 0.5, using: &second)
        #expect(normalA.scalars == normalB.scalars)
        #expect(first == second)

        var other = SeededGenerator(seed: seed &+ 1)
        let uniformC = Tensor.randomUniform(shape: [3, 5, 7], low: -2, high: 5, using: &other)
        #expect(uniformA.scalars != uniformC.scalars)
    }

    @Test("randomUniform: 100k samples lie in [low, high) with the right mean and spread")
    func uniformStatistics() throws {
        var generator = SeededGenerator(seed: 2024)
        let (low, high): (Float, Float) = (-1.5, 2.5)
        let sample = Tensor.randomUniform(shape: [100_000], low: low, high: high, using: &generator).scalars
        #expect(sample.allSatisfy { $0 >= low && $0 < high })
        let (mean, standardDeviation) = moments(sample)
        let width = Double(high - low)
        // The standard error of the mean is width/√12/√n ≈ 0.0037; allow about 5 of them.
        #expect(Swift.abs(mean - 0.5) < 0.02, "mean \(mean)")
        #expect(Swift.abs(standardDeviation - width / 12.0.squareRoot()) < 0.01, "std \(standardDeviation)")
        // Each tenth of the interval holds about a tenth of the samples.
        var bins = [Int](repeating: 0, count: 10)
        for value in sample { bins[Swift.min(9, Int((Double(value - low) / width) * 10))] += 1 }
        #expect(bins.allSatisfy { Swift.abs($0 - 10_000) < 500 }, "bins \(bins)")
    }

    @Test("randomUniform stays below high even where low + width·u rounds up")
    func uniformExcludesHigh() throws {
        // With seed 1, draw 395951 has its top 24 bits all set (u = 1 − 2⁻²⁴), and
        // 1 + 0.5·u rounds to 1.5 in float: the documented interval [low, high) must still
        // hold (as for torch.rand / uniform_).
        var generator = SeededGenerator(seed: 1)
        let (low, high): (Float, Float) = (1, 1.5)
        let sample = Tensor.randomUniform(shape: [400_000], low: low, high: high, using: &generator).scalars
        let atOrAboveHigh = sample.indices.filter { sample[$0] >= high }
        #expect(
            atOrAboveHigh.isEmpty,
            "values ≥ high \(high) at indices \(atOrAboveHigh.prefix(5)): \(atOrAboveHigh.prefix(5).map { sample[$0] })")
        #expect(sample.allSatisfy { $0 >= low })
    }

    @Test("randomNormal: 100k samples have the requested mean and standard deviation")
    func normalStatistics() throws {
        var generator = SeededGenerator(seed: 7)
        let (mean, standardDeviation): (Float, Float) = (2, 3)
        let sample = Tensor.randomNormal(
            shape: [100_000], mean: mean, standardDeviation: standardDeviation,
            using: &generator
        ).scalars
        #expect(sample.allSatisfy { $0.isFinite })
        let (sampleMean, sampleStandardDeviation) = moments(sample)
        // Standard error of the mean: 3/√100000 ≈ 0.0095.
        #expect(Swift.abs(sampleMean - 2) < 0.05, "mean \(sampleMean)")
        #expect(Swift.abs(sampleStandardDeviation - 3) < 0.05, "std \(sampleStandardDeviation)")
        // About 68.3% within one standard deviation, 95.4% within two.
        let within1 = Double(sample.filter { Swift.abs($0 - mean) < standardDeviation }.count) / 100_000
        let within2 = Double(sample.filter { Swift.abs($0 - mean) < 2 * standardDeviation }.count) / 100_000
        #expect(Swift.abs(within1 - 0.6827) < 0.01, "within 1σ: \(within1)")
        #expect(Swift.abs(within2 - 0.9545) < 0.005, "within 2σ: \(within2)")
    }

    @Test("randomNormal with an odd count uses the first value of the last pair")
    func normalOddCount() throws {
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        let odd = Tensor.randomNormal(shape: [5], using: &a).scalars
        let even = Tensor.randomNormal(shape: [6], using: &b).scalars
        #expect(odd == Array(even.prefix(5)))
        #expect(a == b, "both draw three pairs")
    }
}
