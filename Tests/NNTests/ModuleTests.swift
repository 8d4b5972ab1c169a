import FixtureSupport
import Foundation
import NN
import TensorCore
import Testing

// The module machinery around the layers: printed descriptions against PyTorch's repr,
// dotted names and counts, train/eval and freezing, state dicts, initialisers, dropout
// and the errors that layer construction and application report.

@Suite("Modules")
struct ModuleTests {
    // MARK: - Helpers

    /// conv 1→8 k5 (no bias) · batch norm · (conv 8→4 k3 · leaky ReLU) · flatten · linear 16→3:
    /// `[N, 1, 8, 8]` → `[N, 3]`, with a nested Sequential at position 2.
    static func nestedModel(seed: UInt64) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        return Sequential(
            Conv2d(1, 8, kernelSize: 5, bias: false, using: &generator),
            BatchNorm2d(8),
            Sequential(Conv2d(8, 4, kernelSize: 3, using: &generator), LeakyReLU()),
            Flatten(),
            Linear(16, 3, using: &generator))
    }

    /// A deterministic input for ``nestedModel(seed:)``.
    static func nestedInput(batch: Int = 4, seed: UInt64 = 99) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomUniform(shape: [batch, 1, 8, 8], low: -1, high: 1, using: &generator)
    }

    /// Twelve small linear layers, so that positions 1, 10 and 11 all exist.
    static func longChain() throws -> Sequential {
        var generator = SeededGenerator(seed: 3)
        let chain = Sequential()
        for _ in 0..<12 { chain.append(Linear(2, 2, using: &generator)) }
        return chain
    }

    /// The state dict with every tensor as plain scalars, for exact comparisons.
    static func snapshot(_ module: any Module) -> [String: [Float]] {
        module.stateDict().mapValues(\.scalars)
    }

    /// Fan-in and fan-out as an array, for comparisons.
    static func fans(_ shape: [Int]) throws -> [Int] {
        let (fanIn, fanOut) = Initialization.fans(of: shape)
        return [fanIn, fanOut]
    }

    /// Sample mean and standard deviation.
    static func moments(_ values: [Float]) -> (mean: Double, deviation: Double) {
        let count = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / count
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (count - 1)
        return (mean, variance.squareRoot())
    }

    // MARK: - Descriptions

    @Test("description equals PyTorch's repr", arguments: NNFixtures.names(\.reprs, \.name))
    func descriptionMatchesPyTorch(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.reprs, \.name, name)
        let module = try LayerFixtureTests.build(testCase.layer, testCase.attrs)
        #expect(module.description == testCase.repr)
    }

    @Test("the repr fixtures cover every layer type")
    func reprFixturesCoverEveryLayer() throws {
        let covered = Set(try NNFixtures.file.get().reprs.map(\.layer))
        let layers: Set = [
            "Conv2d", "ConvTranspose2d", "Linear", "BatchNorm1d", "BatchNorm2d", "ReLU", "LeakyReLU",
            "Sigmoid", "Tanh", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Upsample", "Flatten",
            "Dropout", "Sequential",
        ]
        #expect(layers.subtracting(covered).isEmpty, "no repr case for \(layers.subtracting(covered).sorted())")
    }

    @Test("a nested Sequential indents its children as PyTorch does")
    func nestedDescription() throws {
        var generator = SeededGenerator(seed: 0)
        let model = Sequential(
            Sequential(Conv2d(1, 2, kernelSize: 3, using: &generator), ReLU()),
            Linear(2, 3, using: &generator))
        #expect(
            model.description == """
                Sequential(
                  (0): Sequential(
                    (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))
                    (1): ReLU()
                  )
                  (1): Linear(in_features=2, out_features=3, bias=True)
                )
                """)
    }

    // MARK: - Names and counts

    @Test("dotted names of parameters, buffers and modules, in registration order")
    func dottedNames() throws {
        let model = try Self.nestedModel(seed: 1)
        #expect(
            model.namedParameters.map(\.name) == [
                "0.weight", "1.weight", "1.bias", "2.0.weight", "2.0.bias",
                "4.weight", "4.bias",
            ])
        #expect(model.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        #expect(model.namedModules.map(\.name) == ["", "0", "1", "2", "2.0", "2.1", "3", "4"])
        #expect(Set(model.stateDict().keys) == Set(model.namedParameters.map(\.name) + model.namedBuffers.map(\.name)))

        // The names point at the objects themselves.
        let modules = Dictionary(uniqueKeysWithValues: model.namedModules.map { ($0.name, $0.module) })
        let inner = try #require(model[2] as? Sequential)
        #expect(modules[""] === model)
        #expect(modules["2"] === inner)
        #expect(modules["2.0"] === inner[0])
        let innerConv = try #require(inner[0] as? Conv2d)
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter) })
        #expect(parameters["2.0.weight"] === innerConv.weight)
        #expect(parameters["2.0.bias"] === innerConv.bias)
        let batchNorm = try #require(model[1] as? BatchNorm2d)
        #expect(model.namedBuffers.first { $0.name == "1.running_var" }?.buffer === batchNorm.runningVariance)
    }

    @Test("parameter counts against hand-computed values")
    func parameterCounts() throws {
        var generator = SeededGenerator(seed: 0)
        #expect(Conv2d(1, 8, kernelSize: 5, bias: false, using: &generator).parameterCount == 200)
        #expect(Conv2d(1, 8, kernelSize: 5, using: &generator).parameterCount == 208)
        #expect(Conv2d(4, 6, kernelSize: 3, groups: 2, using: &generator).parameterCount == 6 * 2 * 9 + 6)
        #expect(
            ConvTranspose2d(4, 2, kernelSize: 4, stride: 2, padding: 1, bias: false, using: &generator)
                .parameterCount == 4 * 2 * 16)
        #expect(Linear(16, 3, using: &generator).parameterCount == 51)
        #expect(BatchNorm2d(8).parameterCount == 16)
        #expect(BatchNorm1d(8, affine: false).parameterCount == 0)
        #expect(ReLU().parameterCount == 0)

        let model = try Self.nestedModel(seed: 1)
        // 200 (conv, no bias) + 16 (batch norm) + 288 + 4 (inner conv) + 48 + 3 (linear)
        #expect(model.parameterCount == 559)
        #expect(model.trainableParameterCount == 559)
        #expect(model.setTrainable(false, prefix: "2") == 2)
        #expect(model.parameterCount == 559)
        #expect(model.trainableParameterCount == 559 - 292)
        #expect(model.setTrainable(false, prefix: "1.weight") == 1)
        #expect(model.trainableParameterCount == 559 - 292 - 8)
        // (What the return value counts when some flags are already set is left open here:
        // the documentation says "changed", the implementation counts matches.)
        model.setTrainable(true)
        #expect(model.trainableParameterCount == 559)
    }

    // MARK: - Training mode and freezing

    @Test("train() and eval() reach every descendant")
    func trainAndEvalRecurse() throws {
        let model = try Self.nestedModel(seed: 1)
        #expect(model.namedModules.allSatisfy { $0.module.isTraining })
        model.eval()
        #expect(model.namedModules.allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.namedModules.allSatisfy { $0.module.isTraining })
        model.train(false)
        #expect(model.namedModules.allSatisfy { !$0.module.isTraining })
        // A sub-tree can be switched on its own.
        model[2].train()
        let training = model.namedModules.filter { $0.module.isTraining }.map(\.name)
        #expect(training == ["2", "2.0", "2.1"])
    }

    @Test("a prefix freezes whole path components: 0 is not 10, 1 is not 10 or 11")
    func setTrainablePrefixes() throws {
        let model = try Self.longChain()
        #expect(model.setTrainable(false, prefix: "0") == 2)
        let frozen = Set(model.namedParameters.filter { !$0.parameter.isTrainable }.map(\.name))
        #expect(frozen == ["0.weight", "0.bias"])
        #expect(!model.trainableParameters.map(\.name).contains("0.weight"))
        #expect(model.trainableParameters.map(\.name).contains("10.weight"))

        #expect(model.setTrainable(false, prefix: "1") == 2)
        let frozenAfter = Set(model.namedParameters.filter { !$0.parameter.isTrainable }.map(\.name))
        #expect(frozenAfter == ["0.weight", "0.bias", "1.weight", "1.bias"])
        #expect(model.trainableParameterCount == 10 * 6)

        #expect(model.setTrainable(false, prefix: "11.bias") == 1)
        #expect(model.setTrainable(false, prefix: "11.b") == 0)
        #expect(model.setTrainable(false, prefix: "12") == 0)
        model.setTrainable(true, prefix: "")
        #expect(model.trainableParameters.count == 12 * 2)
        #expect(model.trainableParameterCount == 12 * 6)

        let nested = try Self.nestedModel(seed: 1)
        #expect(nested.setTrainable(false, prefix: "2.0") == 2)
        #expect(nested.trainableParameters.map(\.name) == ["0.weight", "1.weight", "1.bias", "4.weight", "4.bias"])
    }

    @Test("frozen parameters get no gradient, and gradients still flow through them")
    func frozenParametersAreExcludedFromGradients() throws {
        let model = try Self.nestedModel(seed: 1)
        model.setTrainable(false, prefix: "2")
        let innerConv = try #require((model[2] as? Sequential)?[0] as? Conv2d)
        #expect(!innerConv.weight.value.isTrackingGradients)
        #expect(try #require(model[0] as? Conv2d).weight.value.isTrackingGradients)

        let loss = try model(Self.nestedInput()).squared().sum()
        let gradients = model.gradients(of: loss)
        #expect(Set(gradients.keys) == ["0.weight", "1.weight", "1.bias", "4.weight", "4.bias"])
        #expect(Set(gradients.keys) == Set(model.trainableParameters.map(\.name)))
        // The first convolution sits before the frozen one: its gradient passed through it.
        let first = try #require(gradients["0.weight"])
        #expect(first.shape == [8, 1, 5, 5])
        #expect(first.scalars.contains { $0 != 0 })
    }

    @Test("a frozen batch norm in training mode still updates its running statistics")
    func frozenBatchNormUpdatesStatistics() throws {
        let batchNorm = BatchNorm2d(2)
        batchNorm.setTrainable(false)
        #expect(batchNorm.trainableParameterCount == 0)
        var generator = SeededGenerator(seed: 5)
        let input = Tensor.randomNormal(shape: [4, 2, 3, 3], mean: 1, standardDeviation: 2, using: &generator)
        _ = batchNorm(input)

        // PyTorch: running = 0.9 · running + 0.1 · batch statistic (unbiased variance).
        let values = input.scalars
        for channel in 0..<2 {
            var selected: [Float] = []
            for n in 0..<4 {
                let start = (n * 2 + channel) * 9
                selected += values[start..<start + 9]
            }
            let (mean, deviation) = Self.moments(selected)
            let runningMean = try #require(batchNorm.runningMean).value.scalars[channel]
            let runningVariance = try #require(batchNorm.runningVariance).value.scalars[channel]
            #expect(Swift.abs(Double(runningMean) - 0.1 * mean) < 1e-5)
            #expect(Swift.abs(Double(runningVariance) - (0.9 + 0.1 * deviation * deviation)) < 1e-4)
        }
        #expect(batchNorm.batchesTracked?.value.item() == 1)
        _ = batchNorm(input)
        #expect(batchNorm.batchesTracked?.value.item() == 2)

        // Evaluation mode leaves them alone.
        let before = Self.snapshot(batchNorm)
        batchNorm.eval()
        _ = batchNorm(input)
        #expect(Self.snapshot(batchNorm) == before)
    }

    @Test("freezing a batch norm inside a model keeps its statistics training (FCDD)")
    func frozenBatchNormInsideModel() throws {
        let model = try Self.nestedModel(seed: 1)
        model.setTrainable(false, prefix: "1")
        model.setTrainable(false, prefix: "0")
        let loss = try model(Self.nestedInput()).sum()
        #expect(Set(model.gradients(of: loss).keys) == ["2.0.weight", "2.0.bias", "4.weight", "4.bias"])
        let state = model.stateDict()
        #expect(state["1.num_batches_tracked"]?.item() == 1)
        #expect(try #require(state["1.running_mean"]).scalars.allSatisfy { $0 != 0 })
    }

    // MARK: - State dicts

    @Test("a state dict loads into a model built with another seed and reproduces its outputs")
    func stateDictRoundTrip() throws {
        let source = try Self.nestedModel(seed: 1)
        _ = try source(Self.nestedInput(seed: 7))  // move the batch-norm statistics away from their defaults
        source.eval()
        let target = try Self.nestedModel(seed: 2)
        target.eval()
        let input = try Self.nestedInput()
        #expect(source(input).scalars != target(input).scalars)

        let state = source.stateDict()
        #expect(state.values.allSatisfy { !$0.isTrackingGradients })
        let report = try target.load(state)
        #expect(report.isComplete)
        #expect(report.loadedCount == 10)
        #expect(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty && report.shapeMismatches.isEmpty)
        #expect(Self.snapshot(target) == Self.snapshot(source))
        #expect(target(input).scalars == source(input).scalars)
        #expect(target.stateDict()["1.num_batches_tracked"]?.item() == 1)

        // The loaded values are copies: training the target does not move the source.
        target.train()
        _ = target(input)
        #expect(source.stateDict()["1.num_batches_tracked"]?.item() == 1)
    }

    /// `state` with a key missing, two unexpected ones and two shapes changed.
    static func damaged(_ state: [String: Tensor]) throws -> [String: Tensor] {
        var state = state
        state["4.bias"] = nil
        state["5.weight"] = Tensor.zeros(shape: [3])
        state["extra"] = Tensor(1)
        state["1.running_mean"] = Tensor.zeros(shape: [4])
        state["0.weight"] = Tensor.zeros(shape: [8, 1, 3, 3])
        return state
    }

    static func checkDamageReport(_ report: StateDictReport) {
        #expect(report.missingKeys == ["4.bias"])
        #expect(report.unexpectedKeys == ["5.weight", "extra"])
        #expect(report.shapeMismatches.map(\.name) == ["0.weight", "1.running_mean"])
        #expect(report.shapeMismatches.map(\.expected) == [[8, 1, 5, 5], [8]])
        #expect(report.shapeMismatches.map(\.found) == [[8, 1, 3, 3], [4]])
        #expect(!report.isComplete)
        #expect(report.description.contains("missing keys: 4.bias"))
        #expect(report.description.contains("unexpected keys: 5.weight, extra"))
    }

    @Test("a strict load of a state dict that does not fit throws and changes nothing")
    func strictLoadRejects() throws {
        let source = try Self.nestedModel(seed: 1)
        let target = try Self.nestedModel(seed: 2)
        let before = Self.snapshot(target)
        let damaged = try Self.damaged(source.stateDict())
        let error = try #require(throws: StateDictError.self) { try target.load(damaged) }
        Self.checkDamageReport(error.report)
        #expect(error.report.loadedCount == 7)
        #expect(Self.snapshot(target) == before)

        // Any single problem is enough to refuse.
        var missing = source.stateDict()
        missing["1.num_batches_tracked"] = nil
        let single = try #require(throws: StateDictError.self) { try target.load(missing) }
        #expect(single.report.missingKeys == ["1.num_batches_tracked"])
        #expect(single.report.unexpectedKeys.isEmpty && single.report.shapeMismatches.isEmpty)
        #expect(Self.snapshot(target) == before)
    }

    @Test("a non-strict load takes the keys that fit and reports the rest")
    func nonStrictLoad() throws {
        let source = try Self.nestedModel(seed: 1)
        let target = try Self.nestedModel(seed: 2)
        let before = Self.snapshot(target)
        let report = try target.load(Self.damaged(source.stateDict()), strict: false)
        Self.checkDamageReport(report)
        #expect(report.loadedCount == 7)
        let after = Self.snapshot(target)
        let expected = Self.snapshot(source)
        for key in ["1.weight", "1.bias", "1.running_var", "1.num_batches_tracked", "2.0.weight", "2.0.bias", "4.weight"] {
            #expect(after[key] == expected[key], "\(key) was not loaded")
        }
        for key in ["0.weight", "1.running_mean", "4.bias"] {
            #expect(after[key] == before[key], "\(key) changed")
        }
    }

    @Test("trainable flags survive loading")
    func trainableFlagsSurviveLoading() throws {
        let source = try Self.nestedModel(seed: 1)
        let target = try Self.nestedModel(seed: 2)
        target.setTrainable(false, prefix: "0")
        source.setTrainable(false, prefix: "4")  // the source's flags are not part of its state
        try target.load(source.stateDict())
        let flags = Dictionary(uniqueKeysWithValues: target.namedParameters.map { ($0.name, $0.parameter.isTrainable) })
        #expect(
            flags == [
                "0.weight": false, "1.weight": true, "1.bias": true, "2.0.weight": true, "2.0.bias": true,
                "4.weight": true, "4.bias": true,
            ])
        let parameters = Dictionary(uniqueKeysWithValues: target.namedParameters.map { ($0.name, $0.parameter) })
        let frozen = try #require(parameters["0.weight"])
        let trainable = try #require(parameters["4.weight"])
        #expect(!frozen.value.isTrackingGradients)
        #expect(trainable.value.isTrackingGradients)
        let loss = try target(Self.nestedInput()).sum()
        #expect(!(target.gradients(of: loss).keys.contains("0.weight")))
    }

    // MARK: - Initialisation

    @Test("fans follow PyTorch's definitions")
    func fans() throws {
        // Conv2d weight [out, in/groups, kH, kW].
        #expect(try Self.fans([8, 3, 5, 5]) == [75, 200])
        #expect(try Self.fans([6, 2, 3, 3]) == [18, 54])
        // Linear weight [out, in].
        #expect(try Self.fans([10, 4]) == [4, 10])
        // ConvTranspose2d weight [in, out/groups, kH, kW]: PyTorch takes dim 1 as fan-in.
        #expect(try Self.fans([4, 2, 4, 4]) == [32, 64])
        #expect(try Self.fans([3, 7, 2]) == [14, 6])
    }

    @Test("Conv2d and Linear default to kaiming-uniform a=√5: weights and biases within ±1/√fanIn")
    func pytorchDefaultInitialisation() throws {
        var generator = SeededGenerator(seed: 11)
        let conv = Conv2d(64, 64, kernelSize: 3, using: &generator)  // fan-in 576
        let linear = Linear(300, 200, using: &generator)  // fan-in 300
        let transposed = ConvTranspose2d(32, 48, kernelSize: 4, using: &generator)  // fan-in 48·16
        let cases: [(String, Parameter, Parameter?, Int)] = [
            ("conv", conv.weight, conv.bias, 576), ("linear", linear.weight, linear.bias, 300),
            ("transposed", transposed.weight, transposed.bias, 768),
        ]
        for (name, weight, bias, fanIn) in cases {
            let bound = 1 / Float(fanIn).squareRoot()
            let weights = weight.value.scalars
            let largest = weights.map(Swift.abs).max() ?? 0
            #expect(largest <= bound, "\(name) weight exceeds the bound")
            #expect(largest > 0.9 * bound, "\(name) weight does not come close to the bound")
            // U(−b, b) has standard deviation b/√3.
            let deviation = Self.moments(weights).deviation
            #expect(Swift.abs(deviation / (Double(bound) / 3.0.squareRoot()) - 1) < 0.03, "\(name) weight spread")
            let biases = try #require(bias).value.scalars
            #expect(biases.allSatisfy { Swift.abs($0) <= bound }, "\(name) bias exceeds the bound")
            #expect(Set(biases).count == biases.count, "\(name) bias values repeat")
        }
    }

    @Test("kaiming normal and xavier initialisers have the standard deviation of their formula")
    func initialiserSpreads() throws {
        var generator = SeededGenerator(seed: 21)
        let convShape = [128, 64, 3, 3]  // fan-in 576, fan-out 1152
        let linearShape = [200, 300]  // fan-in 300, fan-out 200
        let gain = Nonlinearity.relu.gain
        let samples: [(String, Tensor, Double, uniformBound: Double?)] = [
            (
                "kaiming normal fan-in relu",
                Initialization.kaimingNormal(shape: convShape, nonlinearity: .relu, using: &generator),
                Double(gain) / 576.0.squareRoot(), nil
            ),
            (
                "kaiming normal fan-out relu",
                Initialization.kaimingNormal(shape: convShape, nonlinearity: .relu, mode: .fanOut, using: &generator),
                Double(gain) / 1152.0.squareRoot(), nil
            ),
            (
                "kaiming normal default (leaky relu 0)",
                Initialization.kaimingNormal(shape: linearShape, using: &generator), 2.0.squareRoot() / 300.0.squareRoot(), nil
            ),
            (
                "kaiming uniform default (leaky relu 0)",
                Initialization.kaimingUniform(shape: linearShape, using: &generator),
                2.0.squareRoot() / 300.0.squareRoot(), 2.0.squareRoot() * (3.0 / 300).squareRoot()
            ),
            (
                "xavier uniform tanh",
                Initialization.xavierUniform(shape: linearShape, gain: Nonlinearity.tanh.gain, using: &generator),
                5.0 / 3.0 * (2.0 / 500).squareRoot(), 5.0 / 3.0 * (6.0 / 500).squareRoot()
            ),
            (
                "xavier uniform conv",
                Initialization.xavierUniform(shape: convShape, using: &generator),
                (2.0 / (576 + 1152)).squareRoot(), (6.0 / (576 + 1152)).squareRoot()
            ),
            (
                "xavier normal",
                Initialization.xavierNormal(shape: linearShape, using: &generator), (2.0 / 500).squareRoot(), nil
            ),
            (
                "xavier normal gain 0.5",
                Initialization.xavierNormal(shape: convShape, gain: 0.5, using: &generator),
                0.5 * (2.0 / (576 + 1152)).squareRoot(), nil
            ),
        ]
        for (name, tensor, expected, bound) in samples {
            let values = tensor.scalars
            let (mean, deviation) = Self.moments(values)
            #expect(Swift.abs(deviation / expected - 1) < 0.03, "\(name): standard deviation \(deviation), expected \(expected)")
            #expect(Swift.abs(mean) < 4 * expected / Double(values.count).squareRoot(), "\(name): mean \(mean)")
            if let bound {
                let largest = Double(values.map(Swift.abs).max() ?? 0)
                #expect(largest <= bound && largest > 0.99 * bound, "\(name): largest \(largest), bound \(bound)")
            }
        }
    }

    @Test("Nonlinearity.gain equals PyTorch's calculate_gain", arguments: NNFixtures.names(\.gains, \.name))
    func gain(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.gains, \.name, name)
        let nonlinearity: Nonlinearity
        switch testCase.nonlinearity {
        case "linear": nonlinearity = .linear
        case "sigmoid": nonlinearity = .sigmoid
        case "tanh": nonlinearity = .tanh
        case "relu": nonlinearity = .relu
        case "leaky_relu": nonlinearity = .leakyRelu(negativeSlope: Float(try #require(testCase.param)))
        default: throw FixtureError("unknown nonlinearity \(testCase.nonlinearity)")
        }
        #expect(Swift.abs(Double(nonlinearity.gain) - testCase.gain) <= 1e-6 * testCase.gain)
    }

    @Test("the same seed builds a bit-identical model, another seed a different one")
    func seedsDetermineModels() throws {
        let first = Self.snapshot(try Self.nestedModel(seed: 7))
        let again = Self.snapshot(try Self.nestedModel(seed: 7))
        let other = Self.snapshot(try Self.nestedModel(seed: 8))
        #expect(first == again)
        for key in ["0.weight", "2.0.weight", "2.0.bias", "4.weight", "4.bias"] {
            #expect(first[key] != other[key], "\(key) is the same for seeds 7 and 8")
        }
        // Batch norm does not draw: its initial state is the same for every seed.
        #expect(first["1.weight"] == other["1.weight"])
    }

    // MARK: - Dropout

    @Test("dropout is the identity in evaluation mode and with p = 0")
    func dropoutIdentity() throws {
        var generator = SeededGenerator(seed: 4)
        let input = Tensor.randomNormal(shape: [8, 50], using: &generator)
        let dropout = Dropout(probability: 0.5, seed: 1)
        dropout.eval()
        #expect(dropout(input).scalars == input.scalars)
        let none = Dropout(probability: 0, seed: 1)
        #expect(none.isTraining)
        #expect(none(input).scalars == input.scalars)
        let all = Dropout(probability: 1, seed: 1)
        #expect(all(input).scalars.allSatisfy { $0 == 0 })
    }

    @Test("dropout with p = 0.3 zeroes about 30 % and scales the rest by 1/0.7")
    func dropoutStatistics() throws {
        var generator = SeededGenerator(seed: 4)
        let input = Tensor.randomUniform(shape: [20, 1000], low: 0.5, high: 1.5, using: &generator)
        let dropout = Dropout(probability: 0.3, seed: 12)
        let output = dropout(input).scalars
        let inputs = input.scalars
        let dropped = output.filter { $0 == 0 }.count
        let fraction = Double(dropped) / Double(output.count)
        // The standard error of the fraction is √(0.21 / 20 000) ≈ 0.0032.
        #expect(Swift.abs(fraction - 0.3) < 0.015, "dropped fraction \(fraction)")
        let scale: Float = 1 / 0.7
        let wrongSurvivors = zip(inputs, output).filter { x, y in y != 0 && Swift.abs(y - x * scale) > 1e-6 * x * scale }
        #expect(wrongSurvivors.isEmpty, "survivors not scaled by 1/0.7: \(wrongSurvivors.prefix(3))")
        // The expectation is preserved.
        let inputMean = Self.moments(inputs).mean
        #expect(Swift.abs(Self.moments(output).mean / inputMean - 1) < 0.03)
    }

    @Test("dropout masks come from the seed")
    func dropoutSeeds() throws {
        let input = Tensor.ones(shape: [4, 64])
        let first = Dropout(probability: 0.5, seed: 9)
        let second = Dropout(probability: 0.5, seed: 9)
        let other = Dropout(probability: 0.5, seed: 10)
        let mask = first(input).scalars
        #expect(second(input).scalars == mask)
        #expect(other(input).scalars != mask)
        // The generator advances: the next pass draws a new mask.
        #expect(first(input).scalars != mask)
    }

    @Test("clipGradientNorm with maxNorm 0 zeroes every gradient")
    func clipGradientNormZero() throws {
        var gradients = ["w": Tensor([3, 4])]
        // maxNorm 0 is allowed and zeroes everything (negative ones stop: see NNMisuses).
        let norm = clipGradientNorm(&gradients, maxNorm: 0)
        #expect(norm == 5)
        #expect(gradients["w"]?.scalars == [0, 0])
    }
}
