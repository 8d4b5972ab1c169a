// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import Explain
import FCDD
import FixtureSupport
import Foundation
import NN
import TensorCore
import Testing

// The HSC and autoencoder baselines against PyTorch re-implementations of the reference's
// nets and objectives (Fixtures/baseline_nets.json, written by
// Scripts/make_baseline_fixtures.py). As for the FCDD nets, no weights are stored: both
// sides fill every state-dict entry from the formula of `FCDDFixtures.formulaState` and
// feed the formula input of `FCDDFixtures.formulaInput`, so names, shapes, outputs in
// training and evaluation mode, scores, losses, gradients (including the HSC input
// gradient behind the gradient heatmaps), AE error maps and batch-norm statistics can all
// be compared.

// MARK: - Fixture file

/// An HSC net run on a batch of formula images.
struct HSCNetCase: Decodable, Sendable {
    let name: String
    let net: String
    /// A VGG net, tested only with `FCDD_LARGE_NET_TESTS=1` (224×224 file only).
    let large: Bool?
    let in_channels: Int
    let input_shape: [Int]
    let labels: [Int]
    let state: [StateEntry]
    let output_train: FixtureTensor
    let scores_train: FixtureTensor
    let loss_train: Double
    let gradients: [String: FixtureTensor]
    let buffers_after: [String: FixtureTensor]
    let output_eval: FixtureTensor
    let scores_eval: FixtureTensor
    let loss_eval: Double
    let heatmap_eval: FixtureTensor
}

/// An autoencoder run on a batch of formula images.
struct AENetCase: Decodable, Sendable {
    let name: String
    let net: String
    /// A VGG net, tested only with `FCDD_LARGE_NET_TESTS=1` (224×224 file only).
    let large: Bool?
    let in_channels: Int
    let input_shape: [Int]
    let state: [StateEntry]
    let reconstruction_train: FixtureTensor
    let scores_train: FixtureTensor
    let loss_train: Double
    let gradients: [String: FixtureTensor]
    let buffers_after: [String: FixtureTensor]
    let scores_eval: FixtureTensor
    let error_map_eval: FixtureTensor
}

/// The HSC score and training loss on given outputs.
struct HSCLossCase: Decodable, Sendable {
    let name: String
    let outputs: FixtureTensor
    let labels: [Int]
    let scores: FixtureTensor
    let loss: Double
    let gradient: FixtureTensor
}

/// The autoencoder's error on given reconstructions and inputs.
struct AELossCase: Decodable, Sendable {
    let name: String
    let reconstruction: FixtureTensor
    let inputs: FixtureTensor
    let loss: Double
    let scores: FixtureTensor
    let error_map: FixtureTensor
    let gradient: FixtureTensor
}

struct BaselineFixtureFile: Decodable, Sendable {
    let version: Int
    let torch: String
    let hsc_nets: [HSCNetCase]
    let ae_nets: [AENetCase]
    let hsc_losses: [HSCLossCase]
    let ae_losses: [AELossCase]
}

enum BaselineFixtures: SectionedFixtures {
    static let sections = FixtureSections<BaselineFixtureFile>(
        resource: "baseline_nets", generator: "Scripts/make_baseline_fixtures.py", bundle: .module)

    /// Tolerances relative to each tensor's largest magnitude, as ``FCDDFixtures/tolerance(_:scale:)``.
    /// The script's float32 PyTorch run deviates from the float64 references by at most
    /// 1.2e-5 of the largest value in forward values (outputs, reconstructions, scores,
    /// maps, buffers: the AE32 training reconstruction; the 28×28 nets ≤ 1.7e-6) and by at
    /// most 3.3e-5 in gradients (the 32×32 nets, whose BatchNorm1d over a batch of three
    /// amplifies rounding; the 28×28 nets ≤ 1.8e-6). Measured here: forward ≤ 1.3e-5 (AE32
    /// training reconstruction; 28×28 nets ≤ 1.4e-6), gradients ≤ 7.3e-5 (the CNN32_LW3K
    /// input gradient; 28×28 nets ≤ 2.1e-6). The scales leave a margin of about eight and
    /// seven over that, and more than ten over PyTorch's own float32 error. A batch-norm eps
    /// of 1e-5 instead of 1e-4 is caught by the conventions test, not by these tolerances.
    static let forwardScale: Float = 1e-4
    static let gradientScale: Float = 5e-4

    /// The scales of ``BaselineFixtures`` for the small nets' file.
    static let scales = FixtureScales(trainingForward: forwardScale, heatmap: forwardScale, gradient: gradientScale, loss: 1e-5)

    /// Losses are batch means of O(1) terms: float32 error ~1e-7 relative (PyTorch's
    /// float32 run: ≤ 3e-7).
    static func lossMatches(_ value: Float, _ expected: Double, relative: Double = 1e-5) -> Bool {
        Swift.abs(Double(value) - expected) <= relative * Swift.abs(expected) + 1e-7
    }
}

extension BaselineNetKind {
    /// The nets every test run builds: all but the VGG nets (130–230 million parameters each,
    /// which the suite builds only with `FCDD_LARGE_NET_TESTS=1`).
    static let small = allCases.filter { !$0.isVGG }
    /// Whether the VGG baselines are tested (`FCDD_LARGE_NET_TESTS=1`; CI sets it).
    static let largeNetTests = ProcessInfo.processInfo.environment["FCDD_LARGE_NET_TESTS"] == "1"
}

/// The 224×224 nets (Fixtures/baseline_nets_224.json, written by the same script): large
/// tensors are sampled (``FixtureTensor/stride``), and the training-mode runs of the VGG
/// nets have their dropout switched off on both sides.
struct Baseline224FixtureFile: Decodable, Sendable {
    let version: Int
    let torch: String
    let hsc_nets: [HSCNetCase]
    let ae_nets: [AENetCase]
}

enum Baseline224Fixtures: SectionedFixtures {
    static let sections = FixtureSections<Baseline224FixtureFile>(
        resource: "baseline_nets_224", generator: "Scripts/make_baseline_fixtures.py", bundle: .module)

    /// The script's float32 PyTorch run deviates from its float64 references, relative to the
    /// largest value, by at most 1.2e-3 in training-mode outputs (AE224_VGG's reconstruction:
    /// a training-mode BatchNorm1d over a batch of two pins its outputs near ±γ + β),
    /// 7.4e-3 in gradient heatmaps (CNN224_VGG: near-ties of max-pool and ReLU flip between
    /// precisions, at a few pixels only; the sums agree to 1.2e-6), and up to 0.1 in the
    /// gradients of early batch-norm weights (1.9e-2 in CNN224_VGG_NOPT_1000's input
    /// gradient), which are small differences of large, nearly cancelling terms. Evaluation-mode
    /// outputs, scores and buffers deviate by ≤ 2e-5 and keep ``BaselineFixtures/forwardScale``.
    /// The scales leave a margin of about five over those deviations; the gradient checks still
    /// catch a wrong layer, sign or wiring, not float32 conditioning.
    /// Training losses follow the training-mode outputs (AE224_VGG's: 1.2e-5 relative here).
    static let scales = FixtureScales(trainingForward: 1e-2, heatmap: 5e-2, gradient: 0.5, loss: 1e-4)

    /// The HSC cases this run tests: the VGG ones only with `FCDD_LARGE_NET_TESTS=1`.
    static let hscNames = testedNames(\.hsc_nets, \.name, \.large)
    /// The autoencoder cases this run tests, as ``hscNames``.
    static let aeNames = testedNames(\.ae_nets, \.name, \.large)

    /// A section's case names, without the large ones unless `FCDD_LARGE_NET_TESTS=1`.
    private static func testedNames<Case>(
        _ section: KeyPath<Baseline224FixtureFile, [Case]>, _ name: KeyPath<Case, String>, _ large: KeyPath<Case, Bool?>
    ) -> [String] {
        names(section, name).filter { wanted in
            BaselineNetKind.largeNetTests || (try? lookup(section, name, wanted)[keyPath: large]) != true
        }
    }
}

/// Tolerance scales (relative to each tensor's largest magnitude) of one fixture file.
struct FixtureScales {
    /// Training-mode outputs and reconstructions.
    let trainingForward: Float
    /// Gradient heatmaps and error maps.
    let heatmap: Float
    /// Gradients of the loss.
    let gradient: Float
    /// Losses, relative.
    let loss: Double
}

/// Puts every dropout of `net` in evaluation mode (the fixtures' training-mode runs use no dropout).
func switchOffDropout(_ net: any Module) {
    for (_, module) in net.namedModules where module is Dropout { module.eval() }
}

/// A baseline net of `kind` filled with the fixture formula.
func formulaBaselineNet(_ kind: BaselineNetKind, inputChannels: Int) throws -> any BaselineNet {
    var generator = SeededGenerator(seed: 0)
    let net = kind.makeNet(inputChannels: inputChannels, using: &generator)
    try net.load(FCDDFixtures.formulaState(for: net))
    return net
}

// MARK: - Tests

@Suite("Baseline nets (HSC, AE) against PyTorch")
struct BaselineNetTests {
    @Test("fixture file is usable, case names are unique, every baseline is covered")
    func fixtureFile() throws {
        let file = try BaselineFixtures.file.get()
        #expect(file.version == 1)
        #expect(Set(file.hsc_nets.map(\.name)).count == file.hsc_nets.count)
        #expect(Set(file.ae_nets.map(\.name)).count == file.ae_nets.count)
        #expect(Set(file.hsc_losses.map(\.name)).count == file.hsc_losses.count)
        #expect(Set(file.ae_losses.map(\.name)).count == file.ae_losses.count)
        let covered = Set(BaselineNetKind.allCases.filter { $0.designedInputSize < 224 }.map(\.rawValue))
        #expect(Set(file.hsc_nets.map(\.net) + file.ae_nets.map(\.net)) == covered)
    }

    @Test("HSC nets: state-dict names and shapes are PyTorch's", arguments: BaselineFixtures.names(\.hsc_nets, \.name))
    func hscNames(_ name: String) throws {
        let testCase = try BaselineFixtures.lookup(\.hsc_nets, \.name, name)
        try Self.expectState(net: testCase.net, inputChannels: testCase.in_channels, testCase.state)
    }

    @Test("autoencoders: state-dict names and shapes are PyTorch's", arguments: BaselineFixtures.names(\.ae_nets, \.name))
    func aeNames(_ name: String) throws {
        let testCase = try BaselineFixtures.lookup(\.ae_nets, \.name, name)
        try Self.expectState(net: testCase.net, inputChannels: testCase.in_channels, testCase.state)
    }

    /// The state-dict names and shapes of a fresh `net` are the fixture's.
    static func expectState(net name: String, inputChannels: Int, _ state: [StateEntry]) throws {
        var generator = SeededGenerator(seed: 0)
        let net = try #require(BaselineNetKind(rawValue: name)).makeNet(inputChannels: inputChannels, using: &generator)
        #expect(FCDDFixtures.stateEntries(net) == state)
    }

    @Test(
        "HSC nets: outputs, scores, losses, gradients, statistics and gradient heatmaps",
        arguments: BaselineFixtures.names(\.hsc_nets, \.name))
    func hscForwardAndBackward(_ name: String) throws {
        try Self.checkHSC(BaselineFixtures.lookup(\.hsc_nets, \.name, name))
    }

    @Test(
        "224×224 HSC nets: outputs, scores, losses, gradients, statistics and gradient heatmaps",
        arguments: Baseline224Fixtures.hscNames)
    func hsc224ForwardAndBackward(_ name: String) throws {
        try Self.checkHSC(Baseline224Fixtures.lookup(\.hsc_nets, \.name, name), scales: Baseline224Fixtures.scales)
    }

    @Test("224×224 HSC nets: state-dict names and shapes are PyTorch's", arguments: Baseline224Fixtures.hscNames)
    func hsc224Names(_ name: String) throws {
        let testCase = try Baseline224Fixtures.lookup(\.hsc_nets, \.name, name)
        try Self.expectState(net: testCase.net, inputChannels: testCase.in_channels, testCase.state)
    }

    /// Training mode with the case's labels, then evaluation mode and the gradient heatmap.
    static func checkHSC(_ testCase: HSCNetCase, scales: FixtureScales = BaselineFixtures.scales) throws {
        let name = testCase.name
        let kind = try #require(BaselineNetKind(rawValue: testCase.net))
        let net = try formulaBaselineNet(kind, inputChannels: testCase.in_channels)
        let forward = { (expected: FixtureTensor) in FCDDFixtures.tolerance(expected, scale: BaselineFixtures.forwardScale) }

        // Training mode: batch statistics, the labelled loss (dropout off, as in the script).
        net.train()
        switchOffDropout(net)
        let input = try FCDDFixtures.formulaInput(testCase.input_shape).trackingGradients()
        let output = net(input)
        try expectClose(
            output, testCase.output_train, FCDDFixtures.tolerance(testCase.output_train, scale: scales.trainingForward),
            "\(name) output (train)")
        let scores = HSCLoss.scores(output)
        try expectClose(scores, testCase.scores_train, forward(testCase.scores_train), "\(name) h (train)")
        let loss = HSCLoss.loss(features: output, labels: testCase.labels)
        let value = loss.item()
        #expect(BaselineFixtures.lossMatches(value, testCase.loss_train, relative: scales.loss), "\(name) loss \(value) vs \(testCase.loss_train)")
        try expectGradients(loss, net: net, input: input, testCase.gradients, scale: scales.gradient, name)
        try expectBuffers(of: net, testCase.buffers_after, scale: BaselineFixtures.forwardScale, name)

        // Evaluation mode: running statistics; the loss is the mean score; the explanation
        // is |∂(Σ h)/∂x| summed over channels.
        net.eval()
        let outputEval = net(input.detached())
        try expectClose(outputEval, testCase.output_eval, forward(testCase.output_eval), "\(name) output (eval)")
        let scoresEval = HSCLoss.scores(outputEval)
        try expectClose(scoresEval, testCase.scores_eval, forward(testCase.scores_eval), "\(name) h (eval)")
        let lossEval = scoresEval.mean().item()
        #expect(BaselineFixtures.lossMatches(lossEval, testCase.loss_eval), "\(name) eval loss \(lossEval) vs \(testCase.loss_eval)")
        let heatmaps = try GradientExplanation.heatmaps(inputs: input.detached()) { images in
            HSCLoss.scores(net(images))
        }
        let (n, h, w) = (testCase.input_shape[0], testCase.input_shape[2], testCase.input_shape[3])
        try expectClose(
            heatmaps.reshaped(to: [n, 1, h, w]), testCase.heatmap_eval,
            FCDDFixtures.tolerance(testCase.heatmap_eval, scale: scales.heatmap),
            "\(name) gradient heatmap (eval)")
    }

    @Test(
        "autoencoders: reconstructions, scores, losses, gradients, statistics and error maps",
        arguments: BaselineFixtures.names(\.ae_nets, \.name))
    func aeForwardAndBackward(_ name: String) throws {
        try Self.checkAE(BaselineFixtures.lookup(\.ae_nets, \.name, name))
    }

    @Test(
        "224×224 autoencoders: reconstructions, scores, losses, gradients, statistics and error maps",
        arguments: Baseline224Fixtures.aeNames)
    func ae224ForwardAndBackward(_ name: String) throws {
        try Self.checkAE(Baseline224Fixtures.lookup(\.ae_nets, \.name, name), scales: Baseline224Fixtures.scales)
    }

    @Test("224×224 autoencoders: state-dict names and shapes are PyTorch's", arguments: Baseline224Fixtures.aeNames)
    func ae224Names(_ name: String) throws {
        let testCase = try Baseline224Fixtures.lookup(\.ae_nets, \.name, name)
        try Self.expectState(net: testCase.net, inputChannels: testCase.in_channels, testCase.state)
    }

    @Test("the 224×224 fixture covers every 224×224 architecture")
    func fixture224File() throws {
        let file = try Baseline224Fixtures.file.get()
        #expect(file.version == 1)
        // The _F and _NOPT variants share their architecture with CNN224_VGG and AE224_VGG.
        #expect(
            Set(file.hsc_nets.map(\.net) + file.ae_nets.map(\.net))
                == ["CNN224", "CNN224_VGG", "CNN224_VGG_NOPT_1000", "AE224", "AE224_VGG"])
        #expect(
            (file.hsc_nets.map { ($0.net, $0.large) } + file.ae_nets.map { ($0.net, $0.large) }).allSatisfy { net, large in
                large == net.contains("VGG")
            })
    }

    /// Training mode, then evaluation mode and the error maps.
    static func checkAE(_ testCase: AENetCase, scales: FixtureScales = BaselineFixtures.scales) throws {
        let name = testCase.name
        let kind = try #require(BaselineNetKind(rawValue: testCase.net))
        let net = try formulaBaselineNet(kind, inputChannels: testCase.in_channels)
        let forward = { (expected: FixtureTensor) in FCDDFixtures.tolerance(expected, scale: BaselineFixtures.forwardScale) }
        let input = try FCDDFixtures.formulaInput(testCase.input_shape)

        net.train()
        switchOffDropout(net)
        // The shipped convolution choice. AE32_LW3K is the most sensitive check: its encoder's
        // batch-norm weight gradients are sums over a batch of three that nearly cancel and
        // amplify the forward pass's rounding about a thousandfold. With its 8×8 layer's forward
        // on F(4×4, 3×3), `encoder.bn2d1.weight`'s gradient was 2.6e-3 from PyTorch's against a
        // tolerance of 1.1e-3 (this check used to run on the lowering); on F(2×2, 3×3), the
        // shipped tile there, 0.15× of the tolerance (0.23× under `winograd`; the lowering 0.05×).
        let reconstruction = net(input)
        try expectClose(
            reconstruction, testCase.reconstruction_train,
            FCDDFixtures.tolerance(testCase.reconstruction_train, scale: scales.trainingForward),
            "\(name) reconstruction (train)")
        let scores = AutoencoderLoss.scores(reconstruction: reconstruction, inputs: input)
        try expectClose(scores, testCase.scores_train, forward(testCase.scores_train), "\(name) scores (train)")
        let loss = AutoencoderLoss.loss(reconstruction: reconstruction, inputs: input)
        let value = loss.item()
        #expect(
            BaselineFixtures.lossMatches(value, testCase.loss_train, relative: scales.loss),
            "\(name) loss \(value) vs \(testCase.loss_train)")
        try expectGradients(loss, net: net, input: input, testCase.gradients, scale: scales.gradient, name)
        try expectBuffers(of: net, testCase.buffers_after, scale: BaselineFixtures.forwardScale, name)

        net.eval()
        let reconstructionEval = net(input)
        let scoresEval = AutoencoderLoss.scores(reconstruction: reconstructionEval, inputs: input)
        try expectClose(scoresEval, testCase.scores_eval, forward(testCase.scores_eval), "\(name) scores (eval)")
        let maps = AutoencoderLoss.errorMaps(reconstruction: reconstructionEval, inputs: input)
        try expectClose(
            maps, testCase.error_map_eval, FCDDFixtures.tolerance(testCase.error_map_eval, scale: scales.heatmap),
            "\(name) error map (eval)")
    }

    @Test("HSC score, loss and gradient on given outputs", arguments: BaselineFixtures.names(\.hsc_losses, \.name))
    func hscLoss(_ name: String) throws {
        let testCase = try BaselineFixtures.lookup(\.hsc_losses, \.name, name)
        let outputs = try testCase.outputs.tensor().trackingGradients()
        // Elementwise relative: h of a tiny output is ~1e-6, and float32 keeps its digits.
        let scores = HSCLoss.scores(outputs)
        try expectClose(
            scores, testCase.scores, FixtureTolerance(absolute: 1e-30, relative: 1e-5, matchesNonFinite: false),
            "\(name) h")
        let loss = HSCLoss.loss(features: outputs, labels: testCase.labels)
        let value = loss.item()
        #expect(value.isFinite)
        #expect(BaselineFixtures.lossMatches(value, testCase.loss), "\(name): loss \(value), expected \(testCase.loss)")
        let gradient = try #require(loss.gradients(wrt: [outputs]).first)
        try expectClose(gradient, testCase.gradient, FCDDFixtures.tolerance(testCase.gradient), "\(name) d loss / d outputs")
    }

    @Test("AE loss, scores, error maps and gradient on given tensors", arguments: BaselineFixtures.names(\.ae_losses, \.name))
    func aeLoss(_ name: String) throws {
        let testCase = try BaselineFixtures.lookup(\.ae_losses, \.name, name)
        let reconstruction = try testCase.reconstruction.tensor().trackingGradients()
        let inputs = try testCase.inputs.tensor()
        let exact = FixtureTolerance(absolute: 1e-7, relative: 1e-5, matchesNonFinite: false)
        let loss = AutoencoderLoss.loss(reconstruction: reconstruction, inputs: inputs)
        let value = loss.item()
        #expect(BaselineFixtures.lossMatches(value, testCase.loss), "\(name): loss \(value), expected \(testCase.loss)")
        try expectClose(AutoencoderLoss.scores(reconstruction: reconstruction, inputs: inputs), testCase.scores, exact, "\(name) scores")
        try expectClose(
            AutoencoderLoss.errorMaps(reconstruction: reconstruction, inputs: inputs), testCase.error_map, exact,
            "\(name) error map")
        let gradient = try #require(loss.gradients(wrt: [reconstruction]).first)
        try expectClose(gradient, testCase.gradient, FCDDFixtures.tolerance(testCase.gradient), "\(name) d loss / d reconstruction")
    }

    @Test(
        "output shapes for grey and colour inputs; autoencoders reconstruct the input's shape",
        arguments: BaselineNetKind.small)
    func outputShapes(_ kind: BaselineNetKind) throws {
        var generator = SeededGenerator(seed: 1)
        for channels in [1, 3] {
            let net = kind.makeNet(inputChannels: channels, using: &generator)
            net.eval()
            let size = kind.designedInputSize
            let output = net(Tensor.zeros(shape: [2, channels, size, size]))
            #expect(output.shape == net.outputShape(batchSize: 2), "\(kind), \(channels) channels")
            #expect(output.shape == (kind.isAutoencoder ? [2, channels, size, size] : [2, kind.featureCount]))
        }
    }

    @Test(
        "reference conventions: biases everywhere, batch norms affine with eps 1e-4, momentum 0.1",
        arguments: BaselineNetKind.small)
    func conventions(_ kind: BaselineNetKind) throws {
        var generator = SeededGenerator(seed: 2)
        let net = kind.makeNet(inputChannels: 3, using: &generator)
        var layers = 0
        for (name, module) in net.namedModules {
            switch module {
            case let conv as Conv2d:
                #expect(conv.bias != nil, "\(kind) \(name)")
                layers += 1
            case let conv as ConvTranspose2d:
                #expect(conv.bias != nil, "\(kind) \(name)")
                layers += 1
            case let linear as Linear:
                #expect(linear.bias != nil, "\(kind) \(name)")
                layers += 1
            case let norm as BatchNorm:
                #expect(norm.epsilon == 1e-4 && norm.momentum == 0.1, "\(kind) \(name)")
                #expect(norm.weight != nil && norm.bias != nil && norm.runningMean != nil, "\(kind) \(name)")
            default:
                break
            }
        }
        #expect(layers > 0)
        #expect(net.encoder?.kind == kind.encoder)
        #expect(net.encoder?.inputChannels == (kind.isAutoencoder ? 3 : nil))
    }

    @Test("AE28 and AE32 decoders use xavier-uniform with the leaky-ReLU gain, AE32_LW3K PyTorch's default")
    func decoderInitialisation() throws {
        var generator = SeededGenerator(seed: 3)
        let gain = (2 / (1 + 0.01 * 0.01) as Float).squareRoot()
        for kind in [BaselineNetKind.ae28, .ae32, .ae32LW3K] {
            let net = kind.makeNet(inputChannels: kind == .ae28 ? 1 : 3, using: &generator)
            let decoders = net.childModules.compactMap { $0.module as? ConvTranspose2d }
            #expect(decoders.count == (kind == .ae32LW3K ? 5 : kind == .ae28 ? 3 : 4))
            for layer in decoders {
                let shape = layer.weight.value.shape  // [in, out, k, k]
                let (fanIn, fanOut) = Initialization.fans(of: shape)
                let xavier = gain * (6 / Float(fanIn + fanOut)).squareRoot()
                let pytorchDefault = 1 / Float(fanIn).squareRoot()
                let largest = layer.weight.value.scalars.map(Swift.abs).max() ?? 0
                if kind == .ae32LW3K {
                    #expect(largest <= pytorchDefault, "\(kind) \(shape): \(largest) > \(pytorchDefault)")
                } else {
                    // Uniform draws of hundreds of values come close to the bound, which
                    // exceeds PyTorch's default bound for every one of these layers.
                    #expect(largest <= xavier && largest > pytorchDefault, "\(kind) \(shape): \(largest), bound \(xavier)")
                }
            }
        }
    }

    @Test("pairing with the FCDD nets follows NET_TO_HSC and NET_TO_AE")
    func pairing() {
        let hsc = Dictionary(uniqueKeysWithValues: FCDDNetKind.allCases.map { ($0, BaselineNetKind.hsc(pairedWith: $0)) })
        let ae = Dictionary(uniqueKeysWithValues: FCDDNetKind.allCases.map { ($0, BaselineNetKind.autoencoder(pairedWith: $0)) })
        // As the reference's maps, except that FCDD_CNN224_VGG_F pairs (its key is misspelt there).
        #expect(
            hsc == [
                .cnn28: .cnn28, .cnn28Wide: .cnn28Wide, .cnn32: nil, .cnn32Small: .cnn32, .cnn32LW3K: .cnn32LW3K,
                .cnn224VGG: .cnn224VGG, .cnn224VGGFrozen: .cnn224VGGFrozen, .cnn224VGGNoPretraining: .cnn224VGGNoPretraining1000,
            ])
        #expect(
            ae == [
                .cnn28: .ae28, .cnn28Wide: .ae28, .cnn32: nil, .cnn32Small: .ae32, .cnn32LW3K: .ae32LW3K,
                .cnn224VGG: .ae224VGG, .cnn224VGGFrozen: .ae224VGGFrozen, .cnn224VGGNoPretraining: .ae224VGGNoPretraining,
            ])
        for kind in FCDDNetKind.allCases {
            // A pair shares the input size, and an autoencoder encodes with the paired HSC
            // net's architecture family.
            if let baseline = hsc[kind] ?? nil { #expect(baseline.designedInputSize == kind.designedInputSize) }
            if let baseline = ae[kind] ?? nil { #expect(baseline.designedInputSize == kind.designedInputSize) }
        }
        #expect(
            BaselineNetKind.ae28.encoder == .cnn28 && BaselineNetKind.ae32.encoder == .cnn32
                && BaselineNetKind.ae32LW3K.encoder == .cnn32LW3K && BaselineNetKind.ae224.encoder == .cnn224
                && BaselineNetKind.ae224VGG.encoder == .cnn224VGG && BaselineNetKind.ae224VGGFrozen.encoder == .cnn224VGGFrozen
                && BaselineNetKind.ae224VGGNoPretraining.encoder == .cnn224VGGNoPretraining)
        #expect(BaselineNetKind.allCases.filter(\.isAutoencoder).count == 7)
        #expect(
            BaselineNetKind.allCases.map(\.description) == [
                "CNN28", "CNN28_W", "CNN32", "CNN32_LW3K", "AE28", "AE32", "AE32_LW3K", "CNN224", "CNN224_VGG", "CNN224_VGG_F",
                "CNN224_VGG_NOPT", "CNN224_VGG_NOPT_1000", "AE224", "AE224_VGG", "AE224_VGG_F", "AE224_VGG_NOPT",
            ])
        #expect(
            BaselineNetKind.allCases.filter(\.isVGG) == [
                .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining,
                .cnn224VGGNoPretraining1000, .ae224VGG, .ae224VGGFrozen, .ae224VGGNoPretraining,
            ])
        #expect(BaselineNetKind.allCases.filter(\.expectsPretrainedBackbone) == [.cnn224VGG, .cnn224VGGFrozen, .ae224VGG, .ae224VGGFrozen])
        #expect(BaselineNetKind.allCases.map(\.featureCount) == [48, 48, 64, 64, 48, 64, 64, 784, 4096, 4096, 4096, 1000, 784, 4096, 4096, 4096])
    }

    // Inputs of the wrong shape, training batches that batch norm cannot normalise and nets
    // without input channels stop the program: see `Misuse.baselineNets` in FCDDMisuses.swift.
    @Test("a net with BatchNorm1d evaluates one image and trains on two (training on one is a misuse)")
    func singleImageEvaluation() throws {
        var generator = SeededGenerator(seed: 4)
        let colour = BaselineNetKind.cnn32LW3K.makeNet(inputChannels: 3, using: &generator)
        colour.eval()
        #expect(colour(Tensor.zeros(shape: [1, 3, 32, 32])).shape == [1, 64])
        colour.train()
        #expect(colour(Tensor.zeros(shape: [2, 3, 32, 32])).shape == [2, 64])
    }

    // Bad shapes and labels stop the program: see `Misuse.baselineLosses` in FCDDMisuses.swift.
    @Test("losses take the boundaries of their shapes and labels: an all-anomalous batch, one pixel, one feature")
    func lossBoundaries() throws {
        let features = Tensor.zeros(shape: [2, 5])
        #expect(HSCLoss.loss(features: features, labels: [1, 1]).item().isFinite)
        #expect(HSCLoss.scores(Tensor.zeros(shape: [1, 1])).shape == [1])
        let images = Tensor.zeros(shape: [2, 3, 4, 4])
        #expect(AutoencoderLoss.errorMaps(reconstruction: images, inputs: images).shape == [2, 1, 4, 4])
        let pixel = Tensor.zeros(shape: [1, 1, 1, 1])
        #expect(AutoencoderLoss.scores(reconstruction: pixel, inputs: pixel).shape == [1])
    }
}
