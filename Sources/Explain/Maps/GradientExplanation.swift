import TensorCore

/// Gradient heatmaps for any differentiable model: how strongly each input pixel moves the
/// anomaly score. The plain gradient is the reference's explanation for its baselines
/// (`BaseNet.get_grad_heatmap` in the official `models/bases.py`, method 'grad', absolute),
/// e.g. the hypersphere classifier (HSC), optionally blurred with ``GaussianBlur``
/// (`--blur-heatmaps`);
/// integrated gradients (``GradientMethod/integratedGradients(steps:)``) are the second method.
public enum GradientExplanation {
    /// `|∂(Σᵢ scoreᵢ) / ∂input|` summed over the channels, one map per sample: the
    /// ``GradientMethod/gradient`` heatmaps.
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
        try heatmaps(inputs: inputs, method: .gradient, blur: blur, score: score)
    }

    /// Heatmaps `[N, H, W]` by either method: the absolute attribution of each input value,
    /// summed over the channels, optionally blurred.
    ///
    /// - Parameters:
    ///   - inputs: The images `[N, C, H, W]`.
    ///   - method: ``GradientMethod/gradient`` (`|∂score/∂input|`) or
    ///     ``GradientMethod/integratedGradients(steps:)`` (``integratedGradients(inputs:baseline:steps:score:)``).
    ///   - baseline: Integrated gradients' starting point, `[N, C, H, W]` or `[1, C, H, W]`
    ///     (one for all samples); `nil` is black (all zeros). Ignored by the plain gradient.
    ///   - blur: An optional blur of the heatmaps.
    ///   - score: The model, as for ``heatmaps(inputs:blur:score:)``.
    /// - Throws: As ``heatmaps(inputs:blur:score:)``, plus
    ///   ``ExplainError/invalidArgument(operation:message:)`` for fewer than one step and
    ///   a shape mismatch for a baseline of another shape.
    public static func heatmaps(
        inputs: Tensor, method: GradientMethod, baseline: Tensor? = nil, blur: GaussianBlur? = nil,
        score: (Tensor) throws -> Tensor
    ) throws -> Tensor {
        let attributions: Tensor
        switch method {
        case .gradient:
            attributions = try gradient(of: score, at: inputs, operation: "GradientExplanation.heatmaps")
        case let .integratedGradients(steps):
            attributions = try integratedGradients(inputs: inputs, baseline: baseline, steps: steps, score: score)
        }
        let maps = absoluteChannelSums(attributions)
        guard let blur else { return maps }
        return try blur.apply(maps)
    }

    /// Integrated gradients (Sundararajan et al., 2017), signed, one value per input value:
    /// `(x − x′) ⊙ (1/m) Σₖ ∂(Σᵢ scoreᵢ)/∂input at x′ + (k/m)(x − x′)`, k = 1…m.
    ///
    /// The attributions of a sample add up to about `scoreᵢ(x) − scoreᵢ(x′)` (exactly for a
    /// model linear in its input, and ever closer as `steps` grows): the completeness
    /// property that makes them comparable across images. The cost is `steps` forward and
    /// backward passes.
    ///
    /// - Parameters:
    ///   - inputs: The images `[N, C, H, W]`.
    ///   - baseline: The starting point `[N, C, H, W]` or `[1, C, H, W]`; `nil` is all zeros.
    ///   - steps: The number m of points on the path, ≥ 1.
    ///   - score: The model, as for ``heatmaps(inputs:blur:score:)``.
    /// - Returns: Attributions `[N, C, H, W]`, not recorded for differentiation.
    /// - Throws: As ``heatmaps(inputs:method:baseline:blur:score:)``.
    public static func integratedGradients(
        inputs: Tensor, baseline: Tensor? = nil, steps: Int, score: (Tensor) throws -> Tensor
    ) throws -> Tensor {
        let operation = "GradientExplanation.integratedGradients"
        try validateImages(inputs, operation: operation)
        guard steps >= 1 else {
            throw ExplainError.invalidArgument(operation: operation, message: "expected at least one step, found \(steps)")
        }
        let start = baseline ?? Tensor.zeros(shape: inputs.shape)
        guard start.shape == inputs.shape || start.shape == [1] + inputs.shape.dropFirst() else {
            throw ExplainError.shapeMismatch(
                operation: operation, expected: "a baseline [N, C, H, W] or [1, C, H, W] like the inputs",
                found: [inputs.shape, start.shape])
        }
        let origin = start.detached()
        let difference = inputs.detached() - origin
        var total = Tensor.zeros(shape: inputs.shape)
        for step in 1...steps {
            let point = origin + difference * (Float(step) / Float(steps))
            let gradient = try gradient(of: score, at: point, operation: operation)
            total = total + gradient
        }
        return withoutGradients { difference * total * (1 / Float(steps)) }
    }

    /// Throws unless `inputs` is a non-empty `[N, C, H, W]`.
    private static func validateImages(_ inputs: Tensor, operation: String) throws(ExplainError) {
        guard inputs.rank == 4, inputs.shape.allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch(operation: operation, expected: "non-empty inputs [N, C, H, W]", found: [inputs.shape])
        }
    }

    /// `∂(Σᵢ scoreᵢ)/∂input` at `inputs`, `[N, C, H, W]`, with the per-sample reduction
    /// of ``heatmaps(inputs:blur:score:)``.
    private static func gradient(of score: (Tensor) throws -> Tensor, at inputs: Tensor, operation: String) throws -> Tensor {
        try validateImages(inputs, operation: operation)
        let batch = inputs.shape[0]
        let leaf = inputs.detached().trackingGradients()
        let scores = try score(leaf)
        guard scores.rank >= 1, scores.shape[0] == batch else {
            throw ExplainError.shapeMismatch(
                operation: operation, expected: "scores [N] or [N, …] with N = \(batch)",
                found: [inputs.shape, scores.shape])
        }
        let perSample = scores.rank == 1 ? scores : scores.mean(alongAxes: Array(1..<scores.rank))
        let total = perSample.sum()
        guard total.isTrackingGradients else {
            throw ExplainError.invalidArgument(
                operation: operation,
                message:
                    "the scores do not depend on the inputs through recorded operations (is gradient recording off, e.g. inside withoutGradients, or are the scores detached?)"
            )
        }
        return total.gradient(wrt: leaf)
    }

    /// `Σ_c |values[n, c, h, w]|`, `[N, H, W]`.
    private static func absoluteChannelSums(_ values: Tensor) -> Tensor {
        let (batch, channels, height, width) = (values.shape[0], values.shape[1], values.shape[2], values.shape[3])
        let plane = height * width
        return Tensor(shape: [batch, height, width]) { output in
            values.withUnsafeBufferPointer { source in
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
}
