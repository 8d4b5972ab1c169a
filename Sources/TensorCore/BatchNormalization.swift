/// The result of ``Tensor/batchNorm(_:runningMean:runningVariance:weight:bias:training:momentum:epsilon:activation:)``:
/// the normalised output and, in training mode, the updated running statistics.
public struct BatchNormResult: Sendable {
    /// The normalised (and scaled and shifted) input.
    public let output: Tensor
    /// `(1 − momentum)·runningMean + momentum·batchMean` in training mode; the running mean
    /// passed in otherwise (or `nil` if none was).
    public let runningMean: Tensor?
    /// `(1 − momentum)·runningVariance + momentum·unbiasedBatchVariance` in training mode,
    /// as PyTorch; the running variance passed in otherwise.
    public let runningVariance: Tensor?
}

extension Tensor {
    /// Batch normalisation over axis 1 of `[N, C]` or `[N, C, …]` (PyTorch's `batch_norm`,
    /// for BatchNorm1d and BatchNorm2d).
    ///
    /// In training mode it normalises with the batch's mean and biased variance and returns
    /// updated running statistics (unbiased variance, as PyTorch); in evaluation mode it uses
    /// the running statistics. `weight` and `bias` (`[C]`) are optional (no affine
    /// transform).
    ///
    /// Memory-bound, so it makes the fewest passes over the data: in training mode one for
    /// the statistics (per-plane moments combined in double, accurate even for data with a large mean)
    /// and one writing the output, and backwards one for the per-channel gradient sums and one
    /// writing the input gradient; in evaluation mode one pass each way (and the sums pass when
    /// the weight or bias needs a gradient). The running statistics are constants. The work is split over threads by (image, channel) plane and the partial
    /// sums are combined in a fixed order, so the result does not depend on the thread count.
    ///
    /// With an `activation`, the output is `activation(batchNorm(input))` in the same passes:
    /// the activation is applied as the output is written, and backwards the gradient is taken
    /// back through it as the sums and the input gradient are computed, the pre-activation
    /// recomputed from the input, so the activation's output is not kept for the backward pass.
    /// The results are those of the separate ``relu()`` or ``leakyRelu(negativeSlope:)``.
    ///
    /// - Precondition: Stops with ``TensorError`` when the input has rank below 2, a per-channel tensor is not
    ///   `[C]`, evaluation mode lacks running statistics, or training mode sees only one value
    ///   per channel.
    public static func batchNorm(
        _ input: Tensor, runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor?, bias: Tensor?,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, activation: FusedActivation = .identity
    ) -> BatchNormResult {
        let op = "batchNorm"
        guard input.rank >= 2 else {
            stop(.shapeMismatch(op: op, expected: "an input of rank ≥ 2 [N, C, …]", found: [input.shape]))
        }
        let channels = input.shape[1]
        for (name, tensor) in [("runningMean", runningMean), ("runningVariance", runningVariance), ("weight", weight), ("bias", bias)] {
            if let tensor, tensor.shape != [channels] {
                stop(.shapeMismatch(op: op, expected: "\(name) of shape [\(channels)]", found: [tensor.shape]))
            }
        }
        guard (runningMean == nil) == (runningVariance == nil) else {
            stop(.invalidArgument(op: op, message: "runningMean and runningVariance must be given together"))
        }
        let batch = input.shape[0]
        let plane = shapeElementCount(Array(input.shape[2...]))
        let count = batch * plane
        guard epsilon >= 0 else { stop(.invalidArgument(op: op, message: "epsilon must be ≥ 0, found \(epsilon)")) }

        let mean: [Float]
        let inverseDeviation: [Float]
        var updatedMean = runningMean
        var updatedVariance = runningVariance
        if training {
            guard count > 1 else {
                stop(.invalidArgument(op: op, message: "training needs more than one value per channel, found input shape \(describe(input.shape))"))
            }
            let statistics = channelStatistics(input.storage.pointer, batch: batch, channels: channels, plane: plane)
            mean = statistics.mean.map { Float($0) }
            // In float: computed in double instead, the inverse deviation moves the weight
            // gradients of a deep autoencoder (FCDD's PyTorch baseline fixtures) past their tolerance.
            inverseDeviation = statistics.variance.map { 1 / (Float($0) + epsilon).squareRoot() }
            if let runningMean, let runningVariance {
                let correction = Double(count) / Double(count - 1)
                let keep = 1 - Double(momentum)
                updatedMean = Tensor(uninitializedShape: [channels]) { out in
                    for c in 0..<channels {
                        out[c] = Float(keep * Double(runningMean.storage.pointer[c]) + Double(momentum) * statistics.mean[c])
                    }
                }
                updatedVariance = Tensor(uninitializedShape: [channels]) { out in
                    for c in 0..<channels {
                        out[c] = Float(keep * Double(runningVariance.storage.pointer[c]) + Double(momentum) * statistics.variance[c] * correction)
                    }
                }
            }
        } else {
            guard let runningMean, let runningVariance else {
                stop(.invalidArgument(op: op, message: "evaluation mode needs running statistics; pass runningMean and runningVariance or use training mode"))
            }
            mean = runningMean.scalars
            inverseDeviation = runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() }
        }
        let scale = (0..<channels).map { c in inverseDeviation[c] * (weight?.storage.pointer[c] ?? 1) }
        let shift = (0..<channels).map { c in bias?.storage.pointer[c] ?? 0 }
        let passes = BatchNormPasses(
            input: input, weight: weight, bias: bias, training: training, batch: batch, channels: channels, plane: plane,
            inverseDeviation: inverseDeviation)
        let output: Tensor
        switch activation {
        case .identity:
            output = passes.run(ChannelMaps(mean: mean, scale: scale, shift: shift, activation: NoPlaneActivation()))
        case .relu:
            output = passes.run(ChannelMaps(mean: mean, scale: scale, shift: shift, activation: ReluPlaneActivation()))
        case .leakyReLU(let slope):
            output = passes.run(ChannelMaps(mean: mean, scale: scale, shift: shift, activation: LeakyReluPlaneActivation(slope: slope)))
        }
        return BatchNormResult(output: output, runningMean: updatedMean, runningVariance: updatedVariance)
    }
}

/// The memory passes of one batch-norm call once its per-channel maps are known: the output, and
/// the recorded backward pass when an operand records gradients. Generic over the activation, so
/// that each runs specialised.
private struct BatchNormPasses {
    let input: Tensor
    let weight: Tensor?
    let bias: Tensor?
    let training: Bool
    let batch: Int
    let channels: Int
    let plane: Int
    let inverseDeviation: [Float]

    func run<Activation>(_ maps: ChannelMaps<Activation>) -> Tensor {
        let (batch, channels, plane) = (batch, channels, plane)
        let output = Tensor(uninitializedShape: input.shape) { out in
            let x = UnsafePointer(input.storage.pointer)
            forEachPlane(batch: batch, channels: channels, plane: plane) { offset, c in
                planeAffine(x + offset, into: out + offset, count: plane, map: maps[c])
            }
        }
        let operands = [input] + [weight, bias].compactMap { $0 }
        guard let parents = Tensor.recordedParents(operands) else { return output }
        let (x, training, inverseDeviation, hasWeight, hasBias) = (input.detached(), training, inverseDeviation, weight != nil, bias != nil)
        let count = batch * plane
        let needsInput = parents[0] != nil
        // The affine parameters' gradients, and the training-mode input gradient, need the
        // per-channel sums; the evaluation-mode input gradient alone does not.
        let needsSums = training || parents.dropFirst().contains { $0 != nil }
        return output.recording(parents: parents, inputShapes: operands.map(\.shape)) { gradient in
            let dy = UnsafePointer(gradient.storage.pointer)
            let xs = UnsafePointer(x.storage.pointer)
            // Per channel: Σdz and Σdz·x̂, with x̂ = (x − mean)·invstd and dz the gradient
            // before the activation.
            var sumGradient: [Double] = []
            var sumGradientNormalized: [Double] = []
            if needsSums {
                let sums = channelGradientSums(dy, xs, maps: maps, batch: batch, channels: channels, plane: plane)
                sumGradient = sums.gradient
                sumGradientNormalized = (0..<channels).map { c in sums.product[c] * Double(inverseDeviation[c]) }
            }
            var result: [Tensor?] = []
            if needsInput {
                result.append(
                    Tensor(uninitializedShape: x.shape) { dx in
                        if training {
                            // dx = γ·invstd·(dz − mean(dz) − x̂·mean(dz·x̂)), with x̂ = (x − mean)·invstd.
                            let meanGradient = sumGradient.map { Float($0 / Double(count)) }
                            let meanProduct = (0..<channels).map { c in Float(sumGradientNormalized[c] / Double(count)) * inverseDeviation[c] }
                            forEachPlane(batch: batch, channels: channels, plane: plane) { offset, c in
                                planeInputGradient(
                                    dy + offset, xs + offset, into: dx + offset, count: plane, map: maps[c],
                                    combination: NormalizedInputGradient(meanGradient: meanGradient[c], meanProduct: meanProduct[c]))
                            }
                        } else {
                            // dx = γ·invstd·dz
                            forEachPlane(batch: batch, channels: channels, plane: plane) { offset, c in
                                planeInputGradient(
                                    dy + offset, xs + offset, into: dx + offset, count: plane, map: maps[c],
                                    combination: ScaledInputGradient())
                            }
                        }
                    })
            } else {
                result.append(nil)
            }
            if hasWeight { result.append(parents[1] == nil ? nil : Tensor(sumGradientNormalized.map { Float($0) })) }
            if hasBias { result.append(parents[parents.count - 1] == nil ? nil : Tensor(sumGradient.map { Float($0) })) }
            return result
        }
    }
}
