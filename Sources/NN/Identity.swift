import TensorCore

/// Passes its input through unchanged (PyTorch's `nn.Identity`): the shortcut of a
/// ``Residual`` block whose channels and size already match.
public final class Identity: PointwiseModule {
    public var isTraining = true
    /// An identity layer.
    public init() {}
    /// Returns the input.
    public func forward(_ input: Tensor) -> Tensor { input }
}
