import Datasets

/// Where a recipe's training anomalies come from (the official FCDD code's `--supervise-mode`,
/// `--noise-mode` and `--oe-limit`); the data set supplies them when it has real ones.
public enum AnomalyChoice: Sendable {
    /// No anomalies: nominal images only (the autoencoder's training).
    case none
    /// Synthetic noise: the noise image itself (``SyntheticPlacement/noiseImage``) or the
    /// nominal image with the noise added (``SyntheticPlacement/onNominalImage``, MVTec-AD's default).
    case synthetic(NoiseMode, SyntheticPlacement)
    /// Outlier exposure: images of another data set (CIFAR-100 in the paper), at most `limit`
    /// of them (chosen with the recipe's seed).
    case outlierExposure(any ImageDataset, limit: Int?)
    /// The data's own real anomalies (``OneClassData/realAnomalies``), with their masks.
    case realAnomalies
}

/// Where synthetic noise goes (the official code's `--supervise-mode`).
public enum SyntheticPlacement: String, Sendable, CaseIterable {
    /// The anomaly is the noise image (`noise`).
    case noiseImage = "noise"
    /// The anomaly is the nominal image with the noise added (`malformed_normal`).
    case onNominalImage = "malformed-normal"
}
