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
    /// Mean anomaly score of the nominal and of the anomalous training samples (0 where
    /// the epoch had none, as for the autoencoder's anomalies).
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

/// Trains an anomaly detector of any ``AnomalyObjective`` as the reference does
/// (`fcdd-reference.md` §2, §2.5, §6): per step a forward pass in training mode over
/// `accumulatedBatches` concatenated loader batches, the objective's loss, a backward pass
/// and an optimiser step; the schedule steps once per epoch. Use it as ``FCDDTrainer``
/// for an ``FCDDNet`` and as ``BaselineTrainer`` for a ``BaselineNet``; the objectives differ
/// only in their loss:
///
/// - FCDD: the sample-level loss, or for groups whose samples all have ground-truth masks
///   (with an up-sampler) the pixel-wise loss on the Gaussian-up-sampled map.
/// - HSC: the labelled ``HSCLoss`` on the feature vectors.
/// - AE: the MSE of ``AutoencoderLoss`` between reconstruction and input. The reference
///   trains the autoencoder unsupervised, so a batch holding a sample labelled anomalous is
///   refused with ``FCDDTrainingError/anomaliesRefused(objective:epoch:batch:count:)``
///   (nothing is applied) rather than silently used or skipped.
///
/// For FCDD and HSC the loader's transform should start with an ``AnomalyInjection`` so
/// half the samples are anomalies; for AE it must not have one.
///
/// A net with a `BatchNorm1d` (the HSC nets' fully connected heads, the autoencoders' codes)
/// cannot take batch statistics of a single sample, so an epoch's last step is skipped when
/// it holds one sample only (when the training images leave a remainder of one); PyTorch,
/// whose loaders the reference runs with `drop_last=False`, raises there instead.
///
/// A NaN or infinite loss stops training before the step is applied. With a checkpoint
/// URL, a ``TrainingCheckpoint`` (with the net's name and the objective in its user
/// metadata) is written atomically every `checkpointInterval` epochs, and
/// ``resume(from:)`` continues a run of the same objective exactly where it stopped.
public final class AnomalyTrainer {
    /// The net being trained.
    public let net: any Module
    /// Whether the net has a `BatchNorm1d`, which cannot train on a single sample.
    private lazy var hasBatchNorm1d = net.namedModules.contains { $0.module is BatchNorm1d }
    /// The objective the net is trained with.
    public var objective: AnomalyObjective { model.objective }
    /// The training settings.
    public let configuration: FCDDTrainingConfiguration
    /// The training data (with anomaly injection, where the objective takes anomalies, and
    /// augmentation in its transform).
    public let loader: DataLoader
    /// Where checkpoints are written, if anywhere.
    public let checkpointURL: URL?
    /// Write a checkpoint after every this many epochs.
    public let checkpointInterval: Int
    /// The epochs finished so far.
    public private(set) var history: [FCDDEpochRecord] = []
    let model: TrainingModel
    private var optimizer: TrainerOptimizer
    private var nextEpoch = 0
    private var lastCheckpoint: URL?

    /// A trainer of `net` (which `model` holds); nothing runs until ``train(progress:)``.
    init(
        net: any Module, model: TrainingModel, configuration: FCDDTrainingConfiguration, loader: DataLoader,
        checkpointURL: URL?, checkpointInterval: Int
    ) throws(FCDDTrainingError) {
        try configuration.validate()
        guard loader.batchSize == configuration.batchSize, checkpointInterval >= 1 else {
            throw .invalidConfiguration("the loader's batch size \(loader.batchSize) must equal the configuration's \(configuration.batchSize), and the checkpoint interval must be ≥ 1")
        }
        self.net = net
        self.model = model
        self.configuration = configuration
        self.loader = loader
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
    /// - Throws: ``FCDDTrainingError`` for data, shape, optimiser or checkpoint errors, a
    ///   non-finite loss, or (AE) a sample labelled anomalous.
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
                if step > 0, group.map(\.labels.count).reduce(0, +) == 1, hasBatchNorm1d {
                    progress?(FCDDTrainingProgress(epoch: epoch, epochs: configuration.epochs, step: step, steps: steps, loss: losses.last ?? 0))
                    continue
                }
                let (loss, scores) = try trainingStep(group, epoch: epoch, step: step)
                losses.append(loss)
                for (score, label) in zip(scores, group.flatMap(\.labels)) {
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

    /// Restores the net, optimiser, learning rate and epoch from a checkpoint written by a
    /// trainer of the same objective; ``train(progress:)`` then continues with the next
    /// epoch. Checkpoints without a recorded objective (written before the baselines
    /// existed) are FCDD checkpoints.
    ///
    /// - Throws: ``FCDDTrainingError/checkpoint(_:)`` when the file is unusable, with
    ///   ``CheckpointError/kindMismatch(file:found:reader:expected:)`` when it holds another
    ///   objective, or when it does not fit the net or the optimiser.
    public func resume(from url: URL) throws(FCDDTrainingError) {
        do throws(CheckpointError) {
            let checkpoint = try TrainingCheckpoint(contentsOf: url)
            let stored = checkpoint.userMetadata[AnomalyObjective.metadataKey] ?? AnomalyObjective.fcdd.rawValue
            guard stored == objective.rawValue else {
                throw CheckpointError.kindMismatch(
                    file: url.path, found: "a checkpoint of objective \"\(stored)\"", reader: "the trainer of \(model.netName)",
                    expected: "checkpoints of objective \"\(objective.rawValue)\" only")
            }
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
    private func trainingStep(_ group: [Batch], epoch: Int, step: Int) throws(FCDDTrainingError) -> (Float, [Float]) {
        do {
            let (loss, scores) = try model.loss(for: group, epoch: epoch, step: step)
            let value = try loss.item()
            guard value.isFinite else { throw FCDDTrainingError.nonFiniteLoss(epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint) }
            let gradients = try net.gradients(of: loss)
            try optimizer.step(net, gradients: gradients)
            return (value, scores)
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
        let metadata = ["net": model.netName, AnomalyObjective.metadataKey: objective.rawValue]
        do {
            let checkpoint = switch optimizer {
            case let .sgd(sgd): TrainingCheckpoint(model: net, optimizer: sgd, epoch: nextEpoch, userMetadata: metadata)
            case let .adam(adam): TrainingCheckpoint(model: net, optimizer: adam, epoch: nextEpoch, userMetadata: metadata)
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
