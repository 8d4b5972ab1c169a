import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

@Suite("Baseline trainer")
struct BaselineTrainerTests {
    /// The first `count` T-shirts (class 0) of the bundled training sample.
    static func nominalTraining(count: Int) throws -> DatasetSubset<OneClassView<IDXImageDataset>> {
        let nominal = try OneClassView(FashionMNIST.bundledSample(split: .train), normalClasses: [0], split: .train)
        return try DatasetSubset(nominal, indices: Array(0..<count))
    }

    /// A trainer of `kind` on `count` T-shirts in batches of 20 with Adam; with
    /// `outlierExposure` half the samples are replaced by images of the other classes.
    static func makeTrainer(
        _ kind: BaselineNetKind, seed: UInt64, epochs: Int, count: Int = 120, outlierExposure: Bool, learningRate: Float = 1e-3,
        checkpoint: URL? = nil
    ) throws -> AnomalyTrainer {
        let sample = try FashionMNIST.bundledSample(split: .train)
        var transforms: [any SampleTransform] = []
        if outlierExposure {
            let outliers = try OneClassView(sample, normalClasses: Array(1..<10), split: .train)
            transforms.append(try AnomalyInjection.outlierExposure(outliers, limit: 300, seed: seed))
        }
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: 20, optimizer: .adam, learningRate: learningRate,
            weightDecay: 1e-6, schedule: .exponential(gamma: 1), seed: seed)
        let loader = try DataLoader(dataset: nominalTraining(count: count), batchSize: 20, transform: Compose(transforms), seed: seed)
        var generator = SeededGenerator(seed: seed)
        return try AnomalyTrainer(
            net: kind.makeNet(inputChannels: 1, using: &generator), objective: objective(of: kind),
            configuration: configuration, loader: loader, checkpointURL: checkpoint)
    }

    /// The reference's objective of a baseline net.
    static func objective(of kind: BaselineNetKind) -> any AnomalyObjective {
        kind.isAutoencoder ? AutoencoderObjective() : HSCObjective()
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).safetensors")
    }

    @Test("HSC (CNN28) with outlier exposure: the loss falls and anomalies score higher")
    func hscLearns() throws {
        let trainer = try Self.makeTrainer(.cnn28, seed: 2, epochs: 3, outlierExposure: true)
        #expect(trainer.objective.name == "hsc")
        var steps = 0
        let history = try trainer.train { _ in steps += 1 }
        #expect(history.count == 3 && steps == 18)
        #expect(history.last!.loss < history.first!.loss, "\(history.map(\.loss))")
        #expect(history.last!.anomalousScore > history.last!.nominalScore)
    }

    @Test("AE (AE28) on nominal images: the loss falls and test anomalies reconstruct worse than T-shirts")
    func autoencoderLearns() throws {
        let trainer = try Self.makeTrainer(.ae28, seed: 3, epochs: 3, outlierExposure: false, learningRate: 1e-2)
        #expect(trainer.objective.name == "ae")
        let history = try trainer.train()
        #expect(history.last!.loss < history.first!.loss, "\(history.map(\.loss))")
        #expect(history.allSatisfy { $0.anomalousScore == 0 })

        let test = try OneClassView(FashionMNIST.bundledSample(split: .test), normalClasses: [0], split: .test)
        let subset = try DatasetSubset(test, indices: Array(0..<200))
        let predictor = AnomalyPredictor(net: trainer.net, objective: trainer.objective, preprocessing: .identity, inputSize: 28, inputChannels: 1)
        let scores = try predictor.predict(Tensor.stack((0..<subset.count).map { try subset.sample(at: $0).image })).map(\.score)
        let labels = subset.labels
        func mean(_ label: Int) -> Float {
            let chosen = zip(scores, labels).filter { $0.1 == label }.map(\.0)
            return chosen.reduce(0, +) / Float(chosen.count)
        }
        #expect(mean(0) < mean(1), "nominal \(mean(0)), anomalous \(mean(1))")
        let auc = try ROC.areaUnderCurve(scores: scores, labels: labels)
        #expect(auc > 0.6, "test AUC \(auc)")
    }

    @Test("a last step of one sample is skipped for nets with BatchNorm1d (it cannot normalise one value)")
    func singleSampleStep() throws {
        var generator = SeededGenerator(seed: 9)
        // 5 images in batches of 2: steps of 2, 2 and 1.
        let samples = (0..<5).map { index in
            DatasetSample(image: Tensor.randomUniform(shape: [3, 32, 32], low: 0, high: 1, using: &generator), label: 0, name: "\(index)")
        }
        let configuration = TrainingConfiguration(
            epochs: 2, batchSize: 2, optimizer: .adam, learningRate: 1e-3,
            weightDecay: 0, schedule: .exponential(gamma: 1), seed: 1)
        for kind in [BaselineNetKind.ae32, .cnn32] {
            let loader = try DataLoader(dataset: InMemoryImages(samples: samples), batchSize: 2, transform: Compose([]), seed: 1)
            let trainer = try AnomalyTrainer(
                net: kind.makeNet(inputChannels: 3, using: &generator), objective: Self.objective(of: kind),
                configuration: configuration, loader: loader)
            var reported: [Int] = []
            let history = try trainer.train { reported.append($0.step) }
            #expect(history.count == 2 && history.allSatisfy { $0.loss.isFinite && $0.loss > 0 }, "\(kind)")
            #expect(reported == [0, 1, 2, 0, 1, 2], "\(kind): every step is reported, the skipped one too")
        }
        // Without the skip the step itself would stop the program, as PyTorch raises: see
        // the misuse "AE32 training on one image" in FCDDMisuses.swift.
    }

    @Test("a first step of one sample is a configuration error for nets with BatchNorm1d, before any update")
    func singleSampleFirstStep() throws {
        var generator = SeededGenerator(seed: 9)
        let samples = (0..<3).map { index in
            DatasetSample(image: Tensor.randomUniform(shape: [3, 32, 32], low: 0, high: 1, using: &generator), label: 0, name: "\(index)")
        }
        let configuration = TrainingConfiguration(
            epochs: 1, batchSize: 1, optimizer: .adam, learningRate: 1e-3,
            weightDecay: 0, schedule: .exponential(gamma: 1), seed: 1)
        let loader = try DataLoader(dataset: InMemoryImages(samples: samples), batchSize: 1, transform: Compose([]), seed: 1)
        let net = BaselineNetKind.cnn32.makeNet(inputChannels: 3, using: &generator)
        let trainer = try AnomalyTrainer(net: net, objective: Self.objective(of: .cnn32), configuration: configuration, loader: loader)
        let before = net.stateDict().mapValues(\.scalars)
        #expect {
            try trainer.train()
        } throws: { error in
            guard case let .invalidConfiguration(message)? = error as? TrainingError else { return false }
            return message.contains("BatchNorm1d") && message.contains("batch size of at least 2")
        }
        #expect(net.stateDict().mapValues(\.scalars) == before)
    }

    @Test("the autoencoder refuses samples labelled anomalous, before any step")
    func autoencoderRefusesAnomalies() throws {
        let trainer = try Self.makeTrainer(.ae28, seed: 5, epochs: 1, count: 40, outlierExposure: true)
        let before = trainer.net.stateDict().mapValues(\.scalars)
        #expect {
            try trainer.train()
        } throws: { error in
            guard case let .anomaliesRefused(objective, epoch, batch, count)? = error as? TrainingError else { return false }
            return objective == "ae" && epoch == 0 && batch == 0 && count > 0 && "\(error)".contains("nominal samples only")
        }
        #expect(trainer.net.stateDict().mapValues(\.scalars) == before)
        #expect(trainer.history.isEmpty)
    }

    @Test("checkpoints record the objective; resuming continues a run of the same objective and refuses another")
    func checkpointsAndResume() throws {
        let checkpoint = Self.temporaryURL("hsc-checkpoint")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let full = try Self.makeTrainer(.cnn28, seed: 6, epochs: 2, count: 40, outlierExposure: true)
        try full.train()
        let first = try Self.makeTrainer(.cnn28, seed: 6, epochs: 1, count: 40, outlierExposure: true, checkpoint: checkpoint)
        try first.train()
        let stored = try TrainingCheckpoint(contentsOf: checkpoint)
        #expect(stored.userMetadata["net"] == "CNN28" && stored.userMetadata["objective"] == "hsc")
        #expect(stored.userMetadata["objective.gradient_method"] != nil && stored.userMetadata["training.learningRate"] != nil)
        #expect(stored.userMetadata["history"]?.contains("\"epoch\":0") == true)

        let resumed = try Self.makeTrainer(.cnn28, seed: 6, epochs: 2, count: 40, outlierExposure: true)
        try resumed.resume(from: checkpoint)
        try resumed.train()
        let bits = { (net: any Module) in net.stateDict().mapValues { $0.scalars.map(\.bitPattern) } }
        #expect(bits(resumed.net) == bits(full.net))
        #expect(resumed.history.map(\.epoch) == [0, 1])

        func refuses(_ resume: () throws -> Void, found: String) -> Bool {
            do {
                try resume()
                return false
            } catch {
                guard case let .checkpoint(.kindMismatch(_, holds, _, _))? = error as? TrainingError else { return false }
                return holds.contains(found)
            }
        }
        let autoencoder = try Self.makeTrainer(.ae28, seed: 6, epochs: 2, count: 40, outlierExposure: false)
        #expect(refuses({ try autoencoder.resume(from: checkpoint) }, found: "\"hsc\""))
        let fcdd = try FCDDTrainerTests.makeTrainer(seed: 6, epochs: 2)
        #expect(refuses({ try fcdd.resume(from: checkpoint) }, found: "\"hsc\""))

        // A checkpoint written before objectives were recorded is an FCDD checkpoint.
        let fcddCheckpoint = Self.temporaryURL("fcdd-checkpoint")
        defer { try? FileManager.default.removeItem(at: fcddCheckpoint) }
        var legacy = TrainingCheckpoint(
            model: fcdd.net, optimizer: try SGD(learningRate: 1e-2, momentum: 0.9, nesterov: true),
            epoch: 1, userMetadata: ["net": "FCDD_CNN28"])
        legacy.userMetadata["objective"] = nil
        try legacy.write(to: fcddCheckpoint)
        try fcdd.resume(from: fcddCheckpoint)
        #expect(refuses({ try resumed.resume(from: fcddCheckpoint) }, found: "\"fcdd\""))
    }
}
