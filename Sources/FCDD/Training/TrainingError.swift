import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// Why training an anomaly detector stopped.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    /// A setting is out of range.
    case invalidConfiguration(String)
    /// The loss became NaN or infinite; no update was applied, and the last good checkpoint
    /// (if checkpoints are written) is kept.
    case nonFiniteLoss(epoch: Int, batch: Int, lastCheckpoint: URL?)
    /// A gradient, or a parameter after an update, holds NaN or ∞ (`what` names it). A bad
    /// gradient stops training before the update; a bad parameter after it (the update
    /// overflowed). Either way no checkpoint is written from such weights, and the last good
    /// checkpoint (if checkpoints are written) is kept.
    case nonFiniteValues(what: String, epoch: Int, batch: Int, lastCheckpoint: URL?)
    /// The objective trains on nominal samples only (``AnomalyObjective/trainsOnAnomalies``
    /// is false, as for the autoencoder) but a batch held `count` samples labelled
    /// anomalous; that step was not applied. Train without an ``AnomalyInjection`` in the
    /// loader's transform.
    case anomaliesRefused(objective: String, epoch: Int, batch: Int, count: Int)
    /// The data could not be read.
    case data(DatasetError)
    /// Batches that one step combines (batch accumulation) hold images or masks of different
    /// sizes.
    case tensor(TensorError)
    /// Up-sampling or a metric failed.
    case explain(ExplainError)
    /// The optimiser refused a step or its state.
    case optimizer(OptimizerError)
    /// A checkpoint could not be written or restored.
    case checkpoint(CheckpointError)
    /// ``AnomalyTrainer/resume(from:)`` found a checkpoint of another run: each difference
    /// names what differs (net, objective or its settings, training configuration, or a
    /// field of ``AnomalyTrainer/run`` such as the data) with both values.
    case resumeMismatch(file: String, differences: [String])
    /// The objective's loss failed with an error of its own.
    case objective(name: String, epoch: Int, batch: Int, reason: String)
    /// Data-parallel training stopped: the processes disagree on the settings or data,
    /// another process failed (this one stopped with it), or the transport failed.
    case communication(CommunicationError)

    public var description: String {
        switch self {
        case let .invalidConfiguration(message): "training configuration: \(message)"
        case let .nonFiniteLoss(epoch, batch, checkpoint):
            "the loss became NaN or infinite in epoch \(epoch), batch \(batch); training stopped without applying that step"
                + (checkpoint.map { "; the last good checkpoint is \($0.path)" } ?? "")
        case let .nonFiniteValues(what, epoch, batch, checkpoint):
            "\(what) became NaN or infinite in epoch \(epoch), batch \(batch); training stopped"
                + (checkpoint.map { "; the last good checkpoint is \($0.path)" } ?? "")
        case let .anomaliesRefused(objective, epoch, batch, count):
            "the \(objective) objective trains on nominal samples only, but batch \(batch) of epoch \(epoch) holds \(count) "
                + "sample\(count == 1 ? "" : "s") labelled anomalous; remove the anomaly injection from the loader's transform"
        case let .data(error): "\(error)"
        case let .tensor(error): "\(error)"
        case let .explain(error): "\(error)"
        case let .optimizer(error): "\(error)"
        case let .checkpoint(error): "\(error)"
        case let .resumeMismatch(file, differences):
            "\(file) was written by another run, so it cannot be resumed here: " + differences.joined(separator: "; ")
        case let .objective(name, epoch, batch, reason): "the \(name) objective failed in epoch \(epoch), batch \(batch): \(reason)"
        case let .communication(error): "\(error)"
        }
    }
}
