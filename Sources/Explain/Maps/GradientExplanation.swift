import TensorCore

/// Gradient heatmaps for any differentiable model: how strongly each input pixel moves the
/// anomaly score. This is the reference's explanation for its baselines
/// (`BaseNet.get_grad_heatmap`, method 'grad', absolute; fcdd-reference.md §2.5), e.g. the
/// hypersphere classifier (HSC), optionally blurred with ``GaussianBlur`` (`--blur-heatmaps`).
public enum GradientExplanation {
    /// `|∂(Σᵢ scoreᵢ) / ∂input|` summed over the channels, one map per sample.
    ///
    /// The score of sample i is the mean of `score(inputs)[i]` over all its other axes (a
    /// per-sample score `[N]` is used as it is; a map `[N, 1, h, w]` is averaged, as the
    /// reference reduces its loss maps). Samples do not interact in an evaluation-mode
    /// model, so the gradient of the sum gives every sample its own gradient.
    ///
    /// - Parameters:
    ///   - inputs: The images `[N, C, H, W]`; their own gradient tracking is not needed.
    ///   - blur: An optional blur of the heatmaps (the reference blurs baselines with
    ///     ``GaussianBlur/reference(receptiveFieldSize:sigma:)``).
    ///   - score: The model: images in, scores `[N]` or `[N, …]` out, built from TensorCore
    ///     operations with gradient recording on (not inside `withoutGradients`). Put
    ///     batch-normalised models in evaluation mode first.
    /// - Returns: Heatmaps `[N, H, W]`, ≥ 0, not recorded for differentiation.
    /// - Throws: What `score` throws, unchanged; otherwise ``ExplainError``: a shape mismatch
    ///   for inputs that are not `[N, C, H, W]` or scores without the batch axis, or
    ///   ``ExplainError/invalidArgument(operation:message:)`` when the scores were not
    ///   recorded as depending on the inputs.
    public static func heatmaps(inputs: Tensor, blur: GaussianBlur? = nil, score: (Tensor) throws -> Tensor) throws -> Tensor {
        let operation = "GradientExplanation.heatmaps"
        guard inputs.rank == 4, inputs.shape.allSatisfy({ $0 >= 1 }) else {
            throw ExplainError.shapeMismatch(operation: operation, expected: "non-empty inputs [N, C, H, W]", found: [inputs.shape])
        }
        let (batch, channels, height, width) = (inputs.shape[0], inputs.shape[1], inputs.shape[2], inputs.shape[3])
        let leaf = inputs.detached().trackingGradients()
        let scores = try score(leaf)
        guard scores.rank >= 1, scores.shape[0] == batch else {
            throw ExplainError.shapeMismatch(operation: operation, expected: "scores [N] or [N, …] with N = \(batch)",
                                             found: [inputs.shape, scores.shape])
        }
        let gradient = try MapsSupport.tensorOperation { () throws(TensorError) -> Tensor in
            let perSample = scores.rank == 1 ? scores : try scores.mean(alongAxes: Array(1..<scores.rank))
            let total = perSample.sum()
            guard total.isTrackingGradients else {
                throw TensorError.invalidArgument(
                    op: operation,
                    message: "the scores do not depend on the inputs through recorded operations (is gradient recording off, e.g. inside withoutGradients, or are the scores detached?)")
            }
            return try total.gradient(wrt: leaf)
        }
        let plane = height * width
        let maps = try MapsSupport.tensorOperation { () throws(TensorError) in
            try Tensor(shape: [batch, height, width]) { output in
                gradient.withUnsafeBufferPointer { source in
                    for sample in 0..<batch {
                        let (target, first) = (sample * plane, sample * channels * plane)
                        for pixel in 0..<plane { output[target + pixel] = Swift.abs(source[first + pixel]) }
                        for channel in 1..<Swift.max(channels, 1) {
                            let values = first + channel * plane
                            for pixel in 0..<plane { output[target + pixel] += Swift.abs(source[values + pixel]) }
                        }
                    }
                }
            }
        }
        guard let blur else { return maps }
        return try blur.apply(maps)
    }
}
