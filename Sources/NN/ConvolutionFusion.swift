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

    /// Whether ``forward(_:)`` would use the running statistics (evaluation mode, statistics
    /// tracked), so that the layer is a fixed per-channel affine map.
    var normalisesWithRunningStatistics: Bool { !isTraining && runningMean != nil && runningVariance != nil }
}

extension Conv2d {
    /// `activation(batchNorm(self(input)))` (without the batch norm when it is `nil`), as one
    /// fused convolution where that is exact: with the batch norm in evaluation mode, its
    /// scale is multiplied into the kernel and its shift, with this layer's bias, is added by
    /// the pass that writes the output, which also applies the activation
    /// (TensorCore's `Tensor.fusedConv2d`).
    /// A batch norm in training mode runs after the convolution, with the activation fused
    /// into its own passes (``BatchNorm/forward(_:activation:)``). The results equal the
    /// separate layers up to float rounding (exactly, in training mode).
    ///
    /// - Precondition: Stops with `TensorError` where the layers would.
    public func callAsFunction(_ input: Tensor, batchNorm: BatchNorm2d?, activation: FusedActivation) -> Tensor {
        guard let batchNorm else {
            return Tensor.fusedConv2d(
                input, weight: weight.value, shift: bias?.value, activation: activation, stride: stride, padding: padding,
                dilation: dilation, groups: groups)
        }
        guard batchNorm.features == outputChannels, let (scale, shift) = batchNorm.evaluationAffine else {
            return batchNorm.forward(forward(input), activation: activation)
        }
        let combinedShift = bias.map { $0.value * scale + shift } ?? shift
        return Tensor.fusedConv2d(
            input, weight: weight.value, scale: scale, shift: combinedShift, activation: activation, stride: stride,
            padding: padding, dilation: dilation, groups: groups)
    }
}

extension Sequential {
    /// The fused run of layers starting at `index` and the index after it: a ``Conv2d``
    /// followed by a batch norm in evaluation mode, an activation, or both (one fused
    /// convolution); a ``Conv2d`` followed by a batch norm in training mode and an activation
    /// (the convolution, then the batch norm with the activation fused into it); a
    /// ``BatchNorm2d`` followed by an activation. `nil` where there is nothing to fuse.
    func fusedRun(at index: Int, input: Tensor) -> (output: Tensor, next: Int)? {
        let convolution = layers[index] as? Conv2d
        var next = convolution == nil ? index : index + 1
        var batchNorm: BatchNorm2d?
        if next < layers.count, let layer = layers[next] as? BatchNorm2d {
            batchNorm = layer
            next += 1
        }
        var activation = FusedActivation.identity
        if next < layers.count, let layerActivation = fusedActivation(of: layers[next]) {
            activation = layerActivation
            next += 1
        }
        if let convolution {
            // A batch norm on batch statistics fuses only with its activation.
            guard batchNorm != nil || activation != .identity else { return nil }
            return (convolution(input, batchNorm: batchNorm, activation: activation), next)
        }
        guard let batchNorm, activation != .identity else { return nil }
        return (batchNorm.forward(input, activation: activation), next)
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
