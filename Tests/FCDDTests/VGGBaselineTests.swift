import FCDD
import Foundation
import NN
import TensorCore
import Testing

// The VGG baselines (CNN224_VGG*, AE224_VGG*): torchvision's vgg11_bn names and
// initialisation, frozen features for the _F nets, output shapes, and ImageNet weights
// loaded from a converter-style file. They hold 130–230 million parameters, so these run
// only with FCDD_LARGE_NET_TESTS=1 (CI sets it).

@Suite("VGG baselines", .enabled(if: BaselineNetKind.largeNetTests), .serialized)
struct VGGBaselineTests {
    /// torchvision's `vgg11_bn` state-dict names: all 29 feature modules and the classifier's
    /// linear layers at `classifierIndices`.
    static func torchvisionNames(classifierIndices: [Int]) -> Set<String> {
        var names: Set<String> = []
        for index in [0, 4, 8, 11, 15, 18, 22, 25] {
            names.formUnion(["features.\(index).weight", "features.\(index).bias"])
            names.formUnion(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"].map { "features.\(index + 1).\($0)" })
        }
        for index in classifierIndices { names.formUnion(["classifier.\(index).weight", "classifier.\(index).bias"]) }
        return names
    }

    @Test("HSC nets: torchvision's names, eps 1e-5 and initialisation; the _F net freezes features 0–14; 4096 or 1000 features")
    func hscNets() throws {
        var generator = SeededGenerator(seed: 5)
        let frozen = BaselineNetKind.cnn224VGGFrozen.makeNet(inputChannels: 3, using: &generator)
        #expect(Set(frozen.stateDict().keys) == Set(Self.torchvisionNames(classifierIndices: [0, 3]).map { "vgg." + $0 }))
        let trainable = Set(frozen.trainableParameters.map(\.name))
        for (name, _) in frozen.namedParameters {
            let index = Int(name.split(separator: ".")[2]) ?? 99
            #expect(trainable.contains(name) == !(name.hasPrefix("vgg.features.") && index < 15), "\(name)")
        }
        for (name, module) in frozen.namedModules {
            if let norm = module as? BatchNorm { #expect(norm.epsilon == 1e-5, "\(name)") }
        }
        // torchvision's initialisation: kaiming-normal (fan-out) convolutions, N(0, 0.01²)
        // linear weights, zero biases.
        let state = frozen.stateDict()
        func deviation(_ name: String) throws -> Double {
            let values = try #require(state[name]).scalars.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        }
        #expect(abs(try deviation("vgg.features.0.weight") - (2.0 / (64 * 9)).squareRoot()) < 0.05 * (2.0 / (64 * 9)).squareRoot())
        #expect(abs(try deviation("vgg.classifier.0.weight") - 0.01) < 1e-4)
        #expect(state["vgg.features.0.bias"]!.scalars.allSatisfy { $0 == 0 } && state["vgg.classifier.0.bias"]!.scalars.allSatisfy { $0 == 0 })
        frozen.eval()
        #expect(frozen(Tensor.zeros(shape: [1, 3, 224, 224])).shape == [1, 4096])

        let classes = BaselineNetKind.cnn224VGGNoPretraining1000.makeNet(inputChannels: 3, using: &generator)
        #expect(Set(classes.stateDict().keys) == Set(Self.torchvisionNames(classifierIndices: [0, 3, 6]).map { "vgg." + $0 }))
        #expect(classes.trainableParameters.count == classes.namedParameters.count)
        #expect(classes.outputShape(batchSize: 3) == [3, 1000])
    }

    @Test("AE224_VGG_F: the frozen VGG encoder, a decoder to 224×224 with the input's channels")
    func autoencoder() throws {
        var generator = SeededGenerator(seed: 6)
        let net = BaselineNetKind.ae224VGGFrozen.makeNet(inputChannels: 3, using: &generator)
        let names = Set(net.stateDict().keys)
        #expect(names.isSuperset(of: Self.torchvisionNames(classifierIndices: [0, 3]).map { "encoder.vgg." + $0 }))
        #expect(names.contains("declassifier.0.weight") && names.contains("declassifier.1.running_var") && names.contains("defeatures.26.bias"))
        #expect(net.stateDict()["declassifier.0.weight"]?.shape == [25088, 4096])
        #expect(net.stateDict()["defeatures.26.weight"]?.shape == [64, 3, 3, 3])
        #expect(!net.trainableParameters.contains { $0.name.hasPrefix("encoder.vgg.features.14") || $0.name.hasPrefix("encoder.vgg.features.0.") })
        #expect(net.trainableParameters.contains { $0.name.hasPrefix("encoder.vgg.features.15.") })
        // Training mode (batch statistics need two samples) reconstructs the input's shape.
        net.train()
        #expect(net(Tensor.zeros(shape: [2, 3, 224, 224])).shape == [2, 3, 224, 224])
    }

    @Test("ImageNet weights load into vgg. and encoder.vgg.; a features-only file names the missing classifier")
    func backbone() throws {
        var generator = SeededGenerator(seed: 7)
        let source = BaselineNetKind.cnn224VGG.makeNet(inputChannels: 3, using: &generator)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vgg-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        // The converter's names: torchvision's, without the `vgg.` prefix.
        var file: [String: Tensor] = [:]
        for (name, tensor) in source.stateDict() { file[String(name.dropFirst(4))] = tensor }
        try SafeTensors(tensors: file, metadata: ["source": "test"]).write(to: url)

        let hsc = BaselineNetKind.cnn224VGGFrozen.makeNet(inputChannels: 3, using: &generator)
        let report = try hsc.loadBackbone(from: url)
        #expect(report.missingKeys.isEmpty && report.loadedCount == file.count)
        let loaded = hsc.stateDict()
        for (name, tensor) in source.stateDict() { #expect(loaded[name]?.scalars == tensor.scalars, "\(name)") }
        #expect(!hsc.trainableParameters.contains { $0.name.hasPrefix("vgg.features.0.") })

        let autoencoder = BaselineNetKind.ae224VGG.makeNet(inputChannels: 3, using: &generator)
        let decoderBefore = autoencoder.stateDict()["declassifier.0.weight"]!.scalars
        try autoencoder.loadBackbone(from: url)
        let state = autoencoder.stateDict()
        #expect(state["encoder.vgg.classifier.0.weight"]?.scalars == file["classifier.0.weight"]?.scalars)
        #expect(state["declassifier.0.weight"]?.scalars == decoderBefore)

        try SafeTensors(tensors: file.filter { !$0.key.hasPrefix("classifier.") }).write(to: url)
        #expect {
            try hsc.loadBackbone(from: url)
        } throws: { error in
            guard case let .stateDict(_, mismatch)? = error as? CheckpointError else { return false }
            return mismatch.report.missingKeys == [
                "vgg.classifier.0.bias", "vgg.classifier.0.weight",
                "vgg.classifier.3.bias", "vgg.classifier.3.weight",
            ]
        }
        let small = BaselineNetKind.cnn224.makeNet(inputChannels: 3, using: &generator)
        #expect(throws: CheckpointError.self) { try small.loadBackbone(from: url) }
    }
}
