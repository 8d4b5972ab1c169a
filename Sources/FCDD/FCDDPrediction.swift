import TensorCore

/// The result of scoring one image with an ``AnomalyPredictor``.
public struct FCDDPrediction: Sendable {
    /// The anomaly score: for FCDD the mean of `A` over the low-resolution map, for HSC the
    /// pseudo-Huber norm of the features, for AE the mean squared reconstruction error.
    public let score: Float
    /// The explanation before it is brought to heatmap form: for FCDD the low-resolution
    /// anomaly map `A`, `[u, v]`; for the baselines the unblurred map at the input size,
    /// `[H, W]` (HSC: `|∂score/∂input|` summed over channels; AE: the squared error averaged
    /// over channels).
    public let map: Tensor
    /// The heatmap at the input size, `[H, W]`: for FCDD `A` up-sampled with the
    /// receptive-field Gaussian, for the baselines ``map`` blurred with the predictor's blur
    /// (``map`` itself without one).
    public let heatmap: Tensor
    /// `score > threshold` when the predictor has a calibrated threshold.
    public let isAnomalous: Bool?
}
