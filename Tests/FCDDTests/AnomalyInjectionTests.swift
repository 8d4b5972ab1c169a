import Datasets
import Foundation
import TensorCore
import Testing

@testable import FCDD

// Synthetic anomalies and outlier exposure: the reference's parameters as properties
// (confetti values, blob counts, blur normalisation, the sign rule, the replacement rate).

@Suite("Synthetic anomalies and outlier exposure")
struct AnomalyInjectionTests {
    @Test("confetti: values ≤ 0 and integral, at least one blob per layer, same seed same noise")
    func confetti() throws {
        for seed in UInt64(0)..<4 {
            var generator = SeededGenerator(seed: seed)
            let noise = Confetti.generate(shape: [3, 64, 80], using: &generator)
            let values = noise.scalars
            #expect(noise.shape == [3, 64, 80])
            #expect(values.allSatisfy { $0 <= 0 && $0 == $0.rounded(.towardZero) })
            // Two blobs of side ≥ 8, blurred: a good part of the image is darkened.
            #expect(values.filter { $0 < -10 }.count >= 3 * 40)
            var again = SeededGenerator(seed: seed)
            #expect(Confetti.generate(shape: [3, 64, 80], using: &again).scalars == values)
        }
    }

    @Test("a confetti layer draws squares of the configured side, clamped at the border")
    func layerGeometry() throws {
        var generator = SeededGenerator(seed: 5)
        let layer = ConfettiLayer(probability: 0.001, sides: 7...7, rotates: false, fill: .constant(-255))
        let image = layer.draw(shape: [1, 40, 40], ensuresBlob: true, using: &generator)
        let filled = image.scalars.filter { $0 == -255 }.count
        #expect(filled >= 7 * 4)  // a 7×7 square, at least partly inside the image
        #expect(image.scalars.allSatisfy { $0 == 0 || $0 == -255 })
    }

    @Test("the blur is normalised: a constant image stays constant")
    func blurIsNormalised() throws {
        let constant = Tensor(shape: [2, 30, 31], repeating: -100)
        let blurred = Confetti.gaussianBlur(constant, kernelSize: 25, sigma: 5)
        #expect(blurred.shape == [2, 30, 31])
        #expect(blurred.scalars.allSatisfy { abs($0 + 100) < 1e-3 })
    }

    @Test("noise modes produce the reference's ranges")
    func noiseModes() throws {
        var generator = SeededGenerator(seed: 1)
        let uniform = NoiseMode.uniform.generate(shape: [1, 32, 32], using: &generator).scalars
        #expect(uniform.allSatisfy { (0..<255).contains($0) })
        let solid = NoiseMode.solid.generate(shape: [3, 4, 4], using: &generator).scalars
        #expect(Set(solid[0..<16]).count == 1 && Set(solid[16..<32]).count == 1)
        let gaussian = NoiseMode.gaussian.generate(shape: [1, 64, 64], using: &generator).scalars
        let deviation = (gaussian.map { $0 * $0 }.reduce(0, +) / Float(gaussian.count)).squareRoot()
        #expect(abs(deviation - 64) < 4)
        let blob = NoiseMode.blob.generate(shape: [1, 100, 100], using: &generator).scalars
        #expect(blob.allSatisfy { $0 == 0 || $0 == 255 })
        // A shape that is not [C, H, W] stops the program: see `Misuse.noise` in FCDDMisuses.swift.
    }

    @Test("malformed normal: confetti darkens, and brightens an image it cannot darken")
    func malformSignRule() throws {
        var generator = SeededGenerator(seed: 2)
        let noise = Confetti.generate(shape: [1, 48, 48], using: &generator)
        let grey = Tensor(shape: [1, 48, 48], repeating: 0.5)
        let (darkened, changed) = AnomalyInjection.malform(grey, noise: noise)
        #expect(darkened.scalars.reduce(0, +) < grey.scalars.reduce(0, +))
        #expect(changed.scalars.contains(1) && changed.shape == [1, 48, 48])
        let black = Tensor.zeros(shape: [1, 48, 48])
        let (brightened, _) = AnomalyInjection.malform(black, noise: noise)
        #expect(brightened.scalars.reduce(0, +) > 0)
    }

    @Test("about half of the samples are replaced, labelled 1, with all-ones masks where masks exist")
    func replacementRate() throws {
        let injection = try AnomalyInjection(.malformedNormal(.confetti, groundTruth: false))
        let sample = DatasetSample(
            image: Tensor(shape: [1, 32, 32], repeating: 0.5), label: 0,
            mask: Tensor.zeros(shape: [1, 32, 32]), name: "s")
        var replaced = 0
        for seed in UInt64(0)..<200 {
            let result = try injection.apply(sample, seed: seed)
            if result.label == 1 {
                replaced += 1
                #expect(result.mask?.scalars.allSatisfy { $0 == 1 } == true)
            } else {
                #expect(result.image.scalars == sample.image.scalars)
            }
        }
        #expect((70...130).contains(replaced))
        #expect(throws: DatasetError.self) { try AnomalyInjection(.noise(.uniform), probability: 1.5) }
    }

    @Test("noise injection refuses a data set image that is not [C, H, W], whatever the draw")
    func noiseRefusesNonImages() throws {
        for source in [AnomalyInjection.Source.noise(.confetti), .malformedNormal(.uniform, groundTruth: false)] {
            for probability in [0.0, 1.0] {
                let injection = try AnomalyInjection(source, probability: probability)
                let flat = DatasetSample(image: Tensor.zeros(shape: [28, 28]), label: 0, name: "flat")
                #expect(
                    throws: DatasetError.transformInputMismatch(
                        transform: "AnomalyInjection", sample: "flat", expected: "an image [C, H, W] with positive sizes", found: [28, 28])
                ) {
                    try injection.apply(flat, seed: 0)
                }
                let empty = DatasetSample(image: Tensor.zeros(shape: [1, 0, 28]), label: 0, name: "empty")
                #expect(throws: DatasetError.self) { try injection.apply(empty, seed: 0) }
            }
        }
    }

    @Test("outlier exposure draws from the limited subset and checks the shape")
    func outlierExposure() throws {
        let sample = try FashionMNIST.bundledSample(split: .test)
        let injection = try AnomalyInjection.outlierExposure(sample, limit: 3, seed: 9, probability: 1)
        guard case let .outlierExposure(_, _, indices) = injection.source else { Issue.record("wrong source"); return }
        #expect(indices.count == 3)
        let nominal = DatasetSample(image: Tensor.zeros(shape: [1, 28, 28]), label: 0, name: "n")
        var names = Set<String>()
        for seed in UInt64(0)..<30 { names.insert(try injection.apply(nominal, seed: seed).name) }
        #expect(names.count <= 3 && names.count >= 2)
        let wrongShape = DatasetSample(image: Tensor.zeros(shape: [3, 32, 32]), label: 0, name: "c")
        #expect(throws: DatasetError.self) { try injection.apply(wrongShape, seed: 0) }
        #expect(throws: DatasetError.self) { try AnomalyInjection.outlierExposure(sample, limit: 0) }
    }

    @Test("real anomalies keep their own masks and are checked for shape")
    func realAnomalies() throws {
        let mask = Tensor(shape: [1, 8, 8], scalars: (0..<64).map { $0 % 9 == 0 ? 1 : 0 })
        let real = InMemoryImages(samples: [DatasetSample(image: Tensor(shape: [1, 8, 8], repeating: 0.25), label: 1, mask: mask, name: "crack")])
        let injection = try AnomalyInjection(.realAnomalies(real, preprocessing: nil), probability: 1)
        let nominal = DatasetSample(image: Tensor.zeros(shape: [1, 8, 8]), label: 0, mask: Tensor.zeros(shape: [1, 8, 8]), name: "n")
        let result = try injection.apply(nominal, seed: 4)
        #expect(result.label == 1 && result.name == "crack")
        #expect(result.mask?.scalars == mask.scalars)
        #expect(result.image.scalars.allSatisfy { $0 == 0.25 })
        let wrongShape = DatasetSample(image: Tensor.zeros(shape: [1, 9, 8]), label: 0, name: "w")
        #expect(throws: DatasetError.self) { try injection.apply(wrongShape, seed: 0) }
        #expect(
            throws: DatasetError.invalidTransformParameter(
                transform: "AnomalyInjection", parameter: "real anomalies", expected: "at least one anomaly", found: "none")
        ) {
            try AnomalyInjection(.realAnomalies(InMemoryImages(samples: []), preprocessing: nil))
        }
    }
}

/// Samples held in memory, for tests.
struct InMemoryImages: ImageDataset {
    let samples: [DatasetSample]
    var count: Int { samples.count }
    var classNames: [String] { ["nominal", "anomalous"] }
    var labels: [Int] { samples.map(\.label) }
    func sample(at index: Int) throws(DatasetError) -> DatasetSample { samples[index] }
}
