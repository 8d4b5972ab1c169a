/// The training objective of an anomaly detector (the reference's `--objective`,
/// `fcdd-reference.md` §2, §2.5): FCDD itself or one of the baselines the paper explains
/// with gradients and reconstruction errors. Model files and training checkpoints record it
/// under the metadata key `objective` by its raw value; a file without the key holds an
/// FCDD model (files written before the baselines existed).
public enum AnomalyObjective: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Fully convolutional data description: an ``FCDDNet`` trained with ``FCDDLoss`` on
    /// nominal samples and (injected) anomalies; heatmaps are its up-sampled anomaly maps.
    case fcdd
    /// The hypersphere classifier: an HSC ``BaselineNet`` trained with ``HSCLoss`` on nominal
    /// samples and anomalies like FCDD; heatmaps are input gradients of the score.
    case hsc
    /// The autoencoder: an autoencoder ``BaselineNet`` trained with ``AutoencoderLoss`` (MSE)
    /// on nominal samples only; heatmaps are per-pixel reconstruction errors.
    case ae

    /// The metadata key under which files record the objective.
    public static let metadataKey = "objective"

    /// The short name: `FCDD`, `HSC` or `AE`.
    public var description: String {
        switch self {
        case .fcdd: "FCDD"
        case .hsc: "HSC"
        case .ae: "AE"
        }
    }

    /// Whether training takes samples labelled anomalous (1): true for FCDD and HSC, false
    /// for the autoencoder, which the reference trains unsupervised.
    public var trainsOnAnomalies: Bool { self != .ae }
}
