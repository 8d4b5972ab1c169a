import TensorCore

/// Runs `body` over the values of several tensors of one shape and returns `outputCount`
/// new tensors of that shape that `body` fills in the same pass: the optimisers' fused
/// update loops, without intermediate tensors or copies.
func elementwiseUpdate(
    _ inputs: [Tensor], outputs outputCount: Int, shape: [Int],
    _ body: (_ inputs: [UnsafeBufferPointer<Float>], _ outputs: [UnsafeMutableBufferPointer<Float>]) -> Void
) -> [Tensor] {
    withInputs(inputs[...], []) { inputBuffers in
        makeOutputs(outputCount, shape: shape, []) { outputBuffers in body(inputBuffers, outputBuffers) }
    }
}

private func withInputs<R>(
    _ remaining: ArraySlice<Tensor>, _ opened: [UnsafeBufferPointer<Float>], _ body: ([UnsafeBufferPointer<Float>]) -> R
) -> R {
    guard let first = remaining.first else { return body(opened) }
    return first.withUnsafeBufferPointer { buffer in withInputs(remaining.dropFirst(), opened + [buffer], body) }
}

private func makeOutputs(
    _ remaining: Int, shape: [Int], _ opened: [UnsafeMutableBufferPointer<Float>],
    _ body: ([UnsafeMutableBufferPointer<Float>]) -> Void
) -> [Tensor] {
    guard remaining > 0 else {
        body(opened)
        return []
    }
    var inner: [Tensor] = []
    // The shape is that of an existing tensor, so creating one cannot fail.
    let tensor = Tensor(shape: shape) { buffer in
        inner = makeOutputs(remaining - 1, shape: shape, opened + [buffer], body)
    }
    return [tensor] + inner
}

/// Zeros of a shape taken from an existing tensor (so creating it cannot fail): the
/// initial value of an optimiser's moment estimates.
func zeroTensor(shape: [Int]) -> Tensor {
    Tensor.zeros(shape: shape)
}
