import Datasets
import Explain
import FCDD
import Foundation
import TensorCore
import Testing

@Suite("FCDD evaluation")
struct FCDDEvaluationTests {
    @Test("scores and image AUC equal the predictor's on the same images")
    func imageLevel() throws {
        let test = try OneClassView(FashionMNIST.bundledSample(split: .test), normalClasses: [0], split: .test)
        let subset = try DatasetSubset(test, indices: Array(0..<60))
        let predictor = try FCDDPredictorTests.makePredictor(threshold: 0.5)
        let evaluation = try predictor.evaluate(subset, batchSize: 16)
        let images = try Tensor.stack((0..<60).map { try subset.sample(at: $0).image })
        // The same batches of 16: the same computation, so the same bits.
        let batched = try stride(from: 0, to: 60, by: 16).flatMap { start in
            try predictor.predict(images.slice(alongAxis: 0, start..<min(60, start + 16))).map(\.score)
        }
        #expect(evaluation.scores == batched)
        // One batch of 60 multiplies matrices of other shapes (the lowered second convolution
        // is 16 × 3136 × 200 per batch of 16, 16 × 11760 × 200 here), which OpenBLAS may split
        // and so round differently: with its Haswell (AVX2) kernels on one thread the scores
        // differ by up to 2 ulps (1.7e-7 relative); they are equal on more threads and with its
        // SkylakeX kernels. The tolerance leaves room for other CPUs and OpenBLAS versions.
        let direct = try predictor.predict(images).map(\.score)
        let largest = direct.map(abs).max() ?? 0
        #expect(zip(evaluation.scores, direct).allSatisfy { abs($0 - $1) <= 1e-5 * largest })
        #expect(evaluation.labels == subset.labels)
        #expect(evaluation.imageAUROC == (try ROC.areaUnderCurve(scores: evaluation.scores, labels: subset.labels)))
        #expect(evaluation.pixelAUROC == nil && evaluation.pixelAUPRO == nil)
        #expect(evaluation.heatmaps.shape == [60, 28, 28] && evaluation.images.shape == [60, 1, 28, 28])
        #expect(evaluation.metrics.keys.sorted() == ["image_auroc"])
    }

    /// Masks of other sizes than the input: each heatmap is resized with nearest neighbours
    /// to its mask's size, and the pixel metrics pool images of different sizes.
    @Test("pixel metrics at each mask's own size")
    func pixelLevel() throws {
        var random = SeededGenerator(seed: 11)
        var samples: [DatasetSample] = []
        for (index, (height, width)) in [(28, 28), (40, 30), (20, 50), (56, 28)].enumerated() {
            let image = Tensor(shape: [1, height, width], scalars: (0..<(height * width)).map { _ in random.nextUnitFloat() })
            let mask = Tensor(shape: [1, height, width], scalars: (0..<(height * width)).map { $0 % width < width / 3 && index > 0 ? 1 : 0 })
            samples.append(DatasetSample(image: image, label: index == 0 ? 0 : 1, mask: mask, name: "s\(index)"))
        }
        let dataset = InMemoryImages(samples: samples)
        let predictor = try FCDDPredictorTests.makePredictor()
        let evaluation = try predictor.evaluate(dataset, batchSize: 3)
        var maps: [Tensor] = [], masks: [Tensor] = []
        for (index, sample) in samples.enumerated() {
            let prediction = try predictor.predict(image: try Image(tensor: sample.image))
            #expect(abs(prediction.score - evaluation.scores[index]) < 1e-6)
            let heatmap = DatasetSample(image: prediction.heatmap.unsqueezed(axis: 0), label: 0, name: "h")
            maps.append(try Resize(height: sample.image.shape[1], width: sample.image.shape[2], interpolation: .nearest).apply(heatmap, seed: 0).image)
            masks.append(sample.mask!)
        }
        let pixelAUROC = try #require(evaluation.pixelAUROC)
        let pixelAUPRO = try #require(evaluation.pixelAUPRO)
        #expect(abs(pixelAUROC - (try PixelROC.areaUnderCurve(maps: maps, masks: masks))) < 1e-6)
        #expect(abs(pixelAUPRO - (try AUPRO.compute(maps: maps, masks: masks))) < 1e-6)
        #expect(evaluation.metrics.keys.sorted() == ["image_auroc", "pixel_aupro", "pixel_auroc"])
    }

    @Test("LCN min-max fitted to the training images maps them onto [0, 1] exactly")
    func fittedScaling() throws {
        let train = try DatasetSubset(OneClassView(FashionMNIST.bundledSample(split: .train), normalClasses: [3], split: .train), indices: Array(0..<50))
        let preprocessing = try ModelPreprocessing.fittingLocalContrastMinMax(to: train)
        guard case let .localContrastMinMax(minimum, maximum) = preprocessing else { Issue.record("wrong case"); return }
        #expect(minimum.count == 1 && maximum.count == 1 && minimum[0] < 0 && maximum[0] > 0)
        let transform = try preprocessing.transform()
        let values = try (0..<train.count).flatMap { try transform.apply(train.sample(at: $0), seed: 0).image.scalars }
        #expect(abs(values.min()! - 0) < 1e-5 && abs(values.max()! - 1) < 1e-5)
        // Stored with a model and read back.
        let decoded = try JSONDecoder().decode(ModelPreprocessing.self, from: JSONEncoder().encode(preprocessing))
        #expect(decoded == preprocessing)
        #expect(throws: DatasetError.self) { try ModelPreprocessing.fittingLocalContrastMinMax(to: InMemoryImages(samples: [])) }
        // Grey and colour images: the message names both files and the channels setting.
        let mixed = InMemoryImages(samples: [
            DatasetSample(image: Tensor(shape: [1, 4, 4], repeating: 0.5), label: 0, name: "train/grey.png"),
            DatasetSample(image: Tensor(shape: [3, 4, 4], repeating: 0.5), label: 0, name: "train/rgb.png"),
        ])
        do {
            _ = try ModelPreprocessing.fittingLocalContrastMinMax(to: mixed)
            Issue.record("a mixed grey and colour set was accepted")
        } catch {
            let message = error.description
            #expect(message.contains("train/grey.png") && message.contains("3 channels in train/rgb.png"), "\(message)")
            #expect(message.contains("--channels"), "\(message)")
        }
    }
}
