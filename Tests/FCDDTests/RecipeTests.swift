import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

// The paper's set-ups as library values: what `Recipe.paper` chooses for each data set and
// objective, the training transform it builds, its errors, and a short run end to end.

@Suite("Recipes")
struct RecipeTests {
    static func bundled(normalClass: Int = 0) throws -> OneClassData {
        try OneClassData.load(.fashionMNIST(directory: nil, normalClass: normalClass))
    }

    @Test("outlier exposure from a folder of colour images of any size: they replace samples as grey 28×28 anomalies")
    func outlierExposureFromAFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("oe-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("textures"), withIntermediateDirectories: true)
        for (index, (width, height)) in [(40, 30), (17, 64), (100, 100)].enumerated() {
            let pixels = (0..<(width * height * 3)).map { Float(($0 * 31 + index * 7) % 97) / 96 }
            try Image(width: width, height: height, channels: 3, pixels: pixels).writePNG(to: folder.appendingPathComponent("textures/\(index).png"))
        }
        let data = try Self.bundled()
        var recipe = try Recipe.paper(for: data)
        recipe.anomalies = .outlierExposure(try ImageFileDataset(folders: [folder], channels: .grey), limit: nil)
        let transform = try recipe.trainingTransform(for: data)
        var anomalies = 0
        for seed in 0..<40 {
            let sample = try transform.apply(data.train.sample(at: seed % data.train.count), seed: UInt64(seed))
            #expect(sample.image.shape == [1, 28, 28])
            anomalies += sample.label
        }
        // Half the samples on average are replaced (probability ½); 40 draws give some of each.
        #expect(anomalies > 5 && anomalies < 35, "\(anomalies) of 40")
    }

    @Test("Fashion-MNIST: FCDD_CNN28_W, grey 28×28, blob noise, crop and flip, the class's LCN constants, SGD, σ 1.2")
    func fashionMNIST() throws {
        let data = try Self.bundled(normalClass: 3)
        #expect(data.normalClassName == "Dress" && data.train.labels.allSatisfy { $0 == 0 } && Set(data.test.labels) == [0, 1])
        let recipe = try Recipe.paper(for: data)
        #expect(recipe.net == .cnn28Wide && recipe.inputSize == 28 && recipe.channels == 1 && recipe.preResize == nil)
        #expect(recipe.preprocessing == .fashionMNIST(normalClass: 3) && recipe.sigma == 1.2 && recipe.displayQuantile == 0.85)
        #expect(
            recipe.training.optimizer == .sgd && recipe.training.learningRate == 1e-2 && recipe.training.epochs == 40,
            "the bundled sample trains 40 epochs")
        guard case .synthetic(.blob, .noiseImage) = recipe.anomalies else {
            Issue.record("expected blob noise, found \(recipe.anomalies)")
            return
        }
        #expect(recipe.augmentation.map { "\(type(of: $0))" } == ["RandomCrop", "RandomHorizontalFlip"])
        #expect(try recipe.netName == "FCDD_CNN28_W" && recipe.baselineNet == nil)
        #expect(try recipe.makeObjective() as? FCDDObjective == FCDDObjective(sigma: 1.2))

        // The baselines: the paired nets, and the autoencoder without anomalies.
        let hsc = try Recipe.paper(for: data, objective: .hsc)
        #expect(try hsc.baselineNet == .cnn28Wide && hsc.makeNet() is HSCCNN28)
        let autoencoder = try Recipe.paper(for: data, objective: .ae)
        #expect(try autoencoder.baselineNet == .ae28)
        guard case .none = autoencoder.anomalies else {
            Issue.record("the autoencoder trains on nominal images only, found \(autoencoder.anomalies)")
            return
        }
        let blur = try #require((try autoencoder.makeObjective() as? AutoencoderObjective)?.blur)
        #expect(blur == (try GaussianBlur.reference(pairedWith: .cnn28Wide, sigma: 1.2)))
    }

    @Test("the official code's heatmap presets per benchmark")
    func heatmapPresets() {
        #expect(FCDDHeatmapPreset.allCases.map(\.gaussianSigma) == [1.2, 1.2, 8, 12, 8, 10])
        #expect(FCDDHeatmapPreset.allCases.map(\.displayQuantile) == [0.85, 0.85, 0.97, 0.99, 0.99, 0.97])
        #expect(HeatmapNormalization.semiGlobal(for: .mvtec) == .semiGlobal(quantile: 0.99))
    }

    @Test("the training transform: anomalies, augmentation, then the preprocessing; none for the autoencoder")
    func trainingTransform() throws {
        let data = try Self.bundled()
        var recipe = try Recipe.paper(for: data)
        recipe.augmentation = []
        recipe.anomalies = .synthetic(.solid, .noiseImage)
        let transform = try #require(try recipe.trainingTransform(for: data) as? Compose)
        #expect(transform.transforms.map { "\(type(of: $0))" } == ["AnomalyInjection", "Compose"])
        // Half the samples become anomalies: with the identity augmentation, the labelled
        // anomalies are exactly those the injection drew.
        let loader = try DataLoader(dataset: data.train, batchSize: 100, transform: transform, seed: 1)
        let labels = try #require(try loader.epoch(0).next()).labels
        #expect((30...70).contains(labels.count { $0 == 1 }), "\(labels.count { $0 == 1 }) anomalies of 100")

        recipe.objective = .ae
        let nominalOnly = try #require(try recipe.trainingTransform(for: data) as? Compose)
        #expect(nominalOnly.transforms.map { "\(type(of: $0))" } == ["Compose"])
        recipe.objective = .fcdd
        recipe.anomalies = .realAnomalies
        #expect(throws: RecipeError.noRealAnomalies(data: data.description)) { try recipe.trainingTransform(for: data) }
    }

    @Test("nets without baselines, inputs a net cannot take and backbones for other nets are clear errors")
    func errors() throws {
        let data = try Self.bundled()
        var recipe = try Recipe.paper(for: data, objective: .hsc, net: .cnn32)
        #expect(throws: RecipeError.self) { try recipe.makeNet() }
        recipe.net = .cnn32LW3K
        #expect(throws: RecipeError.inputSize(net: "CNN32_LW3K", expected: "32×32 images", found: 28)) { try recipe.makeNet() }
        recipe.objective = .fcdd
        recipe.inputSize = 3
        #expect(throws: RecipeError.self) { try recipe.makeNet() }
        recipe.inputSize = 28
        recipe.backbone = URL(fileURLWithPath: "/nonexistent.safetensors")
        #expect(throws: RecipeError.backbone(net: "FCDD_CNN32_LW3K", channels: 1)) { try recipe.makeNet() }
        recipe.backbone = nil
        recipe.channels = 0
        #expect(throws: RecipeError.invalidValue(field: "channels", expected: "in 1...4096", found: "0")) { try recipe.makeNet() }
        #expect(RecipeError.invalidValue(field: "channels", expected: "in 1...4096", found: "0").description == "channels must be in 1...4096, found 0")
        #expect(throws: DatasetError.self) { try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 10)) }
    }

    @Test("training images that the transforms do not bring to the net's input shape are refused before training")
    func trainingImageShape() throws {
        let data = try Self.bundled()
        var recipe = try Recipe.paper(for: data)
        recipe.channels = 3
        #expect {
            try recipe.prepare(on: data)
        } throws: { error in
            guard case let .trainingImageShape(_, expected, found)? = error as? RecipeError else { return false }
            return expected == [3, 28, 28] && found == [1, 28, 28]
        }
        recipe.channels = 1
        recipe.inputSize = 32
        recipe.net = .cnn32
        let firstName = try data.train.sample(at: 0).name
        #expect(throws: RecipeError.trainingImageShape(sample: firstName, expected: [1, 32, 32], found: [1, 28, 28])) {
            try recipe.prepare(on: data)
        }
    }

    @Test("a short run trains, evaluates and calibrates; the same seed repeats it exactly")
    func run() throws {
        var data = try Self.bundled()
        func first(_ count: Int, of dataset: some ImageDataset) throws -> any ImageDataset {
            try DatasetSubset(dataset, indices: Array(0..<count))
        }
        data.train = try first(60, of: data.train)
        data.test = try first(100, of: data.test)
        var recipe = try Recipe.paper(for: data)
        recipe.net = .cnn28
        recipe.training.epochs = 2
        recipe.training.batchSize = 20
        var epochs: [Int] = []
        let outcome = try recipe.run(
            on: data, options: RecipeRunOptions(thresholdQuantile: 0.9, pixelThresholdQuantile: 0.98),
            callbacks: TrainingCallbacks(afterEpoch: { record in
                epochs.append(record.epoch)
                return .proceed
            }))
        #expect(epochs == [0, 1] && outcome.history.count == 2 && outcome.netName == "FCDD_CNN28")
        #expect(outcome.evaluation.scores.count == 100 && outcome.evaluation.imageAUROC != nil)
        let threshold = try #require(outcome.predictor.threshold)
        let train = try outcome.predictor.evaluate(data.train)
        #expect(try threshold == ThresholdCalibration.quantile(nominalScores: train.scores, quantile: 0.9))
        // The heatmap calibration comes from the same nominal training images.
        #expect(try outcome.predictor.heatmapCalibration == HeatmapCalibration(nominalHeatmaps: train.heatmaps, pixelQuantile: 0.98))
        #expect(outcome.detectionRate == outcome.evaluation.rates(threshold: threshold).detection)

        let again = try recipe.run(on: data, options: RecipeRunOptions(thresholdQuantile: 0.9))
        #expect(again.evaluation.scores == outcome.evaluation.scores)
    }
}

/// The bundled sample with some samples that cannot be read (or none at all).
private struct FlawedImages: ImageDataset {
    let base: any ImageDataset
    let broken: Set<Int>
    var count: Int { base.count }
    var classNames: [String] { base.classNames }
    var labels: [Int] { base.labels }
    func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard !broken.contains(index) else {
            throw .corruptImage(file: "image\(index).png", format: "PNG", reason: "test damage")
        }
        return try base.sample(at: index)
    }
}

@Suite("Data checks before training")
struct RecipeDataCheckTests {
    @Test("every unreadable sample of the training or test set is found before the net trains, listed in index order")
    func unreadableSamples() throws {
        let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 0))
        let recipe = try Recipe.paper(for: data)
        var flawed = data
        flawed.test = FlawedImages(base: data.test, broken: [40, 3, 17])
        #expect {
            _ = try recipe.prepare(on: flawed)
        } throws: { error in
            guard case let .unreadableSamples(dataset, failures, total)? = error as? DatasetError else { return false }
            return dataset == "the test set of \(data.description)" && total == 3
                && failures.map(\.description).map { $0.contains("image3.png") || $0.contains("image17.png") || $0.contains("image40.png") } == [
                    true, true, true,
                ]
                && failures.first?.description.contains("image3.png") == true
        }
        // At most `limit` are listed; the total is counted.
        let many = FlawedImages(base: data.train, broken: Set(0..<25))
        #expect {
            try many.checkEverySample(name: "the set", workers: 3, listingAtMost: 4)
        } throws: { error in
            guard case let .unreadableSamples(_, failures, total)? = error as? DatasetError else { return false }
            return total == 25 && failures.count == 4 && "\(error)".contains("… and 21 more")
                && failures.first?.description.contains("image0.png") == true
        }
        // The check can be turned off for data sets too large to read twice.
        #expect(throws: Never.self) { _ = try recipe.prepare(on: flawed, options: RecipeRunOptions(checksEverySample: false)) }
        try data.train.checkEverySample(name: "the training set", workers: 2)
    }

    @Test("an empty training or test set is an error before anything else runs")
    func emptySets() throws {
        let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 0))
        let recipe = try Recipe.paper(for: data)
        var empty = data
        empty.test = FlawedImages(base: try DatasetSubset(FashionMNIST.bundledSample(split: .test), indices: []), broken: [])
        #expect(throws: RecipeError.invalidValue(field: "the test set of \(data.description)", expected: "at least one image", found: "none")) {
            _ = try recipe.prepare(on: empty)
        }
    }
}
