import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

@Suite("Baseline predictor")
struct BaselinePredictorTests {
    /// An untrained baseline on grey 28×28 images with the Fashion-MNIST preprocessing.
    static func makePredictor(
        _ kind: BaselineNetKind, preprocessing: ModelPreprocessing = .fashionMNIST(normalClass: 0),
        blur: GaussianBlur? = nil, threshold: Float? = nil
    ) throws -> AnomalyPredictor {
        var generator = SeededGenerator(seed: 7)
        let objective: any AnomalyObjective = kind.isAutoencoder ? AutoencoderObjective(blur: blur) : HSCObjective(blur: blur)
        return AnomalyPredictor(
            net: kind.makeNet(inputChannels: 1, using: &generator), objective: objective, preprocessing: preprocessing,
            inputSize: 28, inputChannels: 1, threshold: threshold)
    }

    static func testImages(_ count: Int) throws -> Tensor {
        try FashionMNIST.bundledSample(split: .test).images.slice(alongAxis: 0, 0..<count)
    }

    @Test("HSC heatmap: |∂h/∂x| of each pixel, as central finite differences of the score estimate it")
    func hscHeatmapIsInputGradient() throws {
        let predictor = try Self.makePredictor(.cnn28, preprocessing: .identity)
        let image = try Self.testImages(1)
        let prediction = try predictor.predict(image)[0]
        #expect(prediction.map.shape == [28, 28] && prediction.heatmap.scalars == prediction.map.scalars)
        let score = { (x: Tensor) throws -> Double in
            Double(try withoutGradients { () throws -> Float in HSCLoss.scores(predictor.net(x)).scalars[0] })
        }
        #expect(abs(Double(prediction.score) - (try score(image))) < 1e-6)
        let values = image.scalars
        let map = prediction.map.scalars
        // The pixels of largest gradient, and some in the middle.
        let strongest = map.indices.sorted { map[$0] > map[$1] }.prefix(4)
        let epsilon: Float = 1e-3
        for pixel in Array(strongest) + [14 * 28 + 14, 10 * 28 + 17] {
            var plus = values, minus = values
            plus[pixel] += epsilon
            minus[pixel] -= epsilon
            let estimate =
                abs(try score(Tensor(shape: image.shape, scalars: plus)) - score(Tensor(shape: image.shape, scalars: minus)))
                / (2 * Double(epsilon))
            let gradient = Double(map[pixel])
            #expect(abs(estimate - gradient) <= 0.03 * gradient + 2e-4, "pixel \(pixel): finite difference \(estimate), heatmap \(gradient)")
        }
    }

    @Test("integrated gradients: heatmaps from the pre-processed black image, saved with the model; bad names are refused")
    func integratedGradients() throws {
        let images = try Self.testImages(3)
        let plain = try Self.makePredictor(.cnn28)
        let method = GradientMethod.integratedGradients(steps: 6)
        let predictor = AnomalyPredictor(
            net: plain.net, objective: HSCObjective(gradientMethod: method), preprocessing: plain.preprocessing,
            inputSize: 28, inputChannels: 1)
        let predictions = try predictor.predict(images)
        #expect(predictions.map(\.score) == (try plain.predict(images)).map(\.score))

        // The same as GradientExplanation on the pre-processed images, from the pre-processed black image.
        let transform = try plain.preprocessing.transform()
        func prepared(_ batch: Tensor) throws -> Tensor {
            try Tensor.stack(
                (0..<batch.shape[0]).map { index in
                    let image = batch.slice(alongAxis: 0, index..<(index + 1)).squeezed(axis: 0)
                    return try transform.apply(DatasetSample(image: image, label: 0, name: "\(index)"), seed: 0).image
                })
        }
        let expected = try GradientExplanation.heatmaps(
            inputs: prepared(images), method: method, baseline: prepared(Tensor.zeros(shape: images.shape))
        ) { HSCLoss.scores(plain.net($0)) }
        for (index, prediction) in predictions.enumerated() {
            #expect(prediction.map.scalars == (expected.slice(alongAxis: 0, index..<(index + 1)).scalars))
        }
        #expect(predictions.map(\.map.scalars) != (try plain.predict(images)).map(\.map.scalars))

        let url = BaselineTrainerTests.temporaryURL("baseline-ig")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url)
        let loaded = try AnomalyPredictor(contentsOf: url)
        #expect((loaded.objective as? HSCObjective)?.gradientMethod == method)
        #expect(try loaded.predict(images).map(\.map.scalars) == predictions.map(\.map.scalars))
        var file = try SafeTensors(contentsOf: url)
        file.metadata["gradient_method"] = "smoothgrad"
        try file.write(to: url)
        #expect {
            try AnomalyPredictor(contentsOf: url)
        } throws: { error in
            guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return false }
            return reason.contains("smoothgrad")
        }
        // Files written before the option existed hold the plain gradient.
        file.metadata["gradient_method"] = nil
        try file.write(to: url)
        #expect((try AnomalyPredictor(contentsOf: url).objective as? HSCObjective)?.gradientMethod == .gradient)
    }

    @Test("blurred heatmaps: the paired FCDD net's receptive field made odd; AE maps are the squared error per pixel")
    func blurAndAutoencoderMaps() throws {
        let blur = try GaussianBlur.reference(pairedWith: .cnn28, sigma: 1.2)
        var generator = SeededGenerator(seed: 0)
        let receptiveField = try FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator).spatialGeometry(forInput: 28).field.size.height
        #expect(blur == (try GaussianBlur.reference(receptiveFieldSize: receptiveField, sigma: 1.2)))
        #expect(blur.kernelSize % 2 == 1 && blur.kernelSize >= receptiveField - 1 && blur.sigma == 1.2)

        let images = try Self.testImages(3)
        for kind in [BaselineNetKind.cnn28, .ae28] {
            let predictions = try Self.makePredictor(kind, blur: blur).predict(images)
            #expect(predictions.count == 3)
            for prediction in predictions {
                let blurred = try blur.apply(prediction.map.reshaped(to: [1, 28, 28])).reshaped(to: [28, 28])
                #expect(prediction.heatmap.shape == [28, 28] && prediction.heatmap.scalars == blurred.scalars)
            }
        }
        // AE: the score is the mean squared error, the map its per-pixel value (one channel).
        let predictor = try Self.makePredictor(.ae28, preprocessing: .identity)
        let reconstruction = try withoutGradients { () throws in predictor.net(images) }
        let errors = AutoencoderLoss.errorMaps(reconstruction: reconstruction, inputs: images)
        for (index, prediction) in try predictor.predict(images).enumerated() {
            let expected = errors.slice(alongAxis: 0, index..<(index + 1)).scalars
            #expect(zip(prediction.map.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 })
            #expect(abs(prediction.map.scalars.reduce(0, +) / 784 - prediction.score) < 1e-5)
        }
    }

    @Test("save → load: HSC and AE predict the same, with their preprocessing, blur, threshold and objective")
    func roundTrips() throws {
        let images = try Self.testImages(4)
        let url = BaselineTrainerTests.temporaryURL("baseline-predictor")
        defer { try? FileManager.default.removeItem(at: url) }
        let blur = try GaussianBlur.reference(pairedWith: .cnn28, sigma: 1.2)
        for (kind, blur, threshold) in [(BaselineNetKind.cnn28, blur, Float(0.25)), (.ae28, nil, nil)] as [(BaselineNetKind, GaussianBlur?, Float?)] {
            let predictor = try Self.makePredictor(kind, blur: blur, threshold: threshold)
            let predictions = try predictor.predict(images)
            #expect(predictions.allSatisfy { prediction in prediction.isAnomalous == threshold.map { prediction.score > $0 } })
            try predictor.save(to: url, metadata: ["dataset": "fmnist"])
            #expect(try SafeTensors(contentsOf: url).metadata["objective"] == kind.objective.rawValue)
            let loaded = try AnomalyPredictor(contentsOf: url)
            #expect(loaded.objective.name == kind.objective.rawValue && (loaded.net as? any BaselineNet)?.kind == kind && loaded.threshold == threshold)
            let loadedBlur = (loaded.objective as? HSCObjective)?.blur ?? (loaded.objective as? AutoencoderObjective)?.blur
            #expect(loadedBlur == blur)
            #expect(loaded.preprocessing == .fashionMNIST(normalClass: 0) && loaded.metadata["dataset"] == "fmnist")
            let again = try loaded.predict(images)
            #expect(again.map(\.score) == predictions.map(\.score))
            #expect(again.map(\.heatmap.scalars) == predictions.map(\.heatmap.scalars))
        }
    }

    @Test("model files name the objective and net they need; the registry must know both")
    func registryLookups() throws {
        let hscURL = BaselineTrainerTests.temporaryURL("hsc-model"), fcddURL = BaselineTrainerTests.temporaryURL("fcdd-model")
        defer {
            try? FileManager.default.removeItem(at: hscURL)
            try? FileManager.default.removeItem(at: fcddURL)
        }
        try Self.makePredictor(.cnn28).save(to: hscURL)
        let fcdd = try FCDDPredictorTests.makePredictor()
        try fcdd.save(to: fcddURL)
        #expect(try AnomalyPredictor(contentsOf: hscURL).objective is HSCObjective)
        #expect(try AnomalyPredictor(contentsOf: fcddURL).objective is FCDDObjective)
        #expect(try SafeTensors(contentsOf: fcddURL).metadata["net_hyperparameters"] == "{\"input_channels\":\"1\"}")

        // A file written before objectives and hyperparameters were recorded holds an FCDD model.
        var file = try SafeTensors(contentsOf: fcddURL)
        file.metadata["objective"] = nil
        file.metadata["net_hyperparameters"] = nil
        try file.write(to: fcddURL)
        #expect(try AnomalyPredictor(contentsOf: fcddURL).predict(Self.testImages(2)).map(\.score) == fcdd.predict(Self.testImages(2)).map(\.score))

        func reason(_ load: () throws -> Void) -> String? {
            do {
                try load()
                return nil
            } catch {
                guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return nil }
                return reason
            }
        }
        // An objective or a net the registry does not know is named in the error.
        file.metadata["objective"] = "dsvdd"
        try file.write(to: fcddURL)
        let unknownObjective = try #require(reason { _ = try AnomalyPredictor(contentsOf: fcddURL) })
        #expect(unknownObjective.contains("\"dsvdd\"") && unknownObjective.contains("fcdd, hsc"))
        file.metadata["objective"] = "fcdd"
        file.metadata["net"] = "MyNet"
        try file.write(to: fcddURL)
        let unknownNet = try #require(reason { _ = try AnomalyPredictor(contentsOf: fcddURL) })
        #expect(unknownNet.contains("\"MyNet\"") && unknownNet.contains("FCDD_CNN28"))
        // With the net registered, the file loads.
        var registry = ModelRegistry.standard
        registry.nets.register("MyNet") { architecture in
            var generator = SeededGenerator(seed: 0)
            return try FCDDNetKind.cnn28.makeNet(inputChannels: architecture.integer("input_channels", in: 1...3), using: &generator)
        }
        #expect(
            try AnomalyPredictor(contentsOf: fcddURL, registry: registry).predict(Self.testImages(2)).map(\.score)
                == fcdd.predict(Self.testImages(2)).map(\.score))
        // A hyperparameter out of the constructor's range is named.
        file.metadata["net_hyperparameters"] = "{\"input_channels\":\"7\"}"
        try file.write(to: fcddURL)
        #expect(reason { _ = try AnomalyPredictor(contentsOf: fcddURL, registry: registry) }?.contains("input_channels") == true)
    }

    @Test("implausible sizes, channel counts and thresholds in a model file are errors that name the field, before any net is built")
    func implausibleModelFileFields() throws {
        let url = BaselineTrainerTests.temporaryURL("implausible-model")
        defer { try? FileManager.default.removeItem(at: url) }
        try FCDDPredictorTests.makePredictor().save(to: url)
        let original = try SafeTensors(contentsOf: url)
        let cases: [(key: String, value: String, reason: String)] = [
            ("input_channels", "5000", "expected input_channels in 1...4096, found \"5000\""),
            ("input_channels", "-1", "expected input_channels in 1...4096, found \"-1\""),
            ("input_height", "9223372036854775807", "expected input_height in 1...16384"),
            ("input_width", "0", "expected input_width in 1...16384, found \"0\""),
            ("input_width", "many", "expected input_width in 1...16384, found \"many\""),
            ("threshold", "nan", "expected threshold as a finite number, found \"nan\""),
            ("threshold", "inf", "expected threshold as a finite number, found \"inf\""),
            ("threshold", "high", "expected threshold as a finite number, found \"high\""),
        ]
        for (key, value, expected) in cases {
            var file = original
            file.metadata[key] = value
            try file.write(to: url)
            #expect {
                _ = try AnomalyPredictor(contentsOf: url)
            } throws: { error in
                guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return false }
                return reason.contains(expected)
            }
        }
        var file = original
        file.metadata["threshold"] = "0.25"
        try file.write(to: url)
        #expect(try AnomalyPredictor(contentsOf: url).threshold == 0.25)
    }

    @Test("a file whose net cannot take its input size, or gives what its objective does not read, is refused when loaded")
    func netAndObjectiveMustFit() throws {
        let hscURL = BaselineTrainerTests.temporaryURL("mismatch-hsc"), fcddURL = BaselineTrainerTests.temporaryURL("mismatch-fcdd")
        defer { for url in [hscURL, fcddURL] { try? FileManager.default.removeItem(at: url) } }
        try Self.makePredictor(.cnn28).save(to: hscURL)
        try FCDDPredictorTests.makePredictor().save(to: fcddURL)
        func reason(_ url: URL, _ change: (inout SafeTensors) -> Void) throws -> String? {
            var file = try SafeTensors(contentsOf: url)
            change(&file)
            let changed = url.deletingLastPathComponent().appendingPathComponent("changed-" + url.lastPathComponent)
            defer { try? FileManager.default.removeItem(at: changed) }
            try file.write(to: changed)
            do {
                _ = try AnomalyPredictor(contentsOf: changed)
                return nil
            } catch {
                guard case let .invalidCheckpoint(_, reason) = error else { return "\(error)" }
                return reason
            }
        }
        // The FCDD objective on an HSC net's features (the fuzzer's crash class).
        let fcddOnFeatures = try reason(hscURL) {
            $0.metadata["objective"] = "fcdd"; $0.metadata["sigma"] = "1.2"
        }
        #expect(
            fcddOnFeatures?.contains("the fcdd objective reads a map [N, 1, h, w] from the net, found output [1, ") == true,
            "\(fcddOnFeatures ?? "loaded")")
        // A baseline net at another input size.
        let wrongSize = try reason(hscURL) {
            $0.metadata["input_height"] = "32"; $0.metadata["input_width"] = "32"
        }
        #expect(wrongSize == "CNN28 takes 28×28 images, found an input size of 32×32")
        // A fully convolutional net on inputs too small for its pooling.
        let tooSmall = try reason(fcddURL) {
            $0.metadata["input_height"] = "3"; $0.metadata["input_width"] = "3"
        }
        #expect(tooSmall?.hasPrefix("the net cannot take 3×3 inputs") == true, "\(tooSmall ?? "loaded")")
        // The files as written load.
        #expect(try reason(hscURL) { _ in } == nil && reason(fcddURL) { _ in } == nil)
    }
}
