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
/// - With a checkpoint URL, a `TrainingCheckpoint` (with the net's architecture name and
///   the objective's name in its user metadata) is written atomically every
///   `checkpointInterval` epochs, and ``resume(from:)`` continues a run of the same
///   objective bit for bit where it stopped.
///
/// For objectives that train on anomalies, the loader's transform should start with an
/// ``AnomalyInjection`` so half the samples are anomalies.
///
/// ## Data-parallel training
///
/// Given a `Communicator` of several processes (the `DistributedTraining` module makes one
/// from `mpirun`'s environment), every process runs the same trainer and the processes train
/// one model together, as PyTorch's DistributedDataParallel does:
///
/// - The first ``train(callbacks:)`` checks that every process has the same run record
///   (net, objective, configuration, ``run``) and data (sample count and labels), then
///   copies rank 0's parameters and buffers to all.
/// - Each loader batch (the global batch, ``TrainingConfiguration/batchSize``) is split into
///   contiguous slices, one per process (`DataLoader.sharded(_:)`): the samples, their order
///   and their augmentation are those of a single-process run with the same seed.
/// - Each process scales its loss by its share of the step's samples, so the summed
///   gradients are the gradient of the whole batch's mean loss; they are summed in buckets
///   after the backward pass (`Communicator.allReduceSum(gradients:of:carrying:bucketCapacity:)`),
///   and every process takes the same optimiser step.
/// - Batch normalisation uses each process's own slice (per replica, as DistributedDataParallel
///   without SyncBatchNorm), so nets with batch norm train slightly differently from one
///   process with the same global batch; the running statistics of rank 0 become the model's
///   when ``train(callbacks:)`` returns (DistributedDataParallel's `broadcast_buffers`).
/// - Rank 0 alone writes checkpoints; ``resume(from:)`` reads the file on rank 0 and sends it
///   to the others, and refuses a checkpoint of another number of processes (the record holds
///   `world_size`).
/// - An error on one process (a sample that cannot be read, a non-finite loss) stops every
///   process at the same step: the others throw `CommunicationError.peerFailed(operation:ranks:)`;
///   callbacks that say stop on any process stop all of them.
public final class AnomalyTrainer {
    /// The net being trained.
    public let net: any Module
    /// The objective the net is trained with.
    public let objective: any AnomalyObjective
    /// The training settings.
    public let configuration: TrainingConfiguration
    /// The training data (with anomaly injection and augmentation in its transform): the
    /// whole loader, of which each process trains on its shard of every batch.
    public let loader: DataLoader
    /// Where checkpoints are written, if anywhere (by rank 0 only).
    public let checkpointURL: URL?
    /// Write a checkpoint after every this many epochs.
    public let checkpointInterval: Int
    /// The processes that train together (`SingleProcessCommunicator` for one).
    public let communicator: any Communicator
    /// The epochs finished so far.
    public private(set) var history: [EpochRecord] = []
    /// Whether the net has a `BatchNorm1d`, which cannot train on a single sample.
    private lazy var hasBatchNorm1d = net.namedModules.contains { $0.module is BatchNorm1d }
    private var optimizer: any Optimizer
    private var nextEpoch = 0
    private var lastCheckpoint: URL?
    /// Every process's shard of each batch, by rank.
    private let shards: [DataShard]
    /// Whether the processes have checked their settings and taken rank 0's weights.
    private var started = false
    /// What else the run depends on, recorded in checkpoints (see the initialiser).
    public let run: [String: String]

    /// A trainer of `net` with `objective`; nothing runs until ``train(callbacks:)``.
    ///
    /// `run` describes what else the run depends on (the data set, the normal class, …, as the
    /// caller names them); checkpoints record it, with the net, the objective and the
    /// configuration, and ``resume(from:)`` refuses a checkpoint whose record differs.
    /// With a `communicator` of several processes, every process constructs its trainer
    /// with the same arguments (see "Data-parallel training" above).
    ///
    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` for a configuration out of range,
    ///   a loader whose batch size differs from the configuration's, or a batch size smaller
    ///   than the number of processes; ``TrainingError/optimizer(_:)`` for optimiser
    ///   hyperparameters out of range.
    public init(
        net: any Module, objective: any AnomalyObjective, configuration: TrainingConfiguration, loader: DataLoader,
        checkpointURL: URL? = nil, checkpointInterval: Int = 1, run: [String: String] = [:],
        communicator: any Communicator = SingleProcessCommunicator()
    ) throws(TrainingError) {
        try configuration.validate()
        guard loader.batchSize == configuration.batchSize, checkpointInterval >= 1 else {
            throw .invalidConfiguration(
                "the loader's batch size \(loader.batchSize) must equal the configuration's \(configuration.batchSize), and the checkpoint interval must be ≥ 1"
            )
        }
        guard configuration.batchSize >= communicator.worldSize else {
            throw .invalidConfiguration(
                "the batch size \(configuration.batchSize) is split over \(communicator.worldSize) processes, expected at least one sample per process")
        }
        self.net = net
        self.objective = objective
        self.configuration = configuration
        self.loader = loader
        self.checkpointURL = checkpointURL
        self.checkpointInterval = checkpointInterval
        self.run = run
        self.communicator = communicator
        do {
            shards = try (0..<communicator.worldSize).map { rank throws(DatasetError) in try DataShard(rank, of: communicator.worldSize) }
            optimizer = try configuration.optimizer.makeOptimizer(learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        } catch let error as DatasetError {
            throw .invalidConfiguration("\(error)")
        } catch let error as OptimizerError {
            throw .optimizer(error)
        } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    /// Runs the remaining epochs, reporting each step to `progress`, and returns the whole
    /// history.
    ///
    /// - Throws: as ``train(callbacks:)``.
    @discardableResult
    public func train(progress: ((TrainingProgress) -> Void)? = nil) throws(TrainingError) -> [EpochRecord] {
        try train(
            callbacks: TrainingCallbacks(
                afterStep: progress.map { report in
                    {
                        report($0); return .proceed
                    }
                }))
    }

    /// Runs the remaining epochs (or until a callback says stop) and returns the whole history.
    /// Runs entirely under the `ComputeSettings` in effect when it is called, the data
    /// loader's threads included. With several processes every process calls it.
    ///
    /// - Throws: ``TrainingError`` for data, shape, optimiser, objective or checkpoint
    ///   errors, a non-finite loss, anomalies given to an objective that refuses them, or a
    ///   first step of one sample for a net with `BatchNorm1d`;
    ///   ``TrainingError/communication(_:)`` when the processes disagree on the settings or
    ///   data, another process failed, or the transport failed.
    /// - Precondition: the loader's images fit the net (its channels and, for nets with
    ///   fully connected layers, its input size): a forward pass on images that do not stops
    ///   with the layer's message. ``Recipe`` checks this before training.
    @discardableResult
    public func train(callbacks: TrainingCallbacks) throws(TrainingError) -> [EpochRecord] {
        // The settings in effect now hold for the whole run (and the loader's threads), even
        // if another task replaces the process default meanwhile.
        try ComputeSettings.withSettings(.current) { () throws(TrainingError) -> [EpochRecord] in
            try startTogether()
            let history = try runEpochs(callbacks: callbacks)
            // Each process's running statistics saw its own slices; rank 0's are the model's.
            if communicator.worldSize > 1 { try communicating { () throws(CommunicationError) in try communicator.broadcastBuffers(of: net) } }
            return history
        }
    }

    /// With several processes, once: checks that they run the same training on the same
    /// data, then gives every process rank 0's parameters and buffers.
    private func startTogether() throws(TrainingError) {
        guard !started, communicator.worldSize > 1 else { return }
        var record = runRecord
        record["data.samples"] = "\(loader.dataset.count)"
        // FNV-1a of the labels: the same on every process when the data is.
        record["data.labels"] = String(
            loader.dataset.labels.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64(bitPattern: Int64($1))) &* 0x100_0000_01B3 }, radix: 16)
        record["net.parameters"] = "\(net.parameterCount)"
        record["loader"] = "batch size \(loader.batchSize), shuffles \(loader.shuffles), drops last \(loader.dropsLastPartialBatch), seed \(loader.seed)"
        try communicating { () throws(CommunicationError) in
            try communicator.requireAgreement(on: record, what: "training settings or data")
            try communicator.broadcastState(of: net)
        }
        started = true
    }

    private func runEpochs(callbacks: TrainingCallbacks) throws(TrainingError) -> [EpochRecord] {
        let schedule = configuration.learningRateSchedule
        let (rank, shard) = (communicator.rank, shards[communicator.rank])
        while nextEpoch < configuration.epochs {
            let epoch = nextEpoch
            let start = DispatchTime.now().uptimeNanoseconds
            let rate = schedule.learningRate(atEpoch: epoch, initial: configuration.learningRate)
            optimizer.learningRate = rate
            net.train()
            let batches = loader.sharded(shard).epoch(epoch)
            let steps = (loader.batchCount + configuration.accumulatedBatches - 1) / configuration.accumulatedBatches
            var losses: [Float] = []
            var sums: [Float] = [0, 0, 0, 0]  // nominal score sum and count, anomalous score sum and count
            // The epoch's time waiting for the loader's batches, and in the steps themselves.
            var dataNanoseconds: UInt64 = 0, stepNanoseconds: UInt64 = 0
            for step in 0..<steps {
                let numbers = (step * configuration.accumulatedBatches)..<min((step + 1) * configuration.accumulatedBatches, loader.batchCount)
                // Every process's samples in this step, the same table on every process.
                let samples = shards.map { shard in numbers.reduce(0) { $0 + shard.positions(inBatchOf: loader.sampleCount(ofBatch: $1)).count } }
                let ownBatches = numbers.count { !shard.positions(inBatchOf: loader.sampleCount(ofBatch: $0)).isEmpty }
                let progress = { (loss: Float) in
                    TrainingProgress(epoch: epoch, epochs: self.configuration.epochs, step: step, steps: steps, loss: loss)
                }
                // Batch statistics of one sample are undefined: a last partial step with one
                // sample on a process is skipped, a first one means every step is that small.
                let skipped = hasBatchNorm1d && samples.contains(1)
                let (stepStart, dataBefore) = (DispatchTime.now().uptimeNanoseconds, dataNanoseconds)
                let local = Result { () throws(TrainingError) -> LocalStep? in
                    var group: [Batch] = []
                    let waitStart = DispatchTime.now().uptimeNanoseconds
                    do throws(DatasetError) {
                        while group.count < ownBatches, let batch = try batches.next() { group.append(batch) }
                    } catch {
                        throw .data(error)
                    }
                    dataNanoseconds += DispatchTime.now().uptimeNanoseconds - waitStart
                    guard !skipped || step > 0 else {
                        throw TrainingError.invalidConfiguration(
                            "the net has a BatchNorm1d layer, which cannot train on a step of one sample\(communicator.worldSize > 1 ? " per process" : ""); use a batch size of at least \(2 * communicator.worldSize) and more than one training image"
                        )
                    }
                    return skipped || group.isEmpty
                        ? nil : try localStep(group, share: Float(samples[rank]) / Float(samples.reduce(0, +)), epoch: epoch, step: step)
                }
                let synchronized = try synchronizedStep(local, skipped: skipped, epoch: epoch, step: step)
                stepNanoseconds += DispatchTime.now().uptimeNanoseconds - stepStart - (dataNanoseconds - dataBefore)
                guard let loss = synchronized else {
                    if try agreed(callbacks.afterStep?(progress(losses.last ?? 0))) == .stop { return history }
                    continue
                }
                losses.append(loss)
                if case let .success(.some(done)) = local {
                    for (score, label) in zip(done.scores, done.labels) {
                        let slot = label == 1 ? 2 : 0
                        sums[slot] += score
                        sums[slot + 1] += 1
                    }
                }
                if try agreed(callbacks.afterStep?(progress(loss))) == .stop { return history }
            }
            if communicator.worldSize > 1 { try communicating { () throws(CommunicationError) in try communicator.allReduceSum(&sums) } }
            let record = EpochRecord(
                epoch: epoch, learningRate: rate, loss: losses.reduce(0, +) / Float(max(losses.count, 1)),
                nominalScore: sums[0] / max(sums[1], 1), anomalousScore: sums[2] / max(sums[3], 1),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                dataSeconds: Double(dataNanoseconds) / 1e9, stepSeconds: Double(stepNanoseconds) / 1e9)
            history.append(record)
            nextEpoch = epoch + 1
            if let checkpointURL, nextEpoch % checkpointInterval == 0 || nextEpoch == configuration.epochs {
                try together("writing the checkpoint \(checkpointURL.path)") { () throws(TrainingError) in
                    if rank == 0 { try writeCheckpoint(to: checkpointURL) }
                }
                lastCheckpoint = checkpointURL
            }
            if try agreed(callbacks.afterEpoch?(record)) == .stop { break }
        }
        return history
    }

    /// Restores the net, optimiser, learning rate and epoch from a checkpoint written by a
    /// trainer of the same objective; ``train(callbacks:)`` then continues with the next
    /// epoch. Checkpoints without a recorded objective (written before the baselines
    /// existed) are FCDD checkpoints.
    ///
    /// With several processes every process calls it: rank 0 reads the file and sends it
    /// to the others, which need no access to it.
    ///
    /// - Throws: ``TrainingError/checkpoint(_:)`` when the file is unusable, with
    ///   `CheckpointError.kindMismatch(file:found:reader:expected:)` when it holds another
    ///   objective, or when it does not fit the net or the optimiser;
    ///   ``TrainingError/resumeMismatch(file:differences:)`` for a checkpoint of another run
    ///   (also of another number of processes); ``TrainingError/communication(_:)`` as
    ///   ``train(callbacks:)``.
    public func resume(from url: URL) throws(TrainingError) {
        let checkpoint = try readTogether(url)
        do throws(CheckpointError) {
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

    /// The checkpoint at `url`: read here with one process, else read by rank 0 and sent to
    /// every process.
    private func readTogether(_ url: URL) throws(TrainingError) -> TrainingCheckpoint {
        guard communicator.worldSize > 1 else {
            do { return try TrainingCheckpoint(contentsOf: url) } catch { throw .checkpoint(error) }
        }
        var read: TrainingCheckpoint?
        try together("reading the checkpoint \(url.path)") { () throws(TrainingError) in
            guard communicator.rank == 0 else { return }
            do throws(CheckpointError) { read = try TrainingCheckpoint(contentsOf: url) } catch { throw .checkpoint(error) }
        }
        let bytes = try communicating { () throws(CommunicationError) in
            try communicator.broadcast(bytes: read.map { [UInt8]($0.serialized()) } ?? [], from: 0)
        }
        if let read { return read }
        do { return try TrainingCheckpoint(bytes: Data(bytes), source: url.path) } catch { throw .checkpoint(error) }
    }

    /// The checkpoint metadata key of the history so far.
    private static let historyKey = "history"

    /// What a checkpoint records of the run and ``resume(from:)`` compares: the net, the
    /// objective and its settings, the configuration apart from the number of epochs (a run
    /// may be resumed to train longer), the number of processes and ``run``.
    private var runRecord: [String: String] {
        var record = run.reduce(into: [String: String]()) { $0["run." + $1.key] = $1.value }
        for (key, value) in objective.metadata { record["objective." + key] = value }
        record["net"] = net.architectureName
        // Batch norm normalises each process's slice: a run repeats with the same number only.
        record["world_size"] = "\(communicator.worldSize)"
        record[AnomalyModelFile.objectiveKey] = objective.name
        // One key per configuration field, so that a difference names the field.
        if let data = Self.json(configuration).data(using: .utf8),
            let fields = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        {
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

    /// What one process computed in a step, before the processes combine it.
    private struct LocalStep {
        /// The loss of this process's samples, scaled by their share of the step's samples.
        var loss: Float
        /// Each sample's score and label.
        var scores: [Float], labels: [Int]
        /// The gradients of the scaled loss.
        var gradients: [String: Tensor]
    }

    /// The forward and backward pass over this process's batches of a step, with the loss
    /// scaled by `share`, its share of the step's samples (1 alone: left as it is).
    private func localStep(_ group: [Batch], share: Float, epoch: Int, step: Int) throws(TrainingError) -> LocalStep {
        let labels = group.flatMap(\.labels)
        if !objective.trainsOnAnomalies {
            let anomalies = labels.count { $0 != 0 }
            guard anomalies == 0 else { throw .anomaliesRefused(objective: objective.name, epoch: epoch, batch: step, count: anomalies) }
        }
        do {
            // Accumulated batches come from the data set, whose images may differ in size
            // between batches: checked, so a mismatch is a TrainingError, not a stop.
            let images = try group.count == 1 ? group[0].images : Tensor.checkedConcatenate(group.map(\.images))
            let masks: Tensor? =
                try group.allSatisfy({ $0.masks != nil })
                ? (group.count == 1 ? group[0].masks : Tensor.checkedConcatenate(group.compactMap(\.masks))) : nil
            let result = try objective.loss(net: net, batch: TrainingBatch(images: images, labels: labels, masks: masks))
            let value = result.loss.item()
            guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint) }
            let gradients = net.gradients(of: share == 1 ? result.loss : result.loss * share)
            return LocalStep(loss: share == 1 ? value : value * share, scores: result.scores, labels: labels, gradients: gradients)
        } catch {
            throw trainingError(error, epoch: epoch, step: step)
        }
    }

    /// Combines the processes' steps (sums their gradients and losses, and learns whether
    /// any failed) and applies the update; returns the step's loss, or `nil` for a skipped
    /// step (`skipped`, or a single process without samples).
    private func synchronizedStep(_ local: Result<LocalStep?, TrainingError>, skipped: Bool, epoch: Int, step: Int) throws(TrainingError) -> Float? {
        let combined: LocalStep?
        if communicator.worldSize == 1 {
            combined = try local.get()
        } else {
            let (rank, worldSize) = (communicator.rank, communicator.worldSize)
            var gradients = (try? local.get())??.gradients ?? [:]
            // The summed loss and one failure flag per process ride in the last bucket.
            var scalars = [Float](repeating: 0, count: 1 + worldSize)
            switch local {
            case let .success(done): scalars[0] = done?.loss ?? 0
            case .failure: scalars[1 + rank] = 1
            }
            try communicating { () throws(CommunicationError) in
                if skipped {
                    try communicator.allReduceSum(&scalars)
                } else {
                    try communicator.allReduceSum(gradients: &gradients, of: net, carrying: &scalars)
                }
            }
            if case let .failure(error) = local { throw error }
            let failed = (0..<worldSize).filter { scalars[1 + $0] > 0 }
            guard failed.isEmpty else { throw .communication(.peerFailed(operation: "step \(step) of epoch \(epoch)", ranks: failed)) }
            combined = skipped ? nil : LocalStep(loss: scalars[0], scores: [], labels: [], gradients: gradients)
        }
        guard let combined else { return nil }
        guard combined.loss.isFinite else { throw .nonFiniteLoss(epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint) }
        if let name = Self.firstNonFinite(combined.gradients) {
            throw .nonFiniteValues(what: "the gradient of \(name)", epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint)
        }
        do {
            try optimizer.step(net, gradients: combined.gradients)
        } catch {
            throw .optimizer(error)
        }
        if let name = Self.firstNonFinite(net.stateDict()) {
            throw .nonFiniteValues(what: "\(name) after the update", epoch: epoch, batch: step, lastCheckpoint: lastCheckpoint)
        }
        return combined.loss
    }

    /// The error of a step as a ``TrainingError``.
    private func trainingError(_ error: any Error, epoch: Int, step: Int) -> TrainingError {
        switch error {
        case let error as TrainingError: error
        case let error as TensorError: .tensor(error)
        case let error as ExplainError: .explain(error)
        case let error as OptimizerError: .optimizer(error)
        case let error as DatasetError: .data(error)
        default: .objective(name: objective.name, epoch: epoch, batch: step, reason: "\(error)")
        }
    }

    /// `decision` (`nil`: proceed), made the same on every process: any process that says
    /// stop stops all.
    private func agreed(_ decision: TrainingDecision?) throws(TrainingError) -> TrainingDecision {
        let decision = decision ?? .proceed
        guard communicator.worldSize > 1 else { return decision }
        var stops: [Float] = [decision == .stop ? 1 : 0]
        try communicating { () throws(CommunicationError) in try communicator.allReduceSum(&stops) }
        return stops[0] > 0 ? .stop : .proceed
    }

    /// Runs `body` on every process and stops all of them if it failed on any
    /// (`Communicator.collectively(_:_:)`).
    private func together(_ operation: String, _ body: () throws(TrainingError) -> Void) throws(TrainingError) {
        do {
            try communicator.collectively(operation) { () throws in try body() }
        } catch let error as TrainingError {
            throw error
        } catch let error as CommunicationError {
            throw .communication(error)
        } catch {
            throw .communication(.transport(operation: operation, message: "\(error)"))
        }
    }

    /// A collective's result, its error as ``TrainingError/communication(_:)``.
    private func communicating<Value>(_ body: () throws(CommunicationError) -> Value) throws(TrainingError) -> Value {
        do {
            return try body()
        } catch {
            throw .communication(error)
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
