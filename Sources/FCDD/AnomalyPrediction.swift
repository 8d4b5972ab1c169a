import TensorCore

/// The result of scoring one image with an ``AnomalyPredictor``.
public struct AnomalyPrediction: Sendable {
    /// The anomaly score: for FCDD the mean of `A` over the low-resolution map, for HSC the
    /// pseudo-Huber norm of the features, for AE the mean squared reconstruction error.
    public var score: Float
    /// The explanation before it is brought to heatmap form: for FCDD the low-resolution
    /// anomaly map `A`, `[u, v]`; for the baselines the unblurred map at the input size,
    /// `[H, W]` (HSC: `|∂score/∂input|` summed over channels; AE: the squared error averaged
    /// over channels).
    public var map: Tensor
    /// The heatmap at the input size, `[H, W]`: for FCDD `A` up-sampled with the
    /// receptive-field Gaussian, for the baselines ``map`` blurred with the predictor's blur
    /// (``map`` itself without one).
    public var heatmap: Tensor
    /// `score > threshold` when the predictor has a calibrated threshold.
    public var isAnomalous: Bool?

    /// A prediction; see the properties.
    public init(score: Float, map: Tensor, heatmap: Tensor, isAnomalous: Bool? = nil) {
        self.score = score
        self.map = map
        self.heatmap = heatmap
        self.isAnomalous = isAnomalous
    }

    /// One prediction per score, with the `index`-th `[h, w]` plane of `maps` and of
    /// `heatmaps` (`[N, h, w]` or `[N, 1, h, w]`) and no decision.
    ///
    /// - Precondition: the batches hold one plane per score.
    public static func batch(scores: [Float], maps: Tensor, heatmaps: Tensor) -> [AnomalyPrediction] {
        func plane(_ index: Int, of planes: Tensor) -> Tensor {
            planes.slice(alongAxis: 0, index..<(index + 1)).reshaped(to: Array(planes.shape.suffix(2)))
        }
        guard maps.shape.first == scores.count, heatmaps.shape.first == scores.count else {
            TensorError.shapeMismatch(
                op: "AnomalyPrediction.batch", expected: "one map and one heatmap per score (\(scores.count))",
                found: [maps.shape, heatmaps.shape]
            ).trap()
        }
        return scores.indices.map { index in
            AnomalyPrediction(score: scores[index], map: plane(index, of: maps), heatmap: plane(index, of: heatmaps))
        }
    }
}
