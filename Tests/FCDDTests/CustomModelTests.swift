import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

// A net and an objective defined outside the library's catalogue, as a user would write
// them: they train with the public trainer, evaluate, explain with the computed receptive
// field, save and load through a registry. Also the trainer's optimiser choices and
// callbacks.

/// Deep SVDD with a fixed centre (Ruff et al., 2018): the score is the squared distance of
/// the mean feature to the centre; nominal samples only.
struct FixedCentreSVDD: AnomalyObjective {
    var centre: Float
    var name: String { "test-svdd" }
    var trainsOnAnomalies: Bool { false }
    var metadata: [String: String] { ["centre": String(centre)] }

    init(centre: Float) { self.centre = centre }

    init(metadata: [String: String]) throws {
        guard let centre = metadata["centre"].flatMap(Float.init) else {
            throw ObjectiveRegistryError.invalidSetting(objective: "test-svdd", key: "centre", expected: "a number", found: metadata["centre"])
        }
        self.centre = centre
    }

    /// Squared distances `[N]` of the per-image mean features to the centre.
    func distances(_ net: any Module, _ images: Tensor) throws -> Tensor {
        let features = net(images).mean(alongAxes: [1, 2, 3])
        return (features - centre).squared()
    }

    func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
        let distances = try distances(net, batch.images)
        return ObjectiveLoss(loss: distances.mean(), scores: distances.detached().scalars)
    }

    func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] {
        var scores: [Float] = []
        let maps = try GradientExplanation.heatmaps(inputs: batch.inputs) { images in
            let distances = try distances(net, images)
            scores = distances.detached().scalars
            return distances
        }
        return AnomalyPrediction.batch(scores: scores, maps: maps, heatmaps: maps)
    }
}

/// A small fully convolutional net with a residual block and an average pool, written as
/// plain Swift.
final class TinyResidualNet: SpatialChain, ArchitectureDescribing {
    var isTraining = true
    let inputChannels: Int
    let stem: Conv2d
    let block: Residual
    let pool = AvgPool2d(kernelSize: 2)
    let head: Conv2d

    init(inputChannels: Int, seed: UInt64 = 0) throws {
        var generator = SeededGenerator(seed: seed)
        self.inputChannels = inputChannels
        stem = Conv2d(inputChannels, 8, kernelSize: 3, padding: 1, using: &generator)
        block = Residual(
            Sequential(
                Conv2d(8, 8, kernelSize: 3, padding: 1, using: &generator), LeakyReLU(),
                Conv2d(8, 8, kernelSize: 3, padding: 1, using: &generator)))
        head = Conv2d(8, 1, kernelSize: 1, using: &generator)
    }

    var childModules: [(name: String, module: any Module)] { [("stem", stem), ("block", block), ("pool", pool), ("head", head)] }
    var spatialLayers: [any Module] { [stem, block, pool, head] }
    var architecture: NetArchitecture { NetArchitecture(name: "TinyResidualNet", hyperparameters: ["input_channels": "\(inputChannels)"]) }

    func forward(_ input: Tensor) -> Tensor {
        head(pool(block(stem(input).leakyRelu(negativeSlope: 0.01))))
    }
}

@Suite("Custom nets and objectives")
struct CustomModelTests {
    static func trainingData(count: Int) throws -> some ImageDataset {
        try BaselineTrainerTests.nominalTraining(count: count)
    }

    static func configuration(epochs: Int, optimizer: TrainingConfiguration.OptimizerChoice = .adam) -> TrainingConfiguration {
        TrainingConfiguration(
            epochs: epochs, batchSize: 20, optimizer: optimizer, learningRate: 1e-2, weightDecay: 0,
            schedule: .exponential(gamma: 1), seed: 3)
    }

    static var registry: ModelRegistry {
        var registry = ModelRegistry.standard
        registry.nets.register("TinyResidualNet") { try TinyResidualNet(inputChannels: $0.integer("input_channels", in: 1...3)) }
        registry.registerObjective("test-svdd") { try FixedCentreSVDD(metadata: $0) }
        return registry
    }

    @Test("a user's net and objective train, evaluate, explain, save and load like the stock ones")
    func customObjectiveAndNet() throws {
        let net = try TinyResidualNet(inputChannels: 1)
        // conv 3 p1 (3, 1, 0) · residual of two 3×3 (union r 7) · avg-pool 2 (8, 2, 0.5) · 1×1.
        let geometry = try net.spatialGeometry(forInput: 28)
        #expect(geometry == SpatialGeometry(size: 14, field: ReceptiveField(size: 8, jump: 2, shift: .init(0.5, 0.5))))

        let objective = FixedCentreSVDD(centre: 1)
        let loader = try DataLoader(dataset: Self.trainingData(count: 60), batchSize: 20, seed: 3)
        let trainer = try AnomalyTrainer(net: net, objective: objective, configuration: Self.configuration(epochs: 3), loader: loader)
        let history = try trainer.train()
        #expect(history.count == 3 && history.last!.loss < history.first!.loss, "\(history.map(\.loss))")

        let predictor = AnomalyPredictor(net: net, objective: objective, preprocessing: .identity, inputSize: 28, inputChannels: 1)
        let test = try DatasetSubset(
            OneClassView(FashionMNIST.bundledSample(split: .test), normalClasses: [0], split: .test),
            indices: Array(0..<40))
        let evaluation = try predictor.evaluate(test, batchSize: 16)
        #expect(evaluation.imageAUROC != nil && evaluation.heatmaps.shape == [40, 28, 28])

        // FCDD's heatmaps of the same net use its computed receptive field.
        let fcdd = AnomalyPredictor(net: net, objective: FCDDObjective(sigma: 1.2), preprocessing: .identity, inputSize: 28, inputChannels: 1)
        let images = try Tensor.stack((0..<4).map { try test.sample(at: $0).image })
        let upsampler = try ReceptiveFieldUpsampler(receptiveField: geometry.field, inputSize: 28, sigma: 1.2)
        for prediction in try fcdd.predict(images) {
            #expect(prediction.map.shape == [14, 14])
            let expected = try upsampler.upsample(prediction.map.reshaped(to: [1, 14, 14])).reshaped(to: [28, 28])
            #expect(prediction.heatmap.scalars == expected.scalars)
        }

        let url = BaselineTrainerTests.temporaryURL("custom-model")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url)
        #expect {
            try AnomalyPredictor(contentsOf: url)
        } throws: { error in
            guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return false }
            return reason.contains("\"test-svdd\"")
        }
        var onlyObjective = ModelRegistry.standard
        onlyObjective.registerObjective("test-svdd") { try FixedCentreSVDD(metadata: $0) }
        #expect {
            try AnomalyPredictor(contentsOf: url, registry: onlyObjective)
        } throws: { error in
            guard case let .invalidCheckpoint(_, reason)? = error as? CheckpointError else { return false }
            return reason.contains("\"TinyResidualNet\"")
        }
        let loaded = try AnomalyPredictor(contentsOf: url, registry: Self.registry)
        #expect((loaded.objective as? FixedCentreSVDD)?.centre == 1)
        #expect(try loaded.predict(images).map(\.score) == predictor.predict(images).map(\.score))
    }

    @Test("a net that does not describe its architecture cannot be saved, with an error that says why")
    func undescribedNet() throws {
        var generator = SeededGenerator(seed: 0)
        let net = Sequential(Conv2d(1, 1, kernelSize: 3, padding: 1, using: &generator))
        let predictor = AnomalyPredictor(net: net, objective: FCDDObjective(sigma: 1.2), preprocessing: .identity, inputSize: 28, inputChannels: 1)
        #expect {
            try predictor.save(to: BaselineTrainerTests.temporaryURL("undescribed"))
        } throws: { error in
            "\(error)".contains("ArchitectureDescribing")
        }
        // A net with a layer of unknown geometry gives FCDD heatmaps no receptive field.
        let flat = AnomalyPredictor(
            net: Sequential(Conv2d(1, 1, kernelSize: 3, using: &generator), AdaptiveAvgPool2d(outputSize: 4)),
            objective: FCDDObjective(sigma: 1.2), preprocessing: .identity, inputSize: 28, inputChannels: 1)
        #expect(throws: ExplainError.geometry(.notSpatial(path: "1", type: "AdaptiveAvgPool2d"))) {
            try flat.predict(Tensor.zeros(shape: [1, 1, 28, 28]))
        }
    }

    /// A net that forgets its pool in `spatialLayers`.
    final class ForgetfulNet: SpatialChain {
        var isTraining = true
        let conv: Conv2d
        let pool = MaxPool2d(kernelSize: 2)
        init() throws {
            var generator = SeededGenerator(seed: 0)
            conv = Conv2d(1, 1, kernelSize: 3, padding: 1, using: &generator)
        }
        var childModules: [(name: String, module: any Module)] { [("conv", conv), ("pool", pool)] }
        var spatialLayers: [any Module] { [conv] }
        func forward(_ input: Tensor) -> Tensor { pool(conv(input)) }
    }

    /// An objective whose settings use a key the model file itself uses.
    struct ClashingObjective: AnomalyObjective {
        var name: String { "clash" }
        var metadata: [String: String] { ["threshold": "1"] }
        func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss { try FCDDObjective(sigma: 1).loss(net: net, batch: batch) }
        func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] { try FCDDObjective(sigma: 1).predict(net: net, batch: batch) }
    }

    @Test("a forward pass that does not match the listed layers, and objective settings that clash with the file's keys, are errors")
    func inconsistentDeclarations() throws {
        let forgetful = AnomalyPredictor(
            net: try ForgetfulNet(), objective: FCDDObjective(sigma: 1.2), preprocessing: .identity,
            inputSize: 28, inputChannels: 1)
        #expect {
            try forgetful.predict(Tensor.zeros(shape: [1, 1, 28, 28]))
        } throws: { error in
            guard case let .shapeMismatch(_, expected, found)? = error as? ExplainError else { return false }
            return expected.contains("28×28") && expected.contains("spatialLayers") && found == [[1, 1, 14, 14]]
        }
        let clashing = AnomalyPredictor(
            net: try TinyResidualNet(inputChannels: 1), objective: ClashingObjective(), preprocessing: .identity,
            inputSize: 28, inputChannels: 1)
        #expect {
            try clashing.save(to: BaselineTrainerTests.temporaryURL("clash"))
        } throws: { error in
            "\(error)".contains("[\"threshold\"]")
        }
    }

    @Test("optimiser choices: SGD with plain or Nesterov momentum, Adam and AdamW build PyTorch's optimisers")
    func optimizerChoices() throws {
        let sgd = try #require(try TrainingConfiguration.OptimizerChoice.sgd(momentum: 0.5).makeOptimizer(learningRate: 0.1, weightDecay: 0.01) as? SGD)
        #expect(sgd.momentum == 0.5 && !sgd.nesterov && sgd.weightDecay == 0.01 && sgd.learningRate == 0.1)
        let nesterov = try #require(try TrainingConfiguration.OptimizerChoice.sgd.makeOptimizer(learningRate: 0.1, weightDecay: 0) as? SGD)
        #expect(nesterov.momentum == 0.9 && nesterov.nesterov)
        let adamW = try #require(try TrainingConfiguration.OptimizerChoice.adamW.makeOptimizer(learningRate: 1e-3, weightDecay: 0.05) as? Adam)
        #expect(adamW.weightDecayMode == .decoupled && adamW.weightDecay == 0.05)
        let adam = try #require(try TrainingConfiguration.OptimizerChoice(.adam, betas: [0.5, 0.9]).makeOptimizer(learningRate: 1e-3, weightDecay: 0) as? Adam)
        #expect(adam.weightDecayMode == .coupled && adam.betas == (0.5, 0.9))
        #expect(throws: OptimizerError.self) { try TrainingConfiguration.OptimizerChoice(.adam, betas: [0.9]).makeOptimizer(learningRate: 1, weightDecay: 0) }
        #expect(throws: OptimizerError.self) {
            try TrainingConfiguration.OptimizerChoice.sgd(momentum: 0, nesterov: true).makeOptimizer(learningRate: 1, weightDecay: 0)
        }
    }

    @Test("an early stop from a callback keeps the history; training on continues to the uninterrupted result")
    func earlyStopAndContinue() throws {
        func makeTrainer() throws -> AnomalyTrainer {
            let loader = try DataLoader(dataset: Self.trainingData(count: 40), batchSize: 20, seed: 3)
            return try AnomalyTrainer(
                net: TinyResidualNet(inputChannels: 1), objective: FixedCentreSVDD(centre: 1),
                configuration: Self.configuration(epochs: 3, optimizer: .sgd(momentum: 0.5)), loader: loader)
        }
        let full = try makeTrainer()
        try full.train()
        let stopped = try makeTrainer()
        var steps = 0
        let first = try stopped.train(
            callbacks: TrainingCallbacks(
                afterStep: { _ in
                    steps += 1
                    return .proceed
                }, afterEpoch: { record in record.epoch == 0 ? .stop : .proceed }))
        #expect(first.count == 1 && steps == 2)
        let rest = try stopped.train()
        #expect(rest.map(\.epoch) == [0, 1, 2])
        let bits = { (net: any Module) in net.stateDict().mapValues { $0.scalars.map(\.bitPattern) } }
        #expect(bits(stopped.net) == bits(full.net))
        // A stop after a step ends the epoch there: no record, and the next call restarts it.
        let midEpoch = try makeTrainer()
        #expect(try midEpoch.train(callbacks: TrainingCallbacks(afterStep: { _ in .stop })).isEmpty)
    }
}
