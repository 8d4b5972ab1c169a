import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// One epoch of the loss history.
public struct FCDDEpochRecord: Sendable, Codable, Equatable {
    /// The epoch (from 0).
    public let epoch: Int
    /// The learning rate used.
    public let learningRate: Float
    /// Mean batch loss.
    public let loss: Float
    /// Mean anomaly score of the nominal and of the anomalous training samples.
    public let nominalScore: Float, anomalousScore: Float
    /// Wall time of the epoch in seconds.
    public let seconds: Double
}

/// Progress of a training run, reported after every optimiser step.
public struct FCDDTrainingProgress: Sendable {
    /// The current epoch (from 0) and the number of epochs.
    public let epoch: Int, epochs: Int
    /// The current step in the epoch (from 0) and the steps per epoch.
    public let step: Int, steps: Int
    /// The step's loss.
    public let loss: Float
}

/// Trains an ``FCDDNet`` as the reference does (`fcdd-reference.md` §2, §6): per batch a
/// forward pass in training mode, the sample-level loss (or, for samples with ground-truth
/// masks and an up-sampler, the pixel-wise loss on the Gaussian-up-sampled map), a backward
/// pass and an optimiser step; the schedule steps once per epoch; `accumulatedBatches`
/// loader batches are concatenated into one forward pass. The loader's transform should
/// start with an ``AnomalyInjection`` so half the samples are anomalies.
///
/// A NaN or infinite loss stops training before the step is applied. With a checkpoint
/// URL, a ``TrainingCheckpoint`` is written atomically every `checkpointInterval` epochs and
/// ``resume(from:)`` continues a run exactly where it stopped.
public final class FCDDTrainer {
    /// The net being trained.
    public let net: FCDDNet
    /// The training settings.
    public let configuration: FCDDTrainingConfiguration
    /// The training data (with anomaly injection and augmentation in its transform).
    public let loader: DataLoader
    /// Up-samples `A` to the input size for the pixel-wise loss of samples with masks; `nil`
    /// trains every batch with the sample-level loss.
    public let upsampler: ReceptiveFieldUpsampler?
    /// Where checkpoints are written, if anywhere.
    public let checkpointURL: URL?
    /// Write a checkpoint after every this many epochs.
    public let checkpointInterval: Int
    /// The epochs finished so far.
    public private(set) var history: [FCDDEpochRecord] = []
    private var optimizer: TrainerOptimizer
    private var nextEpoch = 0
    private var lastCheckpoint: URL?

    /// A trainer; nothing runs until ``train(progress:)``.
    ///
    /// - Throws: ``FCDDTrainingError/invalidConfiguration(_:)`` for a configuration out of
    ///   range or a loader whose batch size differs from the configuration's.
    public init(
        net: FCDDNet, configuration: FCDDTrainingConfiguration, loader: DataLoader, upsampler: ReceptiveFieldUpsampler? = nil,
        checkpointURL: URL? = nil, checkpointInterval: Int = 1
    ) throws(FCDDTrainingError) {
        try configuration.validate()
        guard loader.batchSize == configuration.batchSize, checkpointInterval >= 1 else {
            throw .invalidConfiguration("the loader's batch size \(loader.batchSize) must equal the configuration's \(configuration.batchSize), and the checkpoint interval must be ≥ 1")
        }
        self.net = net
        self.configuration = configuration
        self.loader = loader
        self.upsampler = upsampler
        self.checkpointURL = checkpointURL
        self.checkpointInterval = checkpointInterval
        do {
            optimizer = switch configuration.optimizer {
            case .sgd: .sgd(try SGD(learningRate: configuration.learningRate, momentum: 0.9, nesterov: true, weightDecay: configuration.weightDecay))
            case .adam: .adam(try Adam(learningRate: configuration.learningRate, weightDecay: configuration.weightDecay))
            }
        } catch {
            throw .optimizer(error)
        }
    }

    /// Runs the remaining epochs and returns the whole history.
    ///
    /// - Throws: ``FCDDTrainingError`` for data, shape, optimiser or checkpoint errors, or a
    ///   non-finite loss.
    @discardableResult
    public func train(progress: ((FCDDTrainingProgress) -> Void)? = nil) throws(FCDDTrainingError) -> [FCDDEpochRecord] {
        let schedule = configuration.learningRateSchedule
        while nextEpoch < configuration.epochs {
            let epoch = nextEpoch
            let start = DispatchTime.now().uptimeNanoseconds
            let rate = schedule.learningRate(atEpoch: epoch, initial: configuration.learningRate)
            optimizer.learningRate = rate
            net.train()
            let batches = loader.epoch(epoch)
            let steps = (batches.count + configuration.accumulatedBatches - 1) / configuration.accumulatedBatches
            var losses: [Float] = []
            var nominal: (sum: Float, count: Int) = (0, 0), anomalous: (sum: Float, count: Int) = (0, 0)
            for step in 0..<steps {
                var group: [Batch] = []
                do {
                    while group.count < configuration.accumulatedBatches, let batch = try batches.next() { group.append(batch) }
                } catch {
                    throw .data(error)
                }
                guard !group.isEmpty else { break }
                let (loss, scores, labels) = try trainingStep(group, epoch: epoch, step: step)
                losses.append(loss)
                for (score, label) in zip(scores, labels) {
                    if label == 1 { anomalous = (anomalous.sum + score, anomalous.count + 1) } else { nominal = (nominal.sum + score, nominal.count + 1) }
                }
                progress?(FCDDTrainingProgress(epoch: epoch, epochs: configuration.epochs, step: step, steps: steps, loss: loss))
            }
            history.append(FCDDEpochRecord(
                epoch: epoch, learningRate: rate, loss: losses.reduce(0, +) / Float(max(losses.count, 1)),
                nominalScore: nominal.sum / Float(max(nominal.count, 1)), anomalousScore: anomalous.sum / Float(max(anomalous.count, 1)),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            nextEpoch = epoch + 1
            if let checkpointURL, nextEpoch % checkpointInterval == 0 || nextEpoch == configuration.epochs {
                try writeCheckpoint(to: checkpointURL)
            }
        }
        return history
    }

    /// Restores the net, optimiser, learning rate and epoch from a checkpoint written by
    /// this trainer; ``train(progress:)`` then continues with the next epoch.
    ///
    /// - Throws: ``FCDDTrainingError/checkpoint(_:)`` when the file is unusable or does not
    ///   fit the net or the optimiser.
    public func resume(from url: URL) throws(FCDDTrainingError) {
        do {
            let checkpoint = try TrainingCheckpoint(contentsOf: url)
            switch optimizer {
            case var .sgd(sgd):
                try checkpoint.restore(model: net, optimizer: &sgd)
                optimizer = .sgd(sgd)
            case var .adam(adam):
                try checkpoint.restore(model: net, optimizer: &adam)
                optimizer = .adam(adam)
            }
            nextEpoch = checkpoint.epoch
            lastCheckpoint = url
        } catch {
            throw .checkpoint(error)
        }
    }

    /// One optimiser step on concatenated batches; returns the loss and per-sample scores.
    private func trainingStep(_ group: [Batch], epoch: Int, step: Int) throws(FCDDTrainingError) -> (Float, [Float], [Int]) {
        let labels = group.flatMap(\.labels)
        do {
            let images = group.count == 1 ? group[0].images : try Tensor.concatenate(group.map(\.images))
            let phi = try net(images)
            let loss: Tensor
            if let upsampler, group.allSatisfy({ $0.masks != nil }) {
                let masks = group.count == 1 ? group[0].masks! : try Tensor.concatenate(group.map { $0.masks! })
                let upsampled = try upsampler.upsample(FCDDLoss.anomalyMap(phi))
                loss = try FCDDLoss.pixelWise(upsampledMap: upsampled, masks: masks)
            } else {
                loss = try FCDDLoss.sampleLevel(phi: phi, labels: labels)
            }
            let value = try loss.item()
            guard value.isFinite else { throw FCDDTrainingError.nonFiniteLoss(epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint) }
            let gradients = try net.gradients(of: loss)
            try optimizer.step(net, gradients: gradients)
            let scores = try withoutGradients { () throws(TensorError) -> [Float] in try FCDDLoss.scores(phi.detached()).scalars }
            return (value, scores, labels)
        } catch let error as FCDDTrainingError {
            throw error
        } catch let error as TensorError {
            throw .tensor(error)
        } catch let error as ExplainError {
            throw .explain(error)
        } catch let error as OptimizerError {
            throw .optimizer(error)
        } catch {
            throw .invalidConfiguration("unexpected error \(error)")
        }
    }

    private func writeCheckpoint(to url: URL) throws(FCDDTrainingError) {
        do {
            let checkpoint = switch optimizer {
            case let .sgd(sgd): TrainingCheckpoint(model: net, optimizer: sgd, epoch: nextEpoch, userMetadata: ["net": net.kind.rawValue])
            case let .adam(adam): TrainingCheckpoint(model: net, optimizer: adam, epoch: nextEpoch, userMetadata: ["net": net.kind.rawValue])
            }
            try checkpoint.write(to: url)
            lastCheckpoint = url
        } catch {
            throw .checkpoint(error)
        }
    }
}

/// The trainer's optimiser: a concrete type, so checkpoints restore into it.
enum TrainerOptimizer {
    case sgd(SGD)
    case adam(Adam)

    var learningRate: Float {
        get {
            switch self {
            case let .sgd(optimizer): optimizer.learningRate
            case let .adam(optimizer): optimizer.learningRate
            }
        }
        set {
            switch self {
            case var .sgd(optimizer):
                optimizer.learningRate = newValue
                self = .sgd(optimizer)
            case var .adam(optimizer):
                optimizer.learningRate = newValue
                self = .adam(optimizer)
            }
        }
    }

    mutating func step(_ model: any Module, gradients: [String: Tensor]) throws(OptimizerError) {
        switch self {
        case var .sgd(optimizer):
            try optimizer.step(model, gradients: gradients)
            self = .sgd(optimizer)
        case var .adam(optimizer):
            try optimizer.step(model, gradients: gradients)
            self = .adam(optimizer)
        }
    }
}
