import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore

/// T-shirts of the bundled Fashion-MNIST sample as nominal, outlier exposure from its other
/// classes, and local contrast normalisation, as the FCDD trainer's tests train.
private func fashionLoader(batchSize: Int, seed: UInt64, shuffles: Bool = true, failingIndex: Int? = nil) throws -> DataLoader {
    let sample = try FashionMNIST.bundledSample(split: .train)
    let nominal = try OneClassView(sample, normalClasses: [0], split: .train)
    let outliers = try OneClassView(sample, normalClasses: Array(1..<10), split: .train)
    let pipeline = Compose(try AnomalyInjection.outlierExposure(outliers, limit: 600, seed: seed), LocalContrastNormalization(scale: .l1))
    let dataset: any ImageDataset = failingIndex.map { FailingDataset(base: nominal, failingIndex: $0) } ?? nominal
    return try DataLoader(dataset: dataset, batchSize: batchSize, shuffles: shuffles, transform: pipeline, seed: seed)
}

/// A dataset whose sample `failingIndex` cannot be read.
private struct FailingDataset: ImageDataset {
    let base: any ImageDataset
    let failingIndex: Int
    var count: Int { base.count }
    var classNames: [String] { base.classNames }
    var labels: [Int] { base.labels }
    func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard index != failingIndex else { throw .unreadableFile(file: "sample \(index)", reason: "made to fail") }
        return try base.sample(at: index)
    }
}

/// A small fully convolutional net without batch norm: one process and several take the
/// same step on the same global batch (up to the order of the float sums).
private func tinyNet() -> Sequential {
    var generator = SeededGenerator(seed: 7)
    return Sequential(
        Conv2d(1, 8, kernelSize: 3, padding: 1, using: &generator), LeakyReLU(), MaxPool2d(kernelSize: 2),
        Conv2d(8, 1, kernelSize: 1, using: &generator))
}

private func trainer(
    epochs: Int = 1, batchSize: Int = 32, accumulated: Int = 1, optimizer: TrainingConfiguration.OptimizerChoice = .sgd, seed: UInt64 = 3,
    checkpoint: URL? = nil, loader: DataLoader? = nil, communicator: any Communicator
) throws -> AnomalyTrainer {
    let configuration = TrainingConfiguration(
        epochs: epochs, batchSize: batchSize, accumulatedBatches: accumulated, optimizer: optimizer, learningRate: 1e-2, weightDecay: 1e-6,
        schedule: .exponential(gamma: 0.98), seed: seed)
    return try AnomalyTrainer(
        net: tinyNet(), objective: FCDDObjective(sigma: 1.2), configuration: configuration,
        loader: loader ?? fashionLoader(batchSize: batchSize, seed: seed), checkpointURL: checkpoint,
        run: ["data": "bundled Fashion-MNIST, class 0"], communicator: communicator)
}

/// Every tensor's scalars as bit patterns, by name.
private func bits(_ net: any Module) -> [String: [UInt32]] { net.stateDict().mapValues { $0.scalars.map(\.bitPattern) } }

func trainingChecks(_ log: CheckLog) {
    let communicator = log.communicator
    let (rank, size) = (communicator.rank, communicator.worldSize)
    let alone = SingleProcessCommunicator()

    log.check("one step over the processes is the single-process step on the same global batch (SGD 32; Adam 15 × 2 accumulated)") {
        for (batchSize, accumulated, optimizer) in [(32, 1, TrainingConfiguration.OptimizerChoice.sgd), (15, 2, .adam)] {
            var losses: [Float] = []
            var updates: [[String: [Float]]] = []
            for each in [communicator, alone] {
                let trainer = try trainer(batchSize: batchSize, accumulated: accumulated, optimizer: optimizer, communicator: each)
                let before = trainer.net.stateDict()
                try trainer.train(
                    callbacks: TrainingCallbacks(afterStep: { progress in
                        losses.append(progress.loss)
                        return .stop
                    }))
                updates.append(trainer.net.stateDict().reduce(into: [:]) { $0[$1.key] = zip($1.value.scalars, before[$1.key]!.scalars).map { $0 - $1 } })
            }
            let largest = updates[1].values.joined().map(abs).max() ?? 0
            let deviation = updates[0].keys.map { name in zip(updates[0][name]!, updates[1][name]!).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            log.expect(
                largest > 0 && deviation <= 1e-4 * largest,
                "\(optimizer.kind) \(batchSize) × \(accumulated): the update differs by \(deviation), the largest update is \(largest)")
            log.expect(abs(losses[0] - losses[1]) <= 1e-5 * abs(losses[1]), "\(optimizer.kind): step loss \(losses[0]) over the processes, \(losses[1]) alone")
        }
    }

    log.check(
        "a few epochs of FCDD_CNN28 (batch norm per process): the same weights on every process, an evaluation gathered bit for bit, AUC within 0.02 of one process"
    ) {
        let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 0))
        var recipe = try Recipe.paper(for: data, net: .cnn28)
        recipe.training.epochs = 3
        recipe.training.batchSize = 32
        let outcome = try recipe.run(on: data, options: RecipeRunOptions(checksEverySample: false, communicator: communicator))
        let state = SafeTensors(tensors: outcome.predictor.net.stateDict()).serialized()
        let states = try communicator.allGather([UInt8](state))
        log.expect(states.allSatisfy { $0 == states[0] }, "the processes' weights and buffers differ after training")
        let evaluated = try outcome.predictor.evaluate(data.test, batchSize: 250)
        log.expect(evaluated.scores.map(\.bitPattern) == outcome.evaluation.scores.map(\.bitPattern), "the gathered test scores differ from one process's")
        let single = try recipe.run(on: data, options: RecipeRunOptions(checksEverySample: false))
        let (shared, own) = (outcome.evaluation.imageAUROC ?? .nan, single.evaluation.imageAUROC ?? .nan)
        if rank == 0 { print("   image AUC \(String(format: "%.4f", shared)) with \(size) processes, \(String(format: "%.4f", own)) with one") }
        log.expect(abs(shared - own) <= 0.02, "AUC \(shared) with \(size) processes, \(own) with one")
        log.expect(outcome.history.map(\.loss) != single.history.map(\.loss) || size == 1, "batch norm per process should change the losses a little")
    }

    log.check("rank 0 writes the checkpoint; resuming it over the processes gives the uninterrupted run; one process refuses it") {
        // Every process uses rank 0's path; the others never open it.
        let path = try communicator.broadcast(
            bytes: Array(
                FileManager.default.temporaryDirectory
                    .appendingPathComponent("distributed-checks-\(UUID().uuidString).safetensors").path.utf8), from: 0)
        let url = URL(fileURLWithPath: String(decoding: path, as: UTF8.self))
        defer { if rank == 0 { try? FileManager.default.removeItem(at: url) } }
        let uninterrupted = try trainer(epochs: 2, communicator: communicator)
        try uninterrupted.train()
        try trainer(epochs: 1, checkpoint: url, communicator: communicator).train()
        let resumed = try trainer(epochs: 2, communicator: communicator)
        try resumed.resume(from: url)
        try resumed.train()
        log.expect(bits(resumed.net) == bits(uninterrupted.net), "the resumed run differs from the uninterrupted one")
        log.expect(resumed.history.map(\.epoch) == [0, 1] && resumed.history.map(\.loss) == uninterrupted.history.map(\.loss), "history \(resumed.history)")
        if rank == 0, size > 1 {
            do {
                try trainer(epochs: 2, communicator: alone).resume(from: url)
                log.expect(false, "one process resumed a checkpoint of \(size)")
            } catch let TrainingError.resumeMismatch(_, differences) {
                log.expect(differences == ["world_size: \(size) in the checkpoint, 1 now"], "differences \(differences)")
            }
        }
    }

    log.check("a sample that fails on the last process stops every process at that step") {
        // Without shuffling, sample 31 lies in the last process's slice of the first batch.
        let loader = try fashionLoader(batchSize: 32, seed: 3, shuffles: false, failingIndex: 31)
        do {
            try trainer(loader: loader, communicator: communicator).train()
            log.expect(false, "training went on past a failing sample")
        } catch let TrainingError.data(error) {
            log.expect(rank == size - 1 && error == .unreadableFile(file: "sample 31", reason: "made to fail"), "process \(rank): \(error)")
        } catch let TrainingError.communication(error) {
            log.expect(rank != size - 1 && error == .peerFailed(operation: "step 0 of epoch 0", ranks: [size - 1]), "process \(rank): \(error)")
        }
    }

    log.check("processes with different settings refuse to train, naming the field") {
        do {
            try trainer(seed: 3 + UInt64(rank), communicator: communicator).train()
            log.expect(size == 1, "processes with different seeds trained")
        } catch let TrainingError.communication(.disagreement(what, differences)) {
            log.expect(
                what == "training settings or data" && differences.contains("training.seed: 3 on process 0, 4 on process 1"), "differences \(differences)")
        }
        if size > 1 {
            do {
                _ = try trainer(batchSize: size - 1, communicator: communicator)
                log.expect(false, "a batch smaller than the number of processes was accepted")
            } catch TrainingError.invalidConfiguration {}
        }
    }
}
