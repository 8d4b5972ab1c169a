import TensorCore

/// The hypersphere-classifier (HSC) baseline's objective (`training/hsc.py` of the
/// official code): the pseudo-Huber norm of a ``BaselineNet`` HSC net's feature
/// vector, `h = sqrt(‖out‖² + 1) − 1`, is the anomaly score; training pulls nominal scores
/// down and pushes anomalous ones up with FCDD's sample-level terms. Labels follow
/// ``FCDDLoss``: 0 nominal, 1 anomalous. The centre of the hypersphere is 0, absorbed in
/// the last layer's bias.
///
/// The explanation of this baseline is the gradient of the score with respect to the input:
/// `GradientExplanation.heatmaps(inputs:blur:score:)` (Explain) with ``scores(_:)`` of a net in
/// evaluation mode computes the reference's heatmap (`BaseNet.get_grad_heatmap`, 'grad',
/// absolute, summed over channels).
public enum HSCLoss {
    /// The floor inside the anomalous log term, `−log(1 − e^(−h) + 1e-31)`, as FCDD's.
    public static let logFloor: Float = FCDDLoss.logFloor

    /// The anomaly score of each sample, `h = sqrt(‖out‖² + 1) − 1` with the squared norm
    /// summed over the feature axis, `[N]`, ≥ 0. Also the reference's loss in evaluation mode
    /// (its batch mean with reduce='mean').
    ///
    /// Computed as `s / (sqrt(s + 1) + 1)` with `s = ‖out‖²`, the same function without the
    /// cancellation of `sqrt(s + 1) − 1` in float32 for small `s`; the gradient is still
    /// `out / sqrt(s + 1)`.
    ///
    /// - Precondition: Stops with `TensorError` when `features` is not `[N, D]` with N, D ≥ 1.
    public static func scores(_ features: Tensor) -> Tensor {
        guard features.rank == 2, features.shape[0] >= 1, features.shape[1] >= 1 else {
            TensorError.shapeMismatch(op: "HSCLoss.scores", expected: "features [N, D] with N, D ≥ 1", found: [features.shape]).trap()
        }
        let squaredNorms = features.squared().sum(alongAxes: [1])
        return squaredNorms / ((squaredNorms + 1).sqrt() + 1)
    }

    /// The training loss: the batch mean of `h` for nominal samples and
    /// `−log(1 − e^(−h) + 1e-31)` for anomalous ones. The reference applies this labelled
    /// form whenever the net is in training mode, whatever labels a batch holds (so an
    /// unsupervised run, all labels 0, is a pseudo-Huber Deep SVDD). The anomalous term is
    /// computed as `−log(−expm1(−h) + 1e-31)`, exact for small `h` in float32.
    ///
    /// - Precondition: Stops with `TensorError` when `features` is not `[N, D]`, the label count is not
    ///   `N`, or a label is not 0 or 1.
    public static func loss(features: Tensor, labels: [Int]) -> Tensor {
        FCDDLoss.labelled(means: scores(features), labels: labels, op: "HSCLoss.loss")
    }
}
