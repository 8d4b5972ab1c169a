import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// One epoch of the loss history.
public struct EpochRecord: Sendable, Codable, Equatable {
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
    /// Seconds of the epoch spent waiting for the data loader's batches (decoding,
    /// augmentation and stacking that prefetching did not hide); 0 in histories written
    /// before it was recorded.
    public let dataSeconds: Double
    /// Seconds of the epoch spent in training steps: concatenating accumulated batches, the
    /// forward pass, the loss, the backward pass, the optimiser step and its finiteness
    /// checks; 0 in histories written before it was recorded.
    public let stepSeconds: Double

    /// The rest of the epoch's wall time: callbacks, the scheduler, bookkeeping
    /// (``seconds`` − ``dataSeconds`` − ``stepSeconds``, never negative).
    public var otherSeconds: Double { Swift.max(0, seconds - dataSeconds - stepSeconds) }

    init(
        epoch: Int, learningRate: Float, loss: Float, nominalScore: Float, anomalousScore: Float, seconds: Double,
        dataSeconds: Double, stepSeconds: Double
    ) {
        self.epoch = epoch
        self.learningRate = learningRate
        self.loss = loss
        self.nominalScore = nominalScore
        self.anomalousScore = anomalousScore
        self.seconds = seconds
        self.dataSeconds = dataSeconds
        self.stepSeconds = stepSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case epoch, learningRate, loss, nominalScore, anomalousScore, seconds, dataSeconds, stepSeconds
    }

    /// Decodes a record; `dataSeconds` and `stepSeconds` may be missing (checkpoint histories
    /// written before they were recorded) and are 0 then.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try container.decode(Int.self, forKey: .epoch)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        loss = try container.decode(Float.self, forKey: .loss)
        nominalScore = try container.decode(Float.self, forKey: .nominalScore)
        anomalousScore = try container.decode(Float.self, forKey: .anomalousScore)
        seconds = try container.decode(Double.self, forKey: .seconds)
        dataSeconds = try container.decodeIfPresent(Double.self, forKey: .dataSeconds) ?? 0
        stepSeconds = try container.decodeIfPresent(Double.self, forKey: .stepSeconds) ?? 0
    }
}

/// Progress of a training run, reported after every optimiser step.
public struct TrainingProgress: Sendable {
    /// The current epoch (from 0) and the number of epochs.
    public let epoch: Int, epochs: Int
    /// The current step in the epoch (from 0) and the steps per epoch.
    public let step: Int, steps: Int
    /// The step's loss.
    public let loss: Float
}

/// What a callback tells the trainer after a step or an epoch.
public enum TrainingDecision: Sendable, Equatable {
    /// Go on.
    case proceed
    /// Stop after this step (or epoch): the history keeps what ran, the checkpoint (if any)
    /// is written when an epoch has finished, and a later ``AnomalyTrainer/train(callbacks:)``
    /// continues with the next epoch.
    case stop
}

/// Functions the trainer calls while it runs: for logging, progress bars and early stopping.
public struct TrainingCallbacks {
    /// Called after every optimiser step.
    public var afterStep: ((TrainingProgress) -> TrainingDecision)?
    /// Called after every epoch with its record.
    public var afterEpoch: ((EpochRecord) -> TrainingDecision)?

    /// Callbacks; either may be `nil`.
    public init(afterStep: ((TrainingProgress) -> TrainingDecision)? = nil, afterEpoch: ((EpochRecord) -> TrainingDecision)? = nil) {
        self.afterStep = afterStep
        self.afterEpoch = afterEpoch
    }
}

/// Trains any net with any ``AnomalyObjective`` as the official FCDD code trains its models:
/// per step a forward pass in training mode over ``TrainingConfiguration/accumulatedBatches``
/// concatenated loader batches, the objective's loss, a backward pass and an optimiser step
/// (SGD with momentum or Nesterov, Adam or AdamW); the schedule steps once per epoch.
///
/// - Batches whose samples all carry ground-truth masks pass them to the objective (FCDD's
///   pixel-wise loss uses them).
/// - An objective that does not train on anomalies (the autoencoder) refuses a batch with a
///   sample labelled anomalous (``TrainingError/anomaliesRefused(objective:epoch:batch:count:)``;
///   nothing is applied) rather than silently using or skipping it.
/// - A net with a `BatchNorm1d` cannot take batch statistics of a single sample, so an
///   epoch's last step is skipped when it holds one sample only; PyTorch, whose loaders the
///   reference runs with `drop_last=False`, raises there instead.
/// - A NaN or infinite loss stops training before the step is applied.
/// - With a checkpoint URL, a ``TrainingCheckpoint`` (with the net's architecture name and
///   the objective's name in its user metadata) is written atomically every
///   `checkpointInterval` epochs, and ``resume(from:)`` continues a run of the same
///   objective bit for bit where it stopped.
///
/// For objectives that train on anomalies, the loader's transform should start with an
/// ``AnomalyInjection`` so half the samples are anomalies.
public final class AnomalyTrainer {
    /// The net being trained.
    public let net: any Module
    /// The objective the net is trained with.
    public let objective: any AnomalyObjective
    /// The training settings.
    public let configuration: TrainingConfiguration
    /// The training data (with anomaly injection and augmentation in its transform).
    public let loader: DataLoader
    /// Where checkpoints are written, if anywhere.
    public let checkpointURL: URL?
    /// Write a checkpoint after every this many epochs.
    public let checkpointInterval: Int
    /// The epochs finished so far.
    public private(set) var history: [EpochRecord] = []
    /// Whether the net has a `BatchNorm1d`, which cannot train on a single sample.
    private lazy var hasBatchNorm1d = net.namedModules.contains { $0.module is BatchNorm1d }
    private var optimizer: any Optimizer
    private var nextEpoch = 0
    private var lastCheckpoint: URL?
    /// What else the run depends on, recorded in checkpoints (see the initialiser).
    public let run: [String: String]

    /// A trainer of `net` with `objective`; nothing runs until ``train(callbacks:)``.
    ///
    /// `run` describes what else the run depends on (the data set, the normal class, …, as the
    /// caller names them); checkpoints record it, with the net, the objective and the
    /// configuration, and ``resume(from:)`` refuses a checkpoint whose record differs.
    ///
    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` for a configuration out of range
    ///   or a loader whose batch size differs from the configuration's,
    ///   ``TrainingError/optimizer(_:)`` for optimiser hyperparameters out of range.
    public init(
        net: any Module, objective: any AnomalyObjective, configuration: TrainingConfiguration, loader: DataLoader,
        checkpointURL: URL? = nil, checkpointInterval: Int = 1, run: [String: String] = [:]
    ) throws(TrainingError) {
        try configuration.validate()
        guard loader.batchSize == configuration.batchSize, checkpointInterval >= 1 else {
            throw .invalidConfiguration("the loader's batch size \(loader.batchSize) must equal the configuration's \(configuration.batchSize), and the checkpoint interval must be ≥ 1")
        }
        self.net = net
        self.objective = objective
        self.configuration = configuration
        self.loader = loader
        self.checkpointURL = checkpointURL
        self.checkpointInterval = checkpointInterval
        self.run = run
        do {
            optimizer = try configuration.optimizer.makeOptimizer(learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        } catch {
            throw .optimizer(error)
        }
    }

    /// Runs the remaining epochs, reporting each step to `progress`, and returns the whole
    /// history.
    ///
    /// - Throws: as ``train(callbacks:)``.
    @discardableResult
    public func train(progress: ((TrainingProgress) -> Void)? = nil) throws(TrainingError) -> [EpochRecord] {
        try train(callbacks: TrainingCallbacks(afterStep: progress.map { report in { report($0); return .proceed } }))
    }

    /// Runs the remaining epochs (or until a callback says stop) and returns the whole history.
    /// Runs entirely under the ``ComputeSettings`` in effect when it is called, the data
    /// loader's threads included.
    ///
    /// - Throws: ``TrainingError`` for data, shape, optimiser, objective or checkpoint
    ///   errors, a non-finite loss, anomalies given to an objective that refuses them, or a
    ///   first step of one sample for a net with `BatchNorm1d`.
    /// - Precondition: the loader's images fit the net (its channels and, for nets with
    ///   fully connected layers, its input size): a forward pass on images that do not stops
    ///   with the layer's message. ``Recipe`` checks this before training.
    @discardableResult
    public func train(callbacks: TrainingCallbacks) throws(TrainingError) -> [EpochRecord] {
        // The settings in effect now hold for the whole run (and the loader's threads), even
        // if another task replaces the process default meanwhile.
        try ComputeSettings.withSettings(.current) { () throws(TrainingError) -> [EpochRecord] in
            try runEpochs(callbacks: callbacks)
        }
    }

    private func runEpochs(callbacks: TrainingCallbacks) throws(TrainingError) -> [EpochRecord] {
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
            var dataNanoseconds: UInt64 = 0, stepNanoseconds: UInt64 = 0
            for step in 0..<steps {
                var group: [Batch] = []
                let waitStart = DispatchTime.now().uptimeNanoseconds
                do {
                    while group.count < configuration.accumulatedBatches, let batch = try batches.next() { group.append(batch) }
                } catch {
                    throw .data(error)
                }
                dataNanoseconds += DispatchTime.now().uptimeNanoseconds - waitStart
                guard !group.isEmpty else { break }
                let progress = { (loss: Float) in
                    TrainingProgress(epoch: epoch, epochs: self.configuration.epochs, step: step, steps: steps, loss: loss)
                }
                if group.map(\.labels.count).reduce(0, +) == 1, hasBatchNorm1d {
                    // Batch statistics of one sample are undefined: a last partial batch of
                    // one is skipped, a first one means every batch is that small.
                    guard step > 0 else {
                        throw TrainingError.invalidConfiguration("the net has a BatchNorm1d layer, which cannot train on a step of one sample; use a batch size of at least 2 and more than one training image")
                    }
                    if callbacks.afterStep?(progress(losses.last ?? 0)) == .stop { return history }
                    continue
                }
                let stepStart = DispatchTime.now().uptimeNanoseconds
                let (loss, scores) = try trainingStep(group, epoch: epoch, step: step)
                stepNanoseconds += DispatchTime.now().uptimeNanoseconds - stepStart
                losses.append(loss)
                for (score, label) in zip(scores, group.flatMap(\.labels)) {
                    if label == 1 { anomalous = (anomalous.sum + score, anomalous.count + 1) } else { nominal = (nominal.sum + score, nominal.count + 1) }
                }
                if callbacks.afterStep?(progress(loss)) == .stop { return history }
            }
            let record = EpochRecord(
                epoch: epoch, learningRate: rate, loss: losses.reduce(0, +) / Float(max(losses.count, 1)),
                nominalScore: nominal.sum / Float(max(nominal.count, 1)), anomalousScore: anomalous.sum / Float(max(anomalous.count, 1)),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                dataSeconds: Double(dataNanoseconds) / 1e9, stepSeconds: Double(stepNanoseconds) / 1e9)
            history.append(record)
            nextEpoch = epoch + 1
            if let checkpointURL, nextEpoch % checkpointInterval == 0 || nextEpoch == configuration.epochs {
                try writeCheckpoint(to: checkpointURL)
            }
            if callbacks.afterEpoch?(record) == .stop { break }
        }
        return history
    }

    /// Restores the net, optimiser, learning rate and epoch from a checkpoint written by a
    /// trainer of the same objective; ``train(callbacks:)`` then continues with the next
    /// epoch. Checkpoints without a recorded objective (written before the baselines
    /// existed) are FCDD checkpoints.
    ///
    /// - Throws: ``TrainingError/checkpoint(_:)`` when the file is unusable, with
    ///   ``CheckpointError/kindMismatch(file:found:reader:expected:)`` when it holds another
    ///   objective, or when it does not fit the net or the optimiser.
    public func resume(from url: URL) throws(TrainingError) {
        let checkpoint: TrainingCheckpoint
        do throws(CheckpointError) {
            checkpoint = try TrainingCheckpoint(contentsOf: url)
            let stored = checkpoint.userMetadata[AnomalyModelFile.objectiveKey] ?? "fcdd"
            guard stored == objective.name else {
                throw CheckpointError.kindMismatch(
                    file: url.path, found: "a checkpoint of objective \"\(stored)\"", reader: "the trainer of \(net.architectureName)",
                    expected: "checkpoints of objective \"\(objective.name)\" only")
            }
        } catch {
            throw .checkpoint(error)
        }
        // Checkpoints written before the run was recorded have no record to compare.
        let recorded = checkpoint.userMetadata
        let differences = runRecord.keys.sorted().compactMap { key -> String? in
            guard key != Self.historyKey, let old = recorded[key], let new = runRecord[key], old != new else { return nil }
            return "\(key): \(old) in the checkpoint, \(new) now"
        }
        guard differences.isEmpty else { throw .resumeMismatch(file: url.path, differences: differences) }
        var history: [EpochRecord] = []
        if let json = recorded[Self.historyKey] {
            guard let decoded = try? JSONDecoder().decode([EpochRecord].self, from: Data(json.utf8)) else {
                throw .checkpoint(.invalidCheckpoint(file: url.path, reason: "expected the training history as JSON, found \(json.prefix(80))"))
            }
            history = decoded
        }
        do throws(CheckpointError) {
            try checkpoint.restore(model: net, optimizer: &optimizer)
        } catch {
            throw .checkpoint(error)
        }
        nextEpoch = checkpoint.epoch
        self.history = history.filter { $0.epoch < checkpoint.epoch }
        lastCheckpoint = url
    }

    /// The checkpoint metadata key of the history so far.
    private static let historyKey = "history"

    /// What a checkpoint records of the run and ``resume(from:)`` compares: the net, the
    /// objective and its settings, the configuration apart from the number of epochs (a run
    /// may be resumed to train longer), and ``run``.
    private var runRecord: [String: String] {
        var record = run.reduce(into: [String: String]()) { $0["run." + $1.key] = $1.value }
        for (key, value) in objective.metadata { record["objective." + key] = value }
        record["net"] = net.architectureName
        record[AnomalyModelFile.objectiveKey] = objective.name
        // One key per configuration field, so that a difference names the field.
        if let data = Self.json(configuration).data(using: .utf8),
           let fields = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            for (field, value) in fields where field != "epochs" {
                let text = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                record["training." + field] = text.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            }
        }
        return record
    }

    /// `value` as compact JSON with sorted keys (for records compared as text).
    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Configurations and finite histories always encode.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// One optimiser step on concatenated batches; returns the loss and per-sample scores.
    private func trainingStep(_ group: [Batch], epoch: Int, step: Int) throws(TrainingError) -> (Float, [Float]) {
        let labels = group.flatMap(\.labels)
        if !objective.trainsOnAnomalies {
            let anomalies = labels.count { $0 != 0 }
            guard anomalies == 0 else { throw .anomaliesRefused(objective: objective.name, epoch: epoch, batch: step, count: anomalies) }
        }
        do {
            // Accumulated batches come from the data set, whose images may differ in size
            // between batches: checked, so a mismatch is a TrainingError, not a stop.
            let images = try group.count == 1 ? group[0].images : Tensor.checkedConcatenate(group.map(\.images))
            let masks: Tensor? = try group.allSatisfy({ $0.masks != nil })
                ? (group.count == 1 ? group[0].masks : Tensor.checkedConcatenate(group.compactMap(\.masks))) : nil
            let result = try objective.loss(net: net, batch: TrainingBatch(images: images, labels: labels, masks: masks))
            let value = result.loss.item()
            guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint) }
            let gradients = net.gradients(of: result.loss)
            if let name = Self.firstNonFinite(gradients) {
                throw TrainingError.nonFiniteValues(what: "the gradient of \(name)", epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint)
            }
            try optimizer.step(net, gradients: gradients)
            if let name = Self.firstNonFinite(net.stateDict()) {
                throw TrainingError.nonFiniteValues(what: "\(name) after the update", epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint)
            }
            return (value, result.scores)
        } catch let error as TrainingError {
            throw error
        } catch let error as TensorError {
            throw .tensor(error)
        } catch let error as ExplainError {
            throw .explain(error)
        } catch let error as OptimizerError {
            throw .optimizer(error)
        } catch let error as DatasetError {
            throw .data(error)
        } catch {
            throw .objective(name: objective.name, epoch: epoch, batch: step, reason: "\(error)")
        }
    }

    /// The first name (in sorted order) of a tensor holding NaN or ∞, or nil; names are sorted
    /// only when one is found, not on every step.
    private static func firstNonFinite(_ tensors: [String: Tensor]) -> String? {
        guard tensors.values.contains(where: { !$0.isFinite }) else { return nil }
        return tensors.keys.sorted().first { tensors[$0]?.isFinite == false }
    }

    /// Writes a checkpoint; every step has checked that the weights are finite, so a
    /// checkpoint never holds diverged weights.
    private func writeCheckpoint(to url: URL) throws(TrainingError) {
        var metadata = runRecord
        metadata[Self.historyKey] = Self.json(history)
        do {
            try TrainingCheckpoint(model: net, optimizer: optimizer, epoch: nextEpoch, userMetadata: metadata).write(to: url)
            lastCheckpoint = url
        } catch {
            throw .checkpoint(error)
        }
    }
}

extension Module {
    /// The name recorded for the net in checkpoints: its ``NetArchitecture`` name where it
    /// describes itself, else its type's name.
    var architectureName: String {
        (self as? any ArchitectureDescribing)?.architecture.name ?? String(describing: type(of: self))
    }
}
