import TensorCore

/// The autoencoder baseline's objective (`training/ae.py` of the official code, reduced as
/// `training/bases.py` does): the squared reconstruction error of a ``BaselineNet``
/// autoencoder. Its mean is the training loss (unsupervised: labels are not used), its
/// per-sample mean the anomaly score, and its per-pixel mean over channels the explanation
/// heatmap (the reference blurs that for display with `GaussianBlur` from Explain).
///
/// Every function takes reconstructions and inputs of the same shape `[N, C, H, W]`; the
/// gradient flows into both (detach the inputs to train the net only, as the reference's
/// inputs carry no gradient).
public enum AutoencoderLoss {
    /// The elementwise squared error `(reconstruction − inputs)²`, `[N, C, H, W]` (the
    /// reference's loss with reduce='none').
    ///
    /// - Precondition: Stops with `TensorError` when the shapes differ or are not `[N, C, H, W]`.
    public static func squaredErrors(reconstruction: Tensor, inputs: Tensor) -> Tensor {
        requireImagePair(reconstruction, inputs, op: "AutoencoderLoss.squaredErrors")
        return (reconstruction - inputs).squared()
    }

    /// The training loss: the mean squared error over all `N·C·H·W` elements.
    ///
    /// - Precondition: Stops with `TensorError` when the shapes differ or are not `[N, C, H, W]`.
    public static func loss(reconstruction: Tensor, inputs: Tensor) -> Tensor {
        squaredErrors(reconstruction: reconstruction, inputs: inputs).mean()
    }

    /// The anomaly score of each sample: the mean squared error over its `C·H·W` elements,
    /// `[N]`.
    ///
    /// - Precondition: Stops with `TensorError` when the shapes differ or are not `[N, C, H, W]`.
    public static func scores(reconstruction: Tensor, inputs: Tensor) -> Tensor {
        squaredErrors(reconstruction: reconstruction, inputs: inputs).mean(alongAxes: [1, 2, 3])
    }

    /// The explanation: the squared error of each pixel averaged over the channels,
    /// `[N, 1, H, W]`, ≥ 0.
    ///
    /// - Precondition: Stops with `TensorError` when the shapes differ or are not `[N, C, H, W]`.
    public static func errorMaps(reconstruction: Tensor, inputs: Tensor) -> Tensor {
        squaredErrors(reconstruction: reconstruction, inputs: inputs).mean(alongAxes: [1], keepingDimensions: true)
    }

    private static func requireImagePair(_ reconstruction: Tensor, _ inputs: Tensor, op: String) {
        guard reconstruction.rank == 4, reconstruction.shape == inputs.shape,
            reconstruction.shape.allSatisfy({ $0 >= 1 })
        else {
            TensorError.shapeMismatch(
                op: op, expected: "reconstructions and inputs of one non-empty shape [N, C, H, W]",
                found: [reconstruction.shape, inputs.shape]
            ).trap()
        }
    }
}
