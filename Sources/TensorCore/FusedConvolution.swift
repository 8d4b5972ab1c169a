extension Tensor {
    /// `activation(conv2d(input, weight·scale, bias: shift))`: a convolution whose output
    /// channels are scaled, shifted and passed through an activation by the pass that writes
    /// them. This is what evaluation-mode `Conv2d → BatchNorm2d → ReLU` computes once the
    /// batch norm is folded into `scale` (per output channel, multiplied into the kernel) and
    /// `shift` (taking the convolution's bias), as PyTorch's `fuse_conv_bn_eval` folds it.
    ///
    /// When no operand records gradients, the Winograd convolutions apply the shift and the
    /// activation in their output transform and the other algorithms in one extra pass, where
    /// the separate operations make three (bias, batch norm, activation). When an operand
    /// records gradients, the same composition of differentiable operations runs. The results
    /// equal the unfolded layers up to float rounding: the scale is applied to the kernel
    /// instead of the output.
    ///
    /// - Parameters:
    ///   - input: `[N, C, H, W]`.
    ///   - weight: `[Cout, C / groups, kH, kW]`.
    ///   - scale: `[Cout]`, multiplied into each output channel's kernel; `nil` for 1.
    ///   - shift: `[Cout]`, added to each output channel; `nil` for 0.
    ///   - activation: Applied last.
    ///   - stride: The step between windows.
    ///   - padding: Zeros added on each side.
    ///   - dilation: The spacing of the kernel's taps.
    ///   - groups: Channel groups, as in ``conv2d(_:weight:bias:stride:padding:dilation:groups:)``.
    /// - Precondition: Stops with ``TensorError`` where ``conv2d(_:weight:bias:stride:padding:dilation:groups:)``
    ///   does, or when `scale` or `shift` is not of shape `[Cout]`.
    public static func fusedConv2d(
        _ input: Tensor, weight: Tensor, scale: Tensor? = nil, shift: Tensor? = nil, activation: FusedActivation = .identity,
        stride: Size2D = 1, padding: Padding2D = 0, dilation: Size2D = 1, groups: Int = 1
    ) -> Tensor {
        let op = "fusedConv2d"
        let geometry = ConvolutionGeometry(
            input: input.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation,
            groups: groups, op: op)
        if let scale, scale.shape != [geometry.outputChannels] {
            stop(.shapeMismatch(op: op, expected: "a scale of shape [\(geometry.outputChannels)]", found: [scale.shape]))
        }
        validateBias(shift, channels: geometry.outputChannels, op: op)
        let kernel = scale.map { weight * $0.reshaped(to: [geometry.outputChannels, 1, 1, 1]) } ?? weight
        let operands = [input, kernel] + (shift.map { [$0] } ?? [])
        if recordedParents(operands) != nil {
            let output = conv2d(input, weight: kernel, bias: shift, stride: stride, padding: padding, dilation: dilation, groups: groups)
            return activation(output)
        }
        return Tensor(uninitializedShape: geometry.outputShape) { output in
            geometry.forward(
                input: input.storage.pointer, weight: kernel.storage.pointer,
                bias: shift.map { UnsafePointer($0.storage.pointer) }, activation: activation, into: output,
                settings: .current)
        }
    }
}
