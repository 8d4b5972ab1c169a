import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore
import Testing

/// Images whose pixels are all NaN, to make the loss non-finite.
private struct NaNImages: ImageDataset {
    var count: Int { 8 }
    var classNames: [String] { ["x"] }
    var labels: [Int] { Array(repeating: 0, count: 8) }
    func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        DatasetSample(image: Tensor(shape: [1, 28, 28], repeating: .nan), label: 0, name: "nan\(index)")
    }
}

/// An objective whose loss is `scale · Σ f(φ)` for a chosen `f`, to drive the guards: a
/// finite loss with NaN gradients (`sqrt` of zero) or updates that overflow the weights.
private struct GuardProbeObjective: AnomalyObjective {
    enum Shape: Sendable {
        case sqrtOfZero
        case scaledSum(Float)
    }
    let shape: Shape
    var name: String { "guard-probe" }

    func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
        let phi = net(batch.images)
        let loss =
            switch shape {
            case .sqrtOfZero: (phi * 0).sqrt().sum()
            case let .scaledSum(scale): phi.sum() * scale
            }
        return ObjectiveLoss(loss: loss, scores: [Float](repeating: 0, count: batch.labels.count))
    }

    func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] { [] }
}

@Suite("FCDD trainer")
struct FCDDTrainerTests {
    /// Fashion-MNIST class 0 (T-shirt) as nominal; outlier exposure from the other classes of
    /// the bundled training sample.
    static func makeTrainer(
        seed: UInt64, epochs: Int, checkpoint: URL? = nil, learningRate: Float = 1e-2, run: [String: String] = [:]
    ) throws -> AnomalyTrainer {
        let sample = try FashionMNIST.bundledSample(split: .train)
        let nominal = try OneClassView(sample, normalClasses: [0], split: .train)
        let outliers = try OneClassView(sample, normalClasses: Array(1..<10), split: .train)
        let pipeline = Compose(try AnomalyInjection.outlierExposure(outliers, limit: 600, seed: seed), LocalContrastNormalization(scale: .l1))
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: 30, optimizer: .sgd, learningRate: learningRate,
            weightDecay: 1e-6, schedule: .exponential(gamma: 0.98), seed: seed)
        let loader = try DataLoader(dataset: nominal, batchSize: 30, transform: pipeline, seed: seed)
        var generator = SeededGenerator(seed: seed)
        let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
        return try AnomalyTrainer(
            net: net, objective: FCDDObjective(sigma: 1.2), configuration: configuration, loader: loader,
            checkpointURL: checkpoint, run: run)
    }

    static func testAUC(_ net: any Module) throws -> Double {
        let test = try OneClassView(try FashionMNIST.bundledSample(split: .test), normalClasses: [0], split: .test)
        let loader = try DataLoader(dataset: test, batchSize: 250, shuffles: false, transform: LocalContrastNormalization(scale: .l1), seed: 0)
        net.eval()
        var scores: [Float] = []
        let batches = loader.epoch(0)
        while let batch = try batches.next() {
            scores += try withoutGradients { () throws in FCDDLoss.scores(net(batch.images)).scalars }
        }
        return try ROC.areaUnderCurve(scores: scores, labels: test.labels)
    }

    @Test("FCDD_CNN28 with outlier exposure learns to separate T-shirts from the other classes")
    func learns() throws {
        let trainer = try Self.makeTrainer(seed: 1, epochs: 3)
        var steps = 0
        let history = try trainer.train { _ in steps += 1 }
        #expect(history.count == 3 && steps == 30)
        #expect(history.last!.loss < history.first!.loss)
        #expect(history.allSatisfy { $0.anomalousScore > $0.nominalScore })
        let auc = try Self.testAUC(trainer.net)
        // Measured 0.745 after these 3 short epochs (30 steps on 300 nominal images; the
        // reference trains 400 epochs on 6,000); chance is 0.5.
        #expect(auc > 0.7, "test AUC \(auc)")
    }

    @Test("the same seed gives the same model; resuming from a checkpoint gives the uninterrupted run")
    func repeatableAndResumable() throws {
        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-trainer-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let full = try Self.makeTrainer(seed: 4, epochs: 2)
        try full.train()
        let again = try Self.makeTrainer(seed: 4, epochs: 2)
        try again.train()
        let bits = { (net: any Module) in net.stateDict().mapValues { $0.scalars.map(\.bitPattern) } }
        #expect(bits(full.net) == bits(again.net))

        let first = try Self.makeTrainer(seed: 4, epochs: 1, checkpoint: checkpoint)
        try first.train()
        let resumed = try Self.makeTrainer(seed: 4, epochs: 2)
        try resumed.resume(from: checkpoint)
        try resumed.train()
        #expect(bits(resumed.net) == bits(full.net))
        // The checkpoint carries the history, so the resumed run reports the whole of it.
        #expect(resumed.history.map(\.epoch) == [0, 1])
        #expect(resumed.history.map(\.loss) == full.history.map(\.loss))
    }

    @Test("an epoch's data wait and step time are non-negative parts of its wall time and come back from checkpoints")
    func epochTimeSplit() throws {
        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-trainer-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let trainer = try Self.makeTrainer(seed: 6, epochs: 2, checkpoint: checkpoint)
        let history = try trainer.train()
        for record in history {
            #expect(record.dataSeconds >= 0 && record.stepSeconds > 0 && record.otherSeconds >= 0, "\(record)")
            #expect(record.dataSeconds + record.stepSeconds <= record.seconds, "\(record)")
            #expect(abs(record.dataSeconds + record.stepSeconds + record.otherSeconds - record.seconds) < 1e-12)
        }
        let resumed = try Self.makeTrainer(seed: 6, epochs: 3)
        try resumed.resume(from: checkpoint)
        #expect(resumed.history == history)
    }

    @Test("histories written before the time split decode with zero data and step seconds")
    func olderHistoryDecodes() throws {
        let json = #"[{"epoch":0,"learningRate":0.01,"loss":1.5,"nominalScore":0.25,"anomalousScore":2,"seconds":3.5}]"#
        let records = try JSONDecoder().decode([EpochRecord].self, from: Data(json.utf8))
        #expect(records.count == 1)
        #expect(records[0].seconds == 3.5 && records[0].loss == 1.5 && records[0].anomalousScore == 2)
        #expect(records[0].dataSeconds == 0 && records[0].stepSeconds == 0 && records[0].otherSeconds == 3.5)
        // Written again, a record keeps its split.
        let trainer = try Self.makeTrainer(seed: 6, epochs: 1)
        let record = try #require(try trainer.train().first)
        #expect(try JSONDecoder().decode(EpochRecord.self, from: JSONEncoder().encode(record)) == record)
        // A missing required field is still an error.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(EpochRecord.self, from: Data(#"{"epoch":0,"seconds":1}"#.utf8))
        }
    }

    @Test("resuming refuses a checkpoint of another run and names every difference")
    func resumeRefusesAnotherRun() throws {
        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-trainer-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let first = try Self.makeTrainer(seed: 4, epochs: 1, checkpoint: checkpoint, run: ["data": "fmnist", "normal_class": "0"])
        try first.train()
        let other = try Self.makeTrainer(seed: 5, epochs: 3, learningRate: 1e-3, run: ["data": "fmnist", "normal_class": "1"])
        let before = other.net.stateDict().mapValues(\.scalars)
        #expect {
            try other.resume(from: checkpoint)
        } throws: { error in
            guard case let .resumeMismatch(_, differences)? = error as? TrainingError else { return false }
            return differences == [
                "run.normal_class: 0 in the checkpoint, 1 now",
                "training.learningRate: 0.01 in the checkpoint, 0.001 now",
                "training.seed: 4 in the checkpoint, 5 now",
            ] && "\(error)".contains("was written by another run")
        }
        #expect(other.net.stateDict().mapValues(\.scalars) == before)
        // More epochs than the first run asked for is a longer run of the same one.
        let longer = try Self.makeTrainer(seed: 4, epochs: 3, run: ["data": "fmnist", "normal_class": "0"])
        try longer.resume(from: checkpoint)
        #expect(longer.history.map(\.epoch) == [0])
        // Batch norm sees each process's share of a batch, so a run continues with the
        // number of processes it started with only.
        var twoProcesses = try TrainingCheckpoint(contentsOf: checkpoint)
        #expect(twoProcesses.userMetadata["world_size"] == "1")
        twoProcesses.userMetadata["world_size"] = "2"
        try twoProcesses.write(to: checkpoint)
        let single = try Self.makeTrainer(seed: 4, epochs: 3, run: ["data": "fmnist", "normal_class": "0"])
        #expect {
            try single.resume(from: checkpoint)
        } throws: { error in
            guard case let .resumeMismatch(_, differences)? = error as? TrainingError else { return false }
            return differences == ["world_size: 2 in the checkpoint, 1 now"]
        }
    }

    @Test("a NaN loss stops training before the step is applied")
    func nonFiniteLossStops() throws {
        var generator = SeededGenerator(seed: 0)
        let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
        let before = net.stateDict().mapValues(\.scalars)
        let configuration = TrainingConfiguration(
            epochs: 1, batchSize: 4, optimizer: .adam, learningRate: 1e-3, weightDecay: 0, schedule: .exponential(gamma: 1))
        let trainer = try AnomalyTrainer(
            net: net, objective: FCDDObjective(sigma: 1.2), configuration: configuration, loader: try DataLoader(dataset: NaNImages(), batchSize: 4, seed: 0))
        #expect {
            try trainer.train()
        } throws: { error in
            guard case let .nonFiniteLoss(epoch, batch, _)? = error as? TrainingError else { return false }
            return epoch == 0 && batch == 0
        }
        #expect(net.namedParameters.allSatisfy { before[$0.name] == $0.parameter.value.scalars })
        #expect(throws: TrainingError.self) {
            try AnomalyTrainer(
                net: net, objective: FCDDObjective(sigma: 1.2), configuration: configuration,
                loader: try DataLoader(dataset: NaNImages(), batchSize: 2, seed: 0))
        }
    }

    @Test("a NaN gradient behind a finite loss stops before the update; weights that overflow stop after it, and no checkpoint holds them")
    func nonFiniteGradientsAndWeightsStop() throws {
        let images = (0..<4).map { DatasetSample(image: Tensor(shape: [1, 28, 28], repeating: 0.5), label: 0, name: "\($0)") }
        let configuration = TrainingConfiguration(
            epochs: 1, batchSize: 4, optimizer: .sgd(momentum: 0), learningRate: 1e30,
            weightDecay: 0, schedule: .exponential(gamma: 1))
        let checkpoint = BaselineTrainerTests.temporaryURL("guard-checkpoint")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        for (shape, expected) in [(GuardProbeObjective.Shape.sqrtOfZero, "the gradient of "), (.scaledSum(1e30), " after the update")] {
            var generator = SeededGenerator(seed: 0)
            let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
            let before = net.stateDict().mapValues(\.scalars)
            let trainer = try AnomalyTrainer(
                net: net, objective: GuardProbeObjective(shape: shape), configuration: configuration,
                loader: try DataLoader(dataset: InMemoryImages(samples: images), batchSize: 4, seed: 0), checkpointURL: checkpoint)
            #expect {
                try trainer.train()
            } throws: { error in
                guard case let .nonFiniteValues(what, epoch, batch, _)? = error as? TrainingError else { return false }
                return what.contains(expected) && epoch == 0 && batch == 0 && "\(error)".contains("became NaN or infinite")
            }
            if case .sqrtOfZero = shape {
                let unchanged = net.namedParameters.allSatisfy { before[$0.name] == $0.parameter.value.scalars }
                #expect(unchanged, "a bad gradient must not be applied")
            }
            #expect(!FileManager.default.fileExists(atPath: checkpoint.path), "no checkpoint from diverged weights")
        }
        #expect(Tensor([1, .infinity]).isFinite == false && Tensor([1, .nan]).isFinite == false)
        #expect(Tensor([1, -2, 3e38]).isFinite && Tensor.zeros(shape: [0]).isFinite)
    }

    @Test("accumulated batches of images of different sizes are a training error, before any step")
    func accumulatedBatchesOfDifferentSizes() throws {
        var generator = SeededGenerator(seed: 0)
        let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
        let before = net.stateDict().mapValues(\.scalars)
        let samples = [
            DatasetSample(image: Tensor.zeros(shape: [1, 28, 28]), label: 0, name: "small"),
            DatasetSample(image: Tensor.zeros(shape: [1, 32, 32]), label: 0, name: "large"),
        ]
        let configuration = TrainingConfiguration(
            epochs: 1, batchSize: 1, accumulatedBatches: 2, optimizer: .adam, learningRate: 1e-3,
            weightDecay: 0, schedule: .exponential(gamma: 1))
        let loader = try DataLoader(dataset: InMemoryImages(samples: samples), batchSize: 1, seed: 0)
        let trainer = try AnomalyTrainer(net: net, objective: FCDDObjective(sigma: 1.2), configuration: configuration, loader: loader)
        #expect {
            try trainer.train()
        } throws: { error in
            guard case let .tensor(.shapeMismatch(op, _, found))? = error as? TrainingError else { return false }
            return op == "concatenate" && Set(found) == [[1, 1, 28, 28], [1, 1, 32, 32]]
        }
        #expect(net.stateDict().mapValues(\.scalars) == before)
    }
}
