import Datasets
import Explain
import FCDD
import Foundation
import TensorCore
import Testing

@Suite("Anomaly evaluation")
struct AnomalyEvaluationTests {
    @Test("one evaluation serves FCDD, HSC and AE predictors through the protocol")
    func allObjectives() throws {
        let test = try OneClassView(FashionMNIST.bundledSample(split: .test), normalClasses: [0], split: .test)
        let subset = try DatasetSubset(test, indices: Array(0..<40))
        let images = try Tensor.stack((0..<40).map { try subset.sample(at: $0).image })
        let blur = try GaussianBlur.reference(pairedWith: .cnn28, sigma: 1.2)
        let predictors: [AnomalyPredictor] = [
            try FCDDPredictorTests.makePredictor(),
            try BaselinePredictorTests.makePredictor(.cnn28, blur: blur),
            try BaselinePredictorTests.makePredictor(.ae28, blur: blur),
        ]
        #expect(predictors.map(\.objective.name) == ["fcdd", "hsc", "ae"])
        for predictor in predictors {
            let evaluation = try predictor.evaluate(subset, batchSize: 16)
            let direct = try predictor.predict(images)
            // Equal up to rounding: the fully connected layers of the baselines sum in another
            // order for another batch size.
            let close = { (a: [Float], b: [Float]) in a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(abs($1), 1e-3) } }
            #expect(close(evaluation.scores, direct.map(\.score)))
            #expect(close(evaluation.heatmaps.scalars, Tensor.stack(direct.map(\.heatmap)).scalars))
            #expect(evaluation.labels == subset.labels && evaluation.heatmaps.shape == [40, 28, 28])
            #expect(evaluation.imageAUROC == (try ROC.areaUnderCurve(scores: evaluation.scores, labels: subset.labels)))
            #expect(evaluation.metrics.keys.sorted() == ["image_auroc"])
        }
    }

    @Test("pixel metrics of a baseline at each mask's own size")
    func baselinePixelMetrics() throws {
        var random = SeededGenerator(seed: 12)
        var samples: [DatasetSample] = []
        for (index, (height, width)) in [(28, 28), (40, 30), (28, 56)].enumerated() {
            let image = Tensor(shape: [1, height, width], scalars: (0..<(height * width)).map { _ in random.nextUnitFloat() })
            let mask = Tensor(shape: [1, height, width], scalars: (0..<(height * width)).map { $0 % width < width / 2 && index > 0 ? 1 : 0 })
            samples.append(DatasetSample(image: image, label: index == 0 ? 0 : 1, mask: mask, name: "s\(index)"))
        }
        let predictor = try BaselinePredictorTests.makePredictor(.ae28, preprocessing: .identity)
        let evaluation = try predictor.evaluate(InMemoryImages(samples: samples), batchSize: 2)
        let pixelAUROC = try #require(evaluation.pixelAUROC)
        #expect(pixelAUROC >= 0 && pixelAUROC <= 1 && evaluation.pixelAUPRO != nil)
        #expect(evaluation.metrics.keys.sorted() == ["image_auroc", "pixel_aupro", "pixel_auroc"])
    }
}
