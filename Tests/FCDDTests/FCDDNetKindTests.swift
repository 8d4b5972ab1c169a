import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

@Suite("FCDD net kinds")
struct FCDDNetKindTests {
    @Test("official names and designed input sizes")
    func names() {
        #expect(FCDDNetKind(rawValue: "FCDD_CNN28_W") == .cnn28Wide)
        #expect(FCDDNetKind.allCases.map(\.designedInputSize) == [28, 28, 32, 32, 32, 224, 224, 224])
        #expect(FCDDNetKind.cnn224VGGFrozen.frozenModuleIndices == 0..<15)
        #expect(FCDDNetKind.cnn224VGG.frozenModuleIndices.isEmpty)
    }
}

@Suite("FCDD receptive fields")
struct FCDDReceptiveFieldTests {
    @Test("every net's receptive field, jump, shift and output size are the official code's", arguments: FCDDNetKind.allCases)
    func geometry(_ kind: FCDDNetKind) throws {
        let expected: [FCDDNetKind: (r: Int, j: Int, s: Double, n: Int)] = [
            .cnn28: (16, 4, 1.5, 7), .cnn28Wide: (16, 4, 1.5, 7), .cnn32: (32, 4, 1.5, 8), .cnn32Small: (18, 4, 1.5, 8),
            .cnn32LW3K: (22, 4, 1.5, 8), .cnn224VGG: (62, 8, 3.5, 28), .cnn224VGGFrozen: (62, 8, 3.5, 28),
            .cnn224VGGNoPretraining: (62, 8, 3.5, 28),
        ]
        let want = try #require(expected[kind])
        var generator = SeededGenerator(seed: 0)
        let net = kind.makeNet(inputChannels: 3, using: &generator)
        let size = kind.designedInputSize
        let geometry = try net.spatialGeometry(forInput: Size2D(size, size))
        #expect(geometry.field == ReceptiveField(size: Size2D(want.r, want.r), jump: Size2D(want.j, want.j), shift: .init(want.s, want.s)))
        #expect(try kind.receptiveField == geometry.field)
        #expect(geometry.size == Size2D(want.n, want.n))
        #expect(try net.spatialGeometry(forInput: Size2D(size, size + 8)).size == Size2D(want.n, want.n + 8 / want.j), "non-square inputs")
    }
}

@Suite("FCDD VGG backbone loading")
struct FCDDBackboneTests {
    @Test("the backbone loads from a features-only safetensors file; conv_final and frozen flags stay")
    func loadsBackbone() throws {
        var generator = SeededGenerator(seed: 1)
        let source = FCDDNetKind.cnn224VGG.makeNet(inputChannels: 3, using: &generator)
        let target = FCDDCNN224VGG(.cnn224VGGFrozen, inputChannels: 3, using: &generator)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backbone-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        var features = source.stateDict().filter { $0.key.hasPrefix("features.") }
        features["features.21.weight"] = Tensor(1)  // as the converter's --all-features adds
        try SafeTensors(tensors: features, metadata: ["source": "test"]).write(to: url)
        let finalBefore = target.stateDict()["conv_final.weight"]!.scalars
        let report = try target.loadBackbone(from: url)
        #expect(report.missingKeys == ["conv_final.bias", "conv_final.weight"])
        let state = target.stateDict()
        for (name, tensor) in source.stateDict() where name.hasPrefix("features.") {
            #expect(state[name]?.scalars == tensor.scalars, "\(name)")
        }
        #expect(state["conv_final.weight"]!.scalars == finalBefore)
        #expect(target.trainableParameters.allSatisfy { !$0.name.hasPrefix("features.0.") })

        try SafeTensors(tensors: features.filter { $0.key != "features.0.weight" }).write(to: url)
        #expect(throws: CheckpointError.self) { try target.loadBackbone(from: url) }
    }
}
