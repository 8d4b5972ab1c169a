import TensorCore

extension BatchNorm {
    /// The per-channel map `y = x·scale + shift` that the layer applies in evaluation mode
    /// (`scale = weight / √(running_var + eps)`, `shift = bias − running_mean·scale`), for
    /// folding into the layer before it; `nil` in training mode or without running statistics,
    /// where the layer normalises with the batch's own statistics. Computed with tensor
    /// operations, so gradients reach `weight` and `bias` through it.
    public var evaluationAffine: (scale: Tensor, shift: Tensor)? {
        guard normalisesWithRunningStatistics, let runningMean, let runningVariance else { return nil }
        let inverseDeviation = 1 / (runningVariance.value + epsilon).sqrt()
        let scale = weight.map { $0.value * inverseDeviation } ?? inverseDeviation
        let shift = (bias?.value ?? Tensor.zeros(shape: [features])) - runningMean.value * scale
        return (scale, shift)
    }
}

extension Conv2d {
    /// `activation(batchNorm(self(input)))` (without the batch norm when it is `nil`), as one
    /// fused convolution where that is exact: with the batch norm in evaluation mode, its
    /// scale is multiplied into the kernel and its shift, with this layer's bias, is added by
    /// the pass that writes the output, which also applies the activation
    /// (``Tensor/fusedConv2d(_:weight:scale:shift:activation:stride:padding:dilation:groups:)``).
    /// A batch norm in training mode runs as its own layer, with the activation after it.
    /// The results equal the separate layers up to float rounding.
    ///
    /// - Precondition: Stops with `TensorError` where the layers would.
    public func callAsFunction(_ input: Tensor, batchNorm: BatchNorm2d?, activation: FusedActivation) -> Tensor {
        guard let batchNorm else {
            return Tensor.fusedConv2d(
                input, weight: weight.value, shift: bias?.value, activation: activation, stride: stride, padding: padding,
                dilation: dilation, groups: groups)
        }
        guard batchNorm.features == outputChannels, let (scale, shift) = batchNorm.evaluationAffine else {
            return activation(batchNorm(forward(input)))
        }
        let combinedShift = bias.map { $0.value * scale + shift } ?? shift
        return Tensor.fusedConv2d(
            input, weight: weight.value, scale: scale, shift: combinedShift, activation: activation, stride: stride,
            padding: padding, dilation: dilation, groups: groups)
    }
}

extension BatchNorm {
    /// Whether ``forward(_:)`` would use the running statistics (evaluation mode, statistics
    /// tracked), so that the layer is a fixed per-channel affine map.
    var normalisesWithRunningStatistics: Bool { !isTraining && runningMean != nil && runningVariance != nil }
}

extension Sequential {
    /// The fused convolution starting at `index` (a ``Conv2d`` followed by a batch norm in
    /// evaluation mode, an activation, or both) and the index after it; `nil` where there is
    /// nothing to fuse.
    func fusedConvolution(at index: Int, input: Tensor) -> (output: Tensor, next: Int)? {
        guard let convolution = layers[index] as? Conv2d else { return nil }
        var next = index + 1
        var batchNorm: BatchNorm2d?
        if next < layers.count, let layer = layers[next] as? BatchNorm2d {
            // A batch norm on batch statistics must run between the convolution and the activation.
            guard layer.normalisesWithRunningStatistics else { return nil }
            batchNorm = layer
            next += 1
        }
        var activation = FusedActivation.identity
        if next < layers.count, let layerActivation = fusedActivation(of: layers[next]) {
            activation = layerActivation
            next += 1
        }
        guard batchNorm != nil || activation != .identity else { return nil }
        return (convolution(input, batchNorm: batchNorm, activation: activation), next)
    }
}

/// The activation a module applies, when it is one the fused convolutions apply.
func fusedActivation(of module: any Module) -> FusedActivation? {
    switch module {
    case is ReLU: .relu
    case let leaky as LeakyReLU: .leakyReLU(negativeSlope: leaky.negativeSlope)
    default: nil
    }
}
