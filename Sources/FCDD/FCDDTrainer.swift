import Datasets
import Explain
import Foundation

/// Trains an ``FCDDNet`` with ``FCDDLoss`` (`fcdd-reference.md` §2, §6): the
/// ``AnomalyTrainer`` of the FCDD objective.
public typealias FCDDTrainer = AnomalyTrainer<FCDDNet>

extension AnomalyTrainer where Net == FCDDNet {
    /// A trainer of an FCDD net; nothing runs until ``AnomalyTrainer/train(progress:)``.
    ///
    /// - Parameters:
    ///   - upsampler: Up-samples `A` to the input size for the pixel-wise loss of samples
    ///     with masks; `nil` trains every batch with the sample-level loss.
    /// - Throws: ``FCDDTrainingError/invalidConfiguration(_:)`` for a configuration out of
    ///   range or a loader whose batch size differs from the configuration's.
    public convenience init(
        net: FCDDNet, configuration: FCDDTrainingConfiguration, loader: DataLoader, upsampler: ReceptiveFieldUpsampler? = nil,
        checkpointURL: URL? = nil, checkpointInterval: Int = 1
    ) throws(FCDDTrainingError) {
        try self.init(net: net, model: .fcdd(net, upsampler: upsampler), configuration: configuration, loader: loader,
                      checkpointURL: checkpointURL, checkpointInterval: checkpointInterval)
    }

    /// Up-samples `A` to the input size for the pixel-wise loss of samples with masks;
    /// `nil` trains every batch with the sample-level loss.
    public var upsampler: ReceptiveFieldUpsampler? {
        guard case let .fcdd(_, upsampler) = model else { return nil }
        return upsampler
    }
}
