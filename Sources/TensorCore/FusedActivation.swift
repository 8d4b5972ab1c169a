import CConvolution

/// An activation that a fused kernel applies to each value as it writes its output, such as
/// ``Tensor/fusedConv2d(_:weight:scale:shift:activation:stride:padding:dilation:groups:)``:
/// the same float results as the separate ``Tensor/relu()`` and
/// ``Tensor/leakyRelu(negativeSlope:)``, without a second pass over the output.
public enum FusedActivation: Sendable, Hashable {
    /// No activation.
    case identity
    /// `max(x, 0)`, as ``Tensor/relu()``.
    case relu
    /// `x` for `x > 0`, `negativeSlope·x` otherwise, as ``Tensor/leakyRelu(negativeSlope:)``.
    case leakyReLU(negativeSlope: Float)

    /// Applies the activation as its own (differentiable) operation.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch self {
        case .identity: input
        case .relu: input.relu()
        case .leakyReLU(let slope): input.leakyRelu(negativeSlope: slope)
        }
    }

    /// The activation as the C kernels take it.
    var kernelActivation: cconv_activation {
        switch self {
        case .identity: cconv_activation(kind: CCONV_ACTIVATION_NONE, negative_slope: 0)
        case .relu: cconv_activation(kind: CCONV_ACTIVATION_RELU, negative_slope: 0)
        case .leakyReLU(let slope): cconv_activation(kind: CCONV_ACTIVATION_LEAKY_RELU, negative_slope: slope)
        }
    }

    /// Applies the activation to `count` floats in place, split over `threads`.
    func apply(inPlace values: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
        switch self {
        case .identity: return
        case .relu: mapElements(values, into: values, count: count, ReluFunction(), threads: threads)
        case .leakyReLU(let slope): mapElements(values, into: values, count: count, LeakyReluFunction(slope: slope), threads: threads)
        }
    }
}
