import Datasets
import FCDD
import Foundation
import NN
import TensorCore
import Testing

@Suite("FCDD predictor")
struct FCDDPredictorTests {
    static func makePredictor(threshold: Float? = nil) throws -> AnomalyPredictor {
        var generator = SeededGenerator(seed: 3)
        let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
        return AnomalyPredictor(
            net: net, objective: FCDDObjective(sigma: 1.2), preprocessing: .fashionMNIST(normalClass: 0),
            inputSize: 28, inputChannels: 1, threshold: threshold)
    }

    @Test("predictions: scores, maps and full-size heatmaps; a saved model predicts the same after loading")
    func roundTrip() throws {
        let images = try FashionMNIST.bundledSample(split: .test).images.slice(alongAxis: 0, 0..<4)
        let predictor = try Self.makePredictor(threshold: 0)
        let predictions = try predictor.predict(images)
        #expect(predictions.count == 4)
        #expect(predictions.allSatisfy { $0.map.shape == [7, 7] && $0.heatmap.shape == [28, 28] && $0.isAnomalous == ($0.score > 0) })
        // The score is the mean of the low-resolution map.
        #expect(predictions.allSatisfy { abs($0.map.scalars.reduce(0, +) / 49 - $0.score) < 1e-5 })

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("predictor-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url)
        let loaded = try AnomalyPredictor(contentsOf: url)
        #expect(loaded.preprocessing == .fashionMNIST(normalClass: 0) && loaded.threshold == 0)
        #expect(loaded.objective as? FCDDObjective == FCDDObjective(sigma: 1.2))
        #expect((loaded.net as? any FCDDReferenceNet)?.kind == .cnn28)
        #expect(try loaded.predict(images).map(\.score) == predictions.map(\.score))
    }

    @Test("images of another size or channel count are converted and resized")
    func anyImage() throws {
        let predictor = try Self.makePredictor()
        let pixels = (0..<(40 * 30 * 3)).map { Float($0 % 255) / 255 }
        let prediction = try predictor.predict(image: try Image(width: 30, height: 40, channels: 3, pixels: pixels))
        #expect(prediction.heatmap.shape == [28, 28] && prediction.isAnomalous == nil && prediction.score.isFinite)
        // Images are input: a batch of another shape is a typed error, not a stop.
        #expect(throws: TensorError.shapeMismatch(op: "AnomalyPredictor.predict", expected: "images [N, 1, 28, 28]", found: [[1, 3, 28, 28]])) {
            try predictor.predict(Tensor.zeros(shape: [1, 3, 28, 28]))
        }
        #expect(throws: TensorError.self) { try predictor.predict(Tensor.zeros(shape: [1, 28, 28])) }
        #expect(throws: TensorError.self) { try predictor.predict(Tensor.zeros(shape: [0, 1, 28, 28])) }
    }

    @Test("a model of more channels than an image can hold refuses to convert an image instead of stopping (fuzzing finding)")
    func channelsNoImageHolds() throws {
        // Found by Fuzzing (FuzzModelFile, Fuzzing/Corpus/model/five-channels.safetensors): model
        // files may name up to 4096 input channels, Image.converted(toChannels:) takes 1...4.
        var generator = SeededGenerator(seed: 1)
        let net = FCDDNetKind.cnn28.makeNet(inputChannels: 5, using: &generator)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("predictor-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try AnomalyPredictor(net: net, objective: FCDDObjective(sigma: 1), preprocessing: .identity, inputSize: 28, inputChannels: 5)
            .save(to: url)
        let loaded = try AnomalyPredictor(contentsOf: url)
        #expect(loaded.inputChannels == 5)
        let image = try Image(width: 28, height: 28, channels: 3, pixels: [Float](repeating: 0.5, count: 28 * 28 * 3))
        #expect {
            try loaded.predict(image: image)
        } throws: { error in
            guard case let .invalidArgument(op, message)? = error as? TensorError else { return false }
            return op == "AnomalyPredictor.predict(image:)" && message.contains("found 5 channels")
        }
        // A batch of the model's own channel count still predicts.
        #expect(try loaded.predict(Tensor.zeros(shape: [1, 5, 28, 28])).count == 1)
    }

    @Test("a model file whose net hyperparameters name other input channels than the file is refused (fuzzing finding)")
    func channelCountsDisagree() throws {
        // Found by Fuzzing (FuzzModelFile, 120 s): net_hyperparameters input_channels 5 built a
        // net for 5 channels, input_channels 2 fed it 2, and the first convolution stopped.
        var registry = ModelRegistry.standard
        registry.nets.register("FuzzTiny") { architecture in  // the fuzz target's one-layer net
            var generator = SeededGenerator(seed: 0)
            return Sequential([Conv2d(try architecture.integer("input_channels", in: 1...4096), 1, kernelSize: 1, using: &generator)])
        }
        let url = try #require(
            Bundle.module.url(
                forResource: "model-channels-disagree", withExtension: "safetensors", subdirectory: "Fixtures/fuzzing"))
        #expect {
            try AnomalyPredictor(contentsOf: url, registry: registry)
        } throws: { error in
            guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return false }
            return reason == "expected net_hyperparameters input_channels equal to input_channels (2), found \"5\""
        }
        // The same disagreement in a file of a standard net.
        var generator = SeededGenerator(seed: 1)
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("predictor-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: saved) }
        try AnomalyPredictor(
            net: FCDDNetKind.cnn28.makeNet(inputChannels: 3, using: &generator), objective: FCDDObjective(sigma: 1),
            preprocessing: .identity, inputSize: 28, inputChannels: 3
        ).save(to: saved)
        var file = try SafeTensors(contentsOf: saved)
        file.metadata["input_channels"] = "1"
        try file.write(to: saved)
        #expect(throws: CheckpointError.self) { try AnomalyPredictor(contentsOf: saved) }
    }

    @Test("a file that is not an FCDD model, or weights of another net, are refused")
    func refusesOtherFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("predictor-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        var generator = SeededGenerator(seed: 1)
        let net = FCDDNetKind.cnn28Wide.makeNet(inputChannels: 1, using: &generator)
        try net.save(to: url)
        #expect(throws: CheckpointError.self) { try AnomalyPredictor(contentsOf: url) }
        try Self.makePredictor().save(to: url)
        var file = try SafeTensors(contentsOf: url)
        file.metadata["net"] = "FCDD_CNN28_W"  // weights of FCDD_CNN28 claimed to be FCDD_CNN28_W
        try file.write(to: url)
        #expect {
            try AnomalyPredictor(contentsOf: url)
        } throws: { error in
            guard case .stateDict? = error as? CheckpointError else { return false }
            return true
        }
    }
}
