import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

// The heatmap calibration a model stores (scale and pixel threshold, measured on nominal
// training heatmaps), rendering at the original image's resolution, masks, and model files
// with and without a calibration.

@Suite("Prediction: calibration and rendering")
struct PredictionCalibrationTests {
    /// A predictor whose FCDD map is φ = x − 0.4 per pixel (a 1×1 convolution set by hand),
    /// so that grey values of 0.3…0.5 are nominal (A ≤ 0.005) and bright ones anomalous
    /// (A(0.6) ≈ 0.17): a model whose answer is known without training.
    static func brightnessPredictor() throws -> AnomalyPredictor {
        var generator = SeededGenerator(seed: 0)
        let net = Sequential(Conv2d(1, 1, kernelSize: 1, using: &generator))
        try net.load(["0.weight": Tensor(shape: [1, 1, 1, 1], scalars: [1]), "0.bias": Tensor([-0.4])], strict: true)
        return AnomalyPredictor(net: net, objective: FCDDObjective(sigma: 1.2), preprocessing: .identity, inputSize: 28, inputChannels: 1)
    }

    /// A grey 40×30 image with values in 0.3…0.5 and, where given, a bright rectangle.
    static func image(seed: UInt64, bright: (rows: Range<Int>, columns: Range<Int>)? = nil) throws -> Image {
        var generator = SeededGenerator(seed: seed)
        let (height, width) = (30, 40)
        var pixels = (0..<(height * width)).map { _ in 0.3 + 0.2 * generator.nextUnitFloat() }
        if let bright {
            for row in bright.rows { for column in bright.columns { pixels[row * width + column] = 1 } }
        }
        return try Image(width: width, height: height, channels: 1, pixels: pixels)
    }

    static func nominalSet(count: Int) throws -> InMemoryImages {
        InMemoryImages(
            samples: try (0..<count).map { index in
                DatasetSample(image: try image(seed: 100 + UInt64(index)).tensor(), label: 0, name: "nominal \(index)")
            })
    }

    /// The share of `levels` above `bound`.
    static func share(of levels: Tensor, above bound: Float) -> Double {
        Double(levels.scalars.count { $0 > bound }) / Double(levels.scalarCount)
    }

    @Test("calibrated on nominal images: a nominal image stays cool, an anomalous region turns hot, at the image's own resolution")
    func fixedScale() throws {
        let predictor = try Self.brightnessPredictor()
        let evaluation = try predictor.calibrate(onNominal: Self.nominalSet(count: 12))
        let calibration = try #require(predictor.heatmapCalibration)
        #expect(calibration == (try HeatmapCalibration(nominalHeatmaps: evaluation.heatmaps)))
        #expect(predictor.threshold == (try ThresholdCalibration.quantile(nominalScores: evaluation.scores, quantile: 0.95)))
        #expect(predictor.heatmapScale == calibration.scale && predictor.pixelThreshold == calibration.pixelThreshold)

        let size = Size2D(30, 40)
        let nominal = try Self.image(seed: 7)
        let anomalous = try Self.image(seed: 8, bright: (10..<20, 12..<24))
        let nominalPrediction = try predictor.predict(image: nominal)
        let anomalousPrediction = try predictor.predict(image: anomalous)
        let nominalLevels = try predictor.displayLevels(predictor.heatmap(of: nominalPrediction, resizedTo: size))
        let anomalousLevels = try predictor.displayLevels(predictor.heatmap(of: anomalousPrediction, resizedTo: size))
        #expect(nominalLevels.shape == [30, 40] && anomalousLevels.shape == [30, 40])
        // Below the threshold colour nearly everywhere, never at the top of the scale.
        #expect(Self.share(of: nominalLevels, above: HeatmapCalibration.thresholdLevel) < 0.05)
        #expect(nominalLevels.scalars.max()! < 1)
        // The bright rectangle's inside is at the top of the scale, and flagged in the mask.
        let inside = (12..<18).flatMap { row in (14..<22).map { row * 40 + $0 } }
        #expect(inside.allSatisfy { anomalousLevels.scalars[$0] == 1 })
        let anomalousMask = try predictor.mask(of: anomalousPrediction, size: size)
        #expect(anomalousMask.width == 40 && anomalousMask.height == 30 && anomalousMask.channels == 1)
        #expect(inside.allSatisfy { anomalousMask.pixels[$0] == 1 })
        #expect(Set(anomalousMask.pixels) == [0, 1])
        #expect(try predictor.mask(of: nominalPrediction, size: size).pixels.count { $0 == 1 } < 60)  // < 5 % of 1,200
        // Scaled per image, as before calibrations, the same nominal image shows hot spots.
        predictor.heatmapCalibration = nil
        let local = try predictor.displayLevels(predictor.heatmap(of: nominalPrediction, resizedTo: size))
        #expect(Self.share(of: local, above: 0.99) >= 0.02)
    }

    @Test("overlays are drawn on the original image at its resolution; the heatmap is resized bilinearly")
    func overlayAtOriginalSize() throws {
        let predictor = try Self.brightnessPredictor()
        try predictor.calibrate(onNominal: Self.nominalSet(count: 4))
        let image = try Self.image(seed: 9, bright: (2..<8, 30..<38))
        let prediction = try predictor.predict(image: image)
        #expect(prediction.heatmap.shape == [28, 28])
        let overlay = try predictor.overlay(of: prediction, on: image)
        #expect(overlay.width == 40 && overlay.height == 30 && overlay.channels == 3)
        let resized = try predictor.heatmap(of: prediction, resizedTo: Size2D(30, 40))
        #expect(resized.scalars == prediction.heatmap.reshaped(to: [1, 1, 28, 28]).resized(to: Size2D(30, 40), mode: .bilinear).scalars)
        let levels = try #require(predictor.heatmapScale).normalize(resized)
        #expect(overlay == (try image.overlaying(heatmap: levels)))
        // The input size itself is kept as it is.
        #expect(try predictor.heatmap(of: prediction, resizedTo: Size2D(28, 28)).scalars == prediction.heatmap.scalars)
        #expect(throws: ExplainError.self) { try predictor.heatmap(of: prediction, resizedTo: Size2D(0, 5)) }
        #expect(throws: ExplainError.self) { try predictor.mask(of: prediction, size: Size2D(30, 40), pixelThreshold: .nan) }
    }

    @Test("the calibration is saved with the model and read back; bad settings are refused before any scoring")
    func storedAndReloaded() throws {
        let predictor = try FCDDPredictorTests.makePredictor()
        let nominal = try DatasetSubset(
            OneClassView(FashionMNIST.bundledSample(split: .train), normalClasses: [0], split: .train), indices: Array(0..<16))
        try predictor.calibrate(onNominal: nominal, scoreQuantile: 0.9, pixelQuantile: 0.98)
        let calibration = try #require(predictor.heatmapCalibration)
        #expect(calibration.pixelQuantile == 0.98 && calibration.images == 16 && calibration.low <= calibration.pixelThreshold)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("calibrated-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url)
        let loaded = try AnomalyPredictor(contentsOf: url)
        #expect(loaded.heatmapCalibration == calibration && loaded.threshold == predictor.threshold)
        let image = try Image(tensor: FashionMNIST.bundledSample(split: .test).sample(at: 3).image)
        #expect(try loaded.overlay(of: loaded.predict(image: image), on: image) == predictor.overlay(of: predictor.predict(image: image), on: image))

        for (quantiles, bound) in [((0.0, 0.99), 256), ((0.5, 0.4), 256), ((0.01, 1.5), 256), ((0.01, 0.99), 0)] {
            #expect(throws: ExplainError.self) {
                try predictor.calibrate(onNominal: nominal, lowQuantile: quantiles.0, pixelQuantile: quantiles.1, maximumHeatmapImages: bound)
            }
        }
        #expect(throws: ExplainError.self) { try predictor.calibrate(onNominal: nominal, scoreQuantile: 1.5) }
        #expect(predictor.heatmapCalibration == calibration, "a refused calibration leaves the predictor as it was")
    }

    @Test("a model file without a calibration (written before them) loads; its heatmaps are scaled per image and masks need a threshold")
    func olderFiles() throws {
        let predictor = try FCDDPredictorTests.makePredictor(threshold: 0.5)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("older-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url)
        #expect(try SafeTensors(contentsOf: url).metadata["heatmap_calibration"] == nil)
        let loaded = try AnomalyPredictor(contentsOf: url)
        #expect(loaded.heatmapCalibration == nil && loaded.heatmapScale == nil && loaded.pixelThreshold == nil && loaded.threshold == 0.5)
        let image = try Image(tensor: FashionMNIST.bundledSample(split: .test).sample(at: 0).image)
        let prediction = try loaded.predict(image: image)
        let heatmap = try loaded.heatmap(of: prediction, resizedTo: Size2D(28, 28))
        let local = try HeatmapNormalization.local(quantile: AnomalyPredictor.uncalibratedDisplayQuantile)
            .normalize(heatmap.unsqueezed(axis: 0)).squeezed(axis: 0)
        #expect(try loaded.overlay(of: prediction, on: image) == image.overlaying(heatmap: local))
        #expect {
            try loaded.mask(of: prediction, size: Size2D(28, 28))
        } throws: { error in
            "\(error)".contains("no heatmap calibration")
        }
        let mask = try loaded.mask(of: prediction, size: Size2D(28, 28), pixelThreshold: 0)
        #expect(mask.pixels == heatmap.scalars.map { $0 > 0 ? 1 : 0 })
    }

    @Test("a stored calibration that is not finite or not ordered is refused when the file is read")
    func badStoredCalibration() throws {
        let predictor = try FCDDPredictorTests.makePredictor()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-calibration-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url)
        for bad in [
            #"{"low":0.3,"pixel_threshold":0.2,"high":0.5,"low_quantile":0.01,"pixel_quantile":0.99,"images":4}"#,
            #"{"low":0.1,"pixel_threshold":0.2,"high":1e39,"low_quantile":0.01,"pixel_quantile":0.99,"images":4}"#,
            #"{"low":0.1,"pixel_threshold":0.2}"#,
            "0.5",
        ] {
            var file = try SafeTensors(contentsOf: url)
            file.metadata["heatmap_calibration"] = bad
            try file.write(to: url)
            #expect {
                try AnomalyPredictor(contentsOf: url)
            } throws: { error in
                guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return false }
                return reason.hasPrefix("expected heatmap_calibration as JSON of a HeatmapCalibration")
            }
        }
    }
}
