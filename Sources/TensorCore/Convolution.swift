extension Tensor {
    /// 2-D convolution (cross-correlation, as PyTorch's `conv2d`): input `[N, C, H, W]`,
    /// weight `[Cout, C / groups, kH, kW]`, optional bias `[Cout]`, giving
    /// `[N, Cout, Hout, Wout]`. Runs on the algorithm that ``ComputeSettings/current`` names
    /// (``ConvolutionAlgorithm``), on its number of threads, in the forward pass and (with the
    /// settings current then) in the backward pass; the gradients for input, weight and bias
    /// are computed only for operands that track gradients.
    ///
    /// - Precondition: Stops with ``TensorError`` when the ranks or channel counts do not fit, a parameter is
    ///   out of range, or the padded input is smaller than the dilated kernel.
    public static func conv2d(
        _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1, groups: Int = 1
    ) -> Tensor {
        let geometry = ConvolutionGeometry(
            input: input.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation,
            groups: groups, op: "conv2d")
        validateBias(bias, channels: geometry.outputChannels, op: "conv2d")
        let output = Tensor(uninitializedShape: geometry.outputShape) { output in
            geometry.forward(
                input: input.storage.pointer, weight: weight.storage.pointer,
                bias: bias.map { UnsafePointer($0.storage.pointer) }, into: output,
                settings: .current)
        }
        let operands = [input, weight] + (bias.map { [$0] } ?? [])
        guard let parents = recordedParents(operands) else { return output }
        let (x, w) = (input.detached(), weight.detached())
        let (needsInput, needsWeight, needsBias) = (parents[0] != nil, parents[1] != nil, parents.count > 2 && parents[2] != nil)
        return output.recording(parents: parents, inputShapes: operands.map(\.shape)) { gradient in
            var inputGradient: Tensor?
            var weightGradient: Tensor?
            let dx = needsInput ? TensorStorage(uninitializedCount: x.scalarCount) : nil
            let dw = needsWeight ? TensorStorage(uninitializedCount: w.scalarCount) : nil
            geometry.backward(
                input: x.storage.pointer, weight: w.storage.pointer, outputGradient: gradient.storage.pointer,
                inputGradient: dx?.pointer, weightGradient: dw?.pointer, settings: .current)
            if let dx { inputGradient = Tensor(shape: x.shape, storage: dx) }
            if let dw { weightGradient = Tensor(shape: w.shape, storage: dw) }
            var result: [Tensor?] = [inputGradient, weightGradient]
            if parents.count > 2 { result.append(needsBias ? channelSums(gradient) : nil) }
            return result
        }
    }

    /// 2-D transposed convolution (PyTorch's `conv_transpose2d`, the adjoint of `conv2d`):
    /// input `[N, Cin, H, W]`, weight `[Cin, Cout / groups, kH, kW]`, optional bias `[Cout]`,
    /// giving `[N, Cout, (H − 1)·stride − top − bottom + dilation·(kH − 1) + outputPadding + 1, …]`.
    /// Runs on the algorithm and threads of ``ComputeSettings/current``, as
    /// ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` does.
    ///
    /// - Precondition: Stops with ``TensorError`` when the shapes do not fit, a parameter is out of range, or
    ///   `outputPadding` is not smaller than the stride or the dilation (as in PyTorch).
    public static func convTranspose2d(
        _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0,
        outputPadding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1
    ) -> Tensor {
        let op = "convTranspose2d"
        guard input.rank == 4, weight.rank == 4 else {
            stop(.shapeMismatch(op: op, expected: "input [N, Cin, H, W] and weight [Cin, Cout/groups, kH, kW]", found: [input.shape, weight.shape]))
        }
        guard groups >= 1, weight.shape[0] == input.shape[1], input.shape[1] % groups == 0 else {
            stop(.shapeMismatch(op: op, expected: "weight dimension 0 = input channels, divisible by groups \(groups)", found: [input.shape, weight.shape]))
        }
        guard stride.height >= 1, stride.width >= 1, dilation.height >= 1, dilation.width >= 1, padding.isNonNegative else {
            stop(
                .invalidArgument(
                    op: op, message: "expected stride ≥ 1, dilation ≥ 1, padding ≥ 0, found stride \(stride), dilation \(dilation), padding \(padding)"))
        }
        guard outputPadding.height >= 0, outputPadding.width >= 0,
            outputPadding.height < Swift.max(stride.height, dilation.height),
            outputPadding.width < Swift.max(stride.width, dilation.width)
        else {
            stop(
                .invalidArgument(
                    op: op,
                    message:
                        "outputPadding must be non-negative and smaller than the stride or the dilation, found \(outputPadding) with stride \(stride), dilation \(dilation)"
                ))
        }
        let kernel = Size2D(weight.shape[2], weight.shape[3])
        let outputHeight =
            (input.shape[2] - 1) * stride.height - padding.top - padding.bottom
            + dilation.height * (kernel.height - 1) + outputPadding.height + 1
        let outputWidth =
            (input.shape[3] - 1) * stride.width - padding.left - padding.right
            + dilation.width * (kernel.width - 1) + outputPadding.width + 1
        guard outputHeight >= 1, outputWidth >= 1, kernel.height >= 1, kernel.width >= 1 else {
            stop(.shapeMismatch(op: op, expected: "a positive output size, got \(outputHeight)×\(outputWidth)", found: [input.shape, weight.shape]))
        }
        // The convolution whose input gradient this is: its input is our output.
        let geometry = ConvolutionGeometry(
            batch: input.shape[0], inputChannels: weight.shape[1] * groups, height: outputHeight, width: outputWidth,
            outputChannels: input.shape[1], outputHeight: input.shape[2], outputWidth: input.shape[3],
            kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups)
        validateBias(bias, channels: geometry.inputChannels, op: op)
        let output = Tensor(uninitializedShape: geometry.inputShape) { output in
            // The adjoint convolution's input gradient is our output; its `input` is read only
            // for a weight gradient, which is not requested here.
            geometry.backward(
                input: output, weight: weight.storage.pointer, outputGradient: input.storage.pointer,
                inputGradient: output, weightGradient: nil, settings: .current)
            if let bias { addChannelBias(bias, to: output, batch: geometry.batch, plane: outputHeight * outputWidth) }
        }
        let operands = [input, weight] + (bias.map { [$0] } ?? [])
        guard let parents = recordedParents(operands) else { return output }
        let (z, w) = (input.detached(), weight.detached())
        let (needsInput, needsWeight, needsBias) = (parents[0] != nil, parents[1] != nil, parents.count > 2 && parents[2] != nil)
        return output.recording(parents: parents, inputShapes: operands.map(\.shape)) { gradient in
            var result: [Tensor?] = [nil, nil]
            if needsInput {
                result[0] = Tensor(uninitializedShape: z.shape) { dz in
                    geometry.forward(
                        input: gradient.storage.pointer, weight: w.storage.pointer, bias: nil, into: dz,
                        settings: .current)
                }
            }
            if needsWeight {
                result[1] = Tensor(uninitializedShape: w.shape) { dw in
                    geometry.backward(
                        input: gradient.storage.pointer, weight: w.storage.pointer, outputGradient: z.storage.pointer,
                        inputGradient: nil, weightGradient: dw, settings: .current)
                }
            }
            if parents.count > 2 { result.append(needsBias ? channelSums(gradient) : nil) }
            return result
        }
    }

    /// Throws unless `bias` is absent or has shape `[channels]`.
    static func validateBias(_ bias: Tensor?, channels: Int, op: String) {
        if let bias, bias.shape != [channels] {
            stop(.shapeMismatch(op: op, expected: "a bias of shape [\(channels)]", found: [bias.shape]))
        }
    }

    /// Sums an `[N, C, …]` tensor over everything but the channel axis, giving `[C]`.
    static func channelSums(_ tensor: Tensor) -> Tensor {
        let axes = [0] + Array(2..<Swift.max(2, tensor.rank))
        return reduce(tensor, axes: axes, SumReduction()).reshapedUnchecked([tensor.shape[1]])
    }
}

/// Adds `bias[c]` to every element of channel `c` of an `[N, C, plane]` buffer.
func addChannelBias(_ bias: Tensor, to output: UnsafeMutablePointer<Float>, batch: Int, plane: Int) {
    let channels = bias.scalarCount
    let values = bias.storage.pointer
    parallelChunks(count: batch * channels, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, plane))) { range in
        for index in range {
            let value = values[index % channels]
            let start = output + index * plane
            for i in 0..<plane { start[i] += value }
        }
    }
}
