/// The objectives of the official FCDD code (its `--objective`), by the names model files
/// record: FCDD itself and the two baselines the paper explains with gradients and
/// reconstruction errors. Each names one ``AnomalyObjective`` conformance.
public enum ReferenceObjective: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Fully convolutional data description (``FCDDObjective``): a fully convolutional net
    /// trained with ``FCDDLoss``; heatmaps are its up-sampled anomaly maps.
    case fcdd
    /// The hypersphere classifier (``HSCObjective``): an HSC ``BaselineNet`` trained with
    /// ``HSCLoss``; heatmaps are input gradients of the score.
    case hsc
    /// The autoencoder (``AutoencoderObjective``): an autoencoder ``BaselineNet`` trained with
    /// ``AutoencoderLoss`` (MSE) on nominal samples only; heatmaps are reconstruction errors.
    case ae

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
