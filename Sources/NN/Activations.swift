import TensorCore

/// Rectified linear unit, `max(x, 0)` (PyTorch's `nn.ReLU`).
public final class ReLU: PointwiseModule {
    public var isTraining = true
    /// A ReLU layer.
    public init() {}
    /// Applies the activation elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// Leaky rectified linear unit, `x` for `x ≥ 0` and `slope·x` otherwise (PyTorch's
/// `nn.LeakyReLU`; FCDD's small nets use the default slope 0.01).
public final class LeakyReLU: PointwiseModule {
    public var isTraining = true
    /// Slope for negative inputs.
    public let negativeSlope: Float
    /// A leaky ReLU with the given negative slope.
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public var settingsDescription: String { "negative_slope=\(negativeSlope)" }
    /// Applies the activation elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

/// The logistic function `1 / (1 + e^(−x))` (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: PointwiseModule {
    public var isTraining = true
    /// A sigmoid layer.
    public init() {}
    /// Applies the activation elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// Hyperbolic tangent (PyTorch's `nn.Tanh`).
public final class Tanh: PointwiseModule {
    public var isTraining = true
    /// A tanh layer.
    public init() {}
    /// Applies the activation elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.tanh() }
}
