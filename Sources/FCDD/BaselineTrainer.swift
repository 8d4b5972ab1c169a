import Datasets
import Foundation

/// Trains a ``BaselineNet`` as the reference trains its baselines (`fcdd-reference.md`
/// §2.5): an HSC net with the labelled ``HSCLoss`` (anomalies injected as for FCDD), an
/// autoencoder with the MSE of ``AutoencoderLoss`` on nominal samples only. The
/// ``AnomalyTrainer`` of the HSC and AE objectives.
public typealias BaselineTrainer = AnomalyTrainer

extension AnomalyTrainer {
    /// A trainer of a baseline net with the objective of its kind
    /// (``BaselineNetKind/objective``); nothing runs until ``AnomalyTrainer/train(progress:)``.
    ///
    /// An autoencoder trains on nominal samples only: give it a loader without an
    /// ``AnomalyInjection``; a batch with a sample labelled anomalous stops training with
    /// ``FCDDTrainingError/anomaliesRefused(objective:epoch:batch:count:)``. Masks in the
    /// batches are not used by either objective.
    ///
    /// - Throws: ``FCDDTrainingError/invalidConfiguration(_:)`` for a configuration out of
    ///   range or a loader whose batch size differs from the configuration's.
    public convenience init(
        baselineNet net: any BaselineNet, configuration: FCDDTrainingConfiguration, loader: DataLoader,
        checkpointURL: URL? = nil, checkpointInterval: Int = 1
    ) throws(FCDDTrainingError) {
        try self.init(net: net, model: net.kind.isAutoencoder ? .autoencoder(net) : .hsc(net), configuration: configuration,
                      loader: loader, checkpointURL: checkpointURL, checkpointInterval: checkpointInterval)
    }
}
