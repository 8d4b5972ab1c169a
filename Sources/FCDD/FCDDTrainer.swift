import Datasets
import Explain
import Foundation
import NN

/// Trains an FCDD net with ``FCDDLoss`` (`fcdd-reference.md` §2, §6): the
/// ``AnomalyTrainer`` of the FCDD objective.
public typealias FCDDTrainer = AnomalyTrainer

extension AnomalyTrainer {
    /// A trainer of an FCDD net: any module mapping images to one-channel maps φ(X), such as
    /// an ``FCDDReferenceNet``; nothing runs until ``AnomalyTrainer/train(progress:)``.
    ///
    /// - Parameters:
    ///   - upsampler: Up-samples `A` to the input size for the pixel-wise loss of samples
    ///     with masks; `nil` trains every batch with the sample-level loss.
    /// - Throws: ``FCDDTrainingError/invalidConfiguration(_:)`` for a configuration out of
    ///   range or a loader whose batch size differs from the configuration's.
    public convenience init(
        fcddNet net: any Module, configuration: FCDDTrainingConfiguration, loader: DataLoader, upsampler: ReceptiveFieldUpsampler? = nil,
        checkpointURL: URL? = nil, checkpointInterval: Int = 1
    ) throws(FCDDTrainingError) {
        try self.init(net: net, model: .fcdd(net, name: net.architectureName, upsampler: upsampler), configuration: configuration,
                      loader: loader, checkpointURL: checkpointURL, checkpointInterval: checkpointInterval)
    }

    /// Up-samples `A` to the input size for the pixel-wise loss of samples with masks;
    /// `nil` trains every batch with the sample-level loss or for another objective.
    public var upsampler: ReceptiveFieldUpsampler? {
        guard case let .fcdd(_, _, upsampler) = model else { return nil }
        return upsampler
    }
}

extension Module {
    /// The name recorded for the net in checkpoints and model files: the official name of a
    /// reference net (`FCDD_CNN28_W`), else the type's name.
    var architectureName: String {
        (self as? any FCDDReferenceNet)?.kind.rawValue ?? String(describing: type(of: self))
    }
}
