// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import FCDD
import FixtureSupport
import Foundation
import NN
import TensorCore
import Testing

// The FCDD nets against PyTorch re-implementations of the reference's nets
// (Fixtures/fcdd_nets.json, written by Scripts/make_fcdd_fixtures.py). No weights are
// stored: both sides fill every state-dict entry from the same formula (see
// `FCDDFixtures.formulaState`) and feed the same formula input, so names, shapes, φ in
// training and evaluation mode, the sample-level loss, its gradients and the batch-norm
// statistics can all be compared.

// MARK: - Fixture file

/// One `[name, shape]` entry of a sorted state dict.
struct StateEntry: Decodable, Sendable, Equatable, CustomStringConvertible {
    let name: String
    let shape: [Int]

    init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        name = try container.decode(String.self)
        shape = try container.decode([Int].self)
    }

    var description: String { "\(name) \(shape)" }
}

/// A small net run on a batch of two formula images.
struct NetCase: Decodable, Sendable {
    let name: String
    let net: String
    let in_channels: Int
    let input_shape: [Int]
    let labels: [Int]
    let state: [StateEntry]
    let phi_train: FixtureTensor
    let loss: Double
    let gradients: [String: FixtureTensor]
    let buffers_after: [String: FixtureTensor]
    let phi_eval: FixtureTensor
}

/// The VGG net: names, the 224×224 output shape, and φ of a 64×64 formula image.
struct VGGCase: Decodable, Sendable {
    let net: String
    let in_channels: Int
    let state: [StateEntry]
    let phi_shape_224: [Int]
    let input_shape: [Int]
    let phi_train: FixtureTensor
    let buffers_after: [String: FixtureTensor]
    let phi_eval: FixtureTensor
}

/// The sample-level loss on a given φ.
struct SampleLossCase: Decodable, Sendable {
    let name: String
    let phi: FixtureTensor
    let labels: [Int]
    let loss: Double
    let gradient: FixtureTensor
}

/// The pixel-wise loss on a given upsampled map and masks.
struct PixelLossCase: Decodable, Sendable {
    let name: String
    let map: FixtureTensor
    let masks: FixtureTensor
    let loss: Double
    let gradient: FixtureTensor
}

struct FCDDFixtureFile: Decodable, Sendable {
    let version: Int
    let torch: String
    let torchvision: String
    let nets: [NetCase]
    let vgg: VGGCase
    let sample_losses: [SampleLossCase]
    let pixel_losses: [PixelLossCase]
}

enum FCDDFixtures: SectionedFixtures {
    static let sections = FixtureSections<FCDDFixtureFile>(resource: "fcdd_nets", generator: "Scripts/make_fcdd_fixtures.py", bundle: .module)

    /// The script's fill formula: for the `t`-th name of the sorted state dict and its
    /// element `k`, `s = sin(0.731·k + 0.37·t + 0.001·k²)` in double; conv weights
    /// `s / sqrt(fan_in)`, batch-norm weights `1 + 0.1·s`, biases and running means `0.1·s`,
    /// running variances `1 + 0.5·|s|`, `num_batches_tracked` 0; rounded to float32.
    static func formulaState(for module: any Module) throws -> [String: Tensor] {
        let state = module.stateDict()
        var result: [String: Tensor] = [:]
        for (t, name) in state.keys.sorted().enumerated() {
            let shape = state[name]!.shape
            let count = shape.reduce(1, *)
            let fanIn = Double(shape.dropFirst().reduce(1, *)).squareRoot()
            let isCounter = name.hasSuffix("num_batches_tracked")
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for k in 0..<count {
                    if isCounter {
                        buffer[k] = 0
                        continue
                    }
                    let (kd, td) = (Double(k), Double(t))
                    let s = Foundation.sin(((0.731 * kd) + (0.37 * td)) + (0.001 * (kd * kd)))
                    let value: Double
                    if name.hasSuffix("running_mean") {
                        value = 0.1 * s
                    } else if name.hasSuffix("running_var") {
                        value = 1 + 0.5 * Swift.abs(s)
                    } else if name.hasSuffix("weight") {
                        value = shape.count >= 2 ? s / fanIn : 1 + 0.1 * s
                    } else {
                        value = 0.1 * s  // biases
                    }
                    buffer[k] = Float(value)
                }
                initialized = count
            }
            result[name] = Tensor(shape: shape, scalars: values)
        }
        return result
    }

    /// The script's input: element `i` (row-major) is `sin(0.917·i + 0.5 + 0.0007·i²)`.
    static func formulaInput(_ shape: [Int]) throws -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { i -> Float in
            let d = Double(i)
            return Float(Foundation.sin(((0.917 * d) + 0.5) + (0.0007 * (d * d))))
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// The scale of ``tolerance(_:scale:)`` for the FCDD nets.
    static let defaultScale: Float = 3e-5

    /// The sorted `[name, shape]` list of a module's state dict.
    static func stateEntries(_ module: any Module) -> [StateEntry] {
        module.stateDict().sorted { $0.key < $1.key }.map { StateEntry(name: $0.key, shape: $0.value.shape) }
    }

    /// A tolerance relative to the largest magnitude of `expected`. The references are
    /// float64; a float32 PyTorch run of the same nets stays within 3e-6 of each tensor's
    /// largest value (the script prints it per tensor), and so do we (measured: between
    /// 3e-7 and 3e-6). Elementwise relative tolerances would be meaningless for gradient
    /// elements that are sums of many cancelling terms, so the absolute part scales with
    /// the tensor: `scale·max|ref|`, plus `scale` relative. The default 3e-5 leaves a
    /// tenfold margin and still catches a batch-norm eps of 1e-5 instead of the
    /// reference's 1e-4, which moves φ by 2e-4 to 7e-4 of its largest value.
    static func tolerance(_ expected: FixtureTensor, scale: Float = defaultScale) -> FixtureTolerance {
        let largest = expected.data.reduce(0) { Swift.max($0, Swift.abs($1)) }
        return FixtureTolerance(absolute: scale * Swift.max(largest, 1e-30), relative: scale, matchesNonFinite: false)
    }
}

/// A net of `kind` filled with the fixture formula.
func formulaNet(_ kind: FCDDNetKind, inputChannels: Int) throws -> any FCDDReferenceNet {
    var generator = SeededGenerator(seed: 0)
    let net = kind.makeNet(inputChannels: inputChannels, using: &generator)
    try net.load(FCDDFixtures.formulaState(for: net))
    return net
}

/// Compares every buffer of `net` after a training forward pass with the fixture's, which
/// must list exactly the net's buffers, within ``FCDDFixtures/tolerance(_:scale:)``.
func expectBuffers(
    of net: any Module, _ expected: [String: FixtureTensor], scale: Float = FCDDFixtures.defaultScale,
    _ name: String
) throws {
    let state = net.stateDict()
    #expect(Set(net.namedBuffers.map(\.name)) == Set(expected.keys), "\(name): buffer names")
    for (key, buffer) in expected {
        let value = try #require(state[key], "\(name): no buffer \(key)")
        try expectClose(value, buffer, FCDDFixtures.tolerance(buffer, scale: scale), "\(name) \(key) after training forward")
    }
}

/// Compares the gradients of `loss` with the fixture's, within
/// ``FCDDFixtures/tolerance(_:scale:)``; its keys are `input` or parameter names of `net`.
func expectGradients(
    _ loss: Tensor, net: any Module, input: Tensor, _ expected: [String: FixtureTensor],
    scale: Float = FCDDFixtures.defaultScale, _ name: String
) throws {
    let parameters = Dictionary(uniqueKeysWithValues: net.namedParameters.map { ($0.name, $0.parameter.value) })
    let keys = expected.keys.sorted()
    let targets = try keys.map { key throws -> Tensor in
        if key == "input" { return input }
        return try #require(parameters[key], "\(name): no parameter \(key)")
    }
    let gradients = loss.gradients(wrt: targets)
    for (key, gradient) in zip(keys, gradients) {
        let reference = expected[key]!
        try expectClose(gradient, reference, FCDDFixtures.tolerance(reference, scale: scale), "\(name) d loss / d \(key)")
    }
}

// MARK: - Tests

@Suite("FCDD nets against PyTorch")
struct FCDDNetTests {
    @Test("fixture file is usable and case names are unique")
    func fixtureFile() throws {
        let file = try FCDDFixtures.file.get()
        #expect(file.version == 1)
        #expect(Set(file.nets.map(\.name)).count == file.nets.count)
        #expect(Set(file.sample_losses.map(\.name)).count == file.sample_losses.count)
        #expect(Set(file.pixel_losses.map(\.name)).count == file.pixel_losses.count)
        // Every small architecture is covered.
        #expect(Set(file.nets.map(\.net)) == Set(FCDDNetKind.allCases.filter { !$0.isVGG }.map(\.rawValue)))
    }

    @Test("state-dict names and shapes are PyTorch's", arguments: FCDDFixtures.names(\.nets, \.name))
    func names(_ name: String) throws {
        let testCase = try FCDDFixtures.lookup(\.nets, \.name, name)
        let kind = try #require(FCDDNetKind(rawValue: testCase.net))
        var generator = SeededGenerator(seed: 0)
        let net = kind.makeNet(inputChannels: testCase.in_channels, using: &generator)
        #expect(FCDDFixtures.stateEntries(net) == testCase.state)
    }

    @Test("φ, loss, gradients and batch-norm statistics", arguments: FCDDFixtures.names(\.nets, \.name))
    func forwardAndBackward(_ name: String) throws {
        let testCase = try FCDDFixtures.lookup(\.nets, \.name, name)
        let kind = try #require(FCDDNetKind(rawValue: testCase.net))
        let net = try formulaNet(kind, inputChannels: testCase.in_channels)
        net.train()

        let input = try FCDDFixtures.formulaInput(testCase.input_shape).trackingGradients()
        let phi = net(input)
        try expectClose(phi, testCase.phi_train, FCDDFixtures.tolerance(testCase.phi_train), "\(name) φ (train)")

        // The loss is a mean of O(1) terms: float32 error ~1e-7 relative (the script's
        // float32 run: ≤ 2e-7).
        let loss = FCDDLoss.sampleLevel(phi: phi, labels: testCase.labels)
        let value = Double(loss.item())
        #expect(Swift.abs(value - testCase.loss) <= 1e-5 * Swift.abs(testCase.loss), "\(name) loss \(value) vs \(testCase.loss)")

        try expectGradients(loss, net: net, input: input, testCase.gradients, name)

        // Every buffer, including the never-applied bn2d3 (unchanged, 0 batches tracked).
        try expectBuffers(of: net, testCase.buffers_after, name)

        net.eval()
        let phiEval = net(input.detached())
        try expectClose(phiEval, testCase.phi_eval, FCDDFixtures.tolerance(testCase.phi_eval), "\(name) φ (eval)")
    }

    @Test(
        "VGG nets: state-dict names and shapes are torchvision's plus conv_final",
        arguments: [FCDDNetKind.cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining])
    func vggNames(_ kind: FCDDNetKind) throws {
        let vgg = try FCDDFixtures.file.get().vgg
        var generator = SeededGenerator(seed: 0)
        let net = kind.makeNet(inputChannels: vgg.in_channels, using: &generator)
        #expect(FCDDFixtures.stateEntries(net) == vgg.state)
    }

    @Test("VGG φ of a 64×64 image, train and eval, and batch-norm statistics")
    func vggForward() throws {
        let vgg = try FCDDFixtures.file.get().vgg
        let net = try formulaNet(.cnn224VGG, inputChannels: vgg.in_channels)
        let input = try FCDDFixtures.formulaInput(vgg.input_shape)
        net.train()
        let phi = net(input)
        try expectClose(phi, vgg.phi_train, FCDDFixtures.tolerance(vgg.phi_train), "VGG φ (train)")
        let state = net.stateDict()
        for (key, expected) in vgg.buffers_after {
            let buffer = try #require(state[key], "no buffer \(key)")
            try expectClose(buffer, expected, FCDDFixtures.tolerance(expected), "VGG \(key) after training forward")
        }
        net.eval()
        let phiEval = net(input)
        try expectClose(phiEval, vgg.phi_eval, FCDDFixtures.tolerance(vgg.phi_eval), "VGG φ (eval)")
    }

    @Test("VGG φ of a 224×224 image has PyTorch's shape")
    func vggOutputShape() throws {
        let vgg = try FCDDFixtures.file.get().vgg
        var generator = SeededGenerator(seed: 0)
        let net = FCDDNetKind.cnn224VGG.makeNet(inputChannels: 3, using: &generator)
        net.eval()
        let phi = net(Tensor.zeros(shape: [1, 3, 224, 224]))
        #expect(phi.shape == vgg.phi_shape_224)
    }

    @Test("FCDD_CNN224_VGG_F freezes exactly features.0 … features.14; its batch norms still update")
    func vggFrozen() throws {
        var generator = SeededGenerator(seed: 0)
        let net = FCDDNetKind.cnn224VGGFrozen.makeNet(inputChannels: 3, using: &generator)
        let frozenPrefixes = (0..<15).map { "features.\($0)." }
        let all = net.namedParameters.map(\.name)
        let frozen = all.filter { name in frozenPrefixes.contains { name.hasPrefix($0) } }
        #expect(
            frozen == [
                "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                "features.4.weight", "features.4.bias", "features.5.weight", "features.5.bias",
                "features.8.weight", "features.8.bias", "features.9.weight", "features.9.bias",
                "features.11.weight", "features.11.bias", "features.12.weight", "features.12.bias",
            ])
        let trainable = net.trainableParameters.map(\.name)
        #expect(
            trainable == [
                "features.15.weight", "features.15.bias", "features.16.weight", "features.16.bias",
                "features.18.weight", "features.18.bias", "features.19.weight", "features.19.bias",
                "conv_final.weight", "conv_final.bias",
            ])
        #expect(Set(trainable).isDisjoint(with: frozen) && trainable.count + frozen.count == all.count)

        // The other VGG nets train everything.
        for kind in [FCDDNetKind.cnn224VGG, .cnn224VGGNoPretraining] {
            let other = kind.makeNet(inputChannels: 3, using: &generator)
            #expect(other.trainableParameters.count == other.namedParameters.count, "\(kind)")
        }

        // A training step on a small image: gradients only for the trainable parameters,
        // and the frozen batch norms' statistics move as in PyTorch (only
        // requires_grad is switched off there).
        let before = net.stateDict()
        net.train()
        let phi = try net(FCDDFixtures.formulaInput([2, 3, 16, 16]))
        let loss = FCDDLoss.sampleLevel(phi: phi, labels: [0, 1])
        let gradients = net.gradients(of: loss)
        #expect(Set(gradients.keys) == Set(trainable))
        let after = net.stateDict()
        for index in [1, 5, 9, 12, 16, 19] {
            let key = "features.\(index)"
            #expect(after["\(key).num_batches_tracked"]!.item() == 1, "\(key)")
            #expect(after["\(key).running_mean"]!.scalars != before["\(key).running_mean"]!.scalars, "\(key)")
            #expect(after["\(key).running_var"]!.scalars != before["\(key).running_var"]!.scalars, "\(key)")
        }
    }

    // Inputs whose channels or rank differ from the net's, and nets without input channels,
    // stop the program: see `Misuse.nets` in FCDDMisuses.swift.
}
