import TensorCore

/// The non-linearity that follows a layer, for the gain of the variance-preserving
/// initialisers (PyTorch's `calculate_gain`).
public enum Nonlinearity: Sendable, Equatable {
    /// Identity, convolution or sigmoid: gain 1.
    case linear
    /// Sigmoid: gain 1.
    case sigmoid
    /// Tanh: gain 5/3.
    case tanh
    /// ReLU: gain √2.
    case relu
    /// Leaky ReLU with the given negative slope: gain √(2 / (1 + slope²)).
    case leakyRelu(negativeSlope: Float)

    /// The recommended gain, as PyTorch's `torch.nn.init.calculate_gain`.
    public var gain: Float {
        switch self {
        case .linear, .sigmoid: 1
        case .tanh: 5.0 / 3.0
        case .relu: Float(2).squareRoot()
        case let .leakyRelu(slope): (2 / (1 + slope * slope)).squareRoot()
        }
    }
}

/// Which fan a kaiming initialiser preserves the variance of.
public enum FanMode: Sendable, Equatable {
    /// The inputs to a unit: preserves the variance of activations in the forward pass.
    case fanIn
    /// The outputs of a unit: preserves the variance of gradients in the backward pass.
    case fanOut
}

/// Weight initialisers with PyTorch's formulas (`torch.nn.init`), each drawing from an
/// explicit seeded generator so that the same seed gives the same model on every machine.
///
/// Fans are PyTorch's: for a weight of shape `[d0, d1, k…]`, fan-in is `d1·∏k` and fan-out
/// `d0·∏k` (so a transposed convolution's `[Cin, Cout/groups, kH, kW]` weight has fan-in
/// `Cout/groups·kH·kW`, exactly as in PyTorch).
public enum Initialization {
    /// Fan-in and fan-out of a weight shape of rank ≥ 2 (PyTorch's
    /// `_calculate_fan_in_and_fan_out`).
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for a rank below 2.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else {
            TensorError.invalidArgument(op: "Initialization.fans", message: "fans need a weight of rank ≥ 2, found shape \(shape)").trap()
        }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// Uniform values in `[−bound, bound)`.
    public static func uniform(shape: [Int], bound: Float, using generator: inout SeededGenerator) -> Tensor {
        Tensor.randomUniform(shape: shape, low: -bound, high: bound, using: &generator)
    }

    /// He/kaiming uniform initialisation: `U(−b, b)` with `b = gain·√(3 / fan)`.
    /// PyTorch's default for convolution and linear weights is
    /// `nonlinearity: .leakyRelu(negativeSlope: √5)` with fan-in, which gives `b = 1/√fanIn`.
    public static func kaimingUniform(
        shape: [Int], nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0), mode: FanMode = .fanIn,
        using generator: inout SeededGenerator
    ) -> Tensor {
        let fan = selectedFan(shape, mode)
        let bound = nonlinearity.gain * (3 / Float(fan)).squareRoot()
        return uniform(shape: shape, bound: bound, using: &generator)
    }

    /// He/kaiming normal initialisation: `N(0, σ²)` with `σ = gain / √fan`.
    public static func kaimingNormal(
        shape: [Int], nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0), mode: FanMode = .fanIn,
        using generator: inout SeededGenerator
    ) -> Tensor {
        let fan = selectedFan(shape, mode)
        return Tensor.randomNormal(shape: shape, standardDeviation: nonlinearity.gain / Float(fan).squareRoot(), using: &generator)
    }

    /// Glorot/xavier uniform initialisation: `U(−b, b)` with `b = gain·√(6 / (fanIn + fanOut))`.
    public static func xavierUniform(shape: [Int], gain: Float = 1, using generator: inout SeededGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(of: shape)
        let bound = gain * (6 / Float(Swift.max(1, fanIn + fanOut))).squareRoot()
        return uniform(shape: shape, bound: bound, using: &generator)
    }

    /// Glorot/xavier normal initialisation: `N(0, σ²)` with `σ = gain·√(2 / (fanIn + fanOut))`.
    public static func xavierNormal(shape: [Int], gain: Float = 1, using generator: inout SeededGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(of: shape)
        let deviation = gain * (2 / Float(Swift.max(1, fanIn + fanOut))).squareRoot()
        return Tensor.randomNormal(shape: shape, standardDeviation: deviation, using: &generator)
    }

    /// PyTorch's default initialisation of a convolution or linear layer: the weight from
    /// kaiming-uniform with `a = √5` (bound `1/√fanIn`) and, if requested, the bias from
    /// `U(−1/√fanIn, 1/√fanIn)`.
    static func pytorchDefault(
        weightShape: [Int], bias: Int?, using generator: inout SeededGenerator
    ) -> (weight: Tensor, bias: Tensor?) {
        let weight = kaimingUniform(shape: weightShape, nonlinearity: .leakyRelu(negativeSlope: Float(5).squareRoot()), using: &generator)
        guard let bias else { return (weight, nil) }
        let fanIn = fans(of: weightShape).fanIn
        let bound: Float = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return (weight, uniform(shape: [bias], bound: bound, using: &generator))
    }

    private static func selectedFan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(of: shape)
        let fan = mode == .fanIn ? fanIn : fanOut
        guard fan > 0 else {
            TensorError.invalidArgument(op: "Initialization", message: "kaiming initialisation needs a positive fan, found shape \(shape)").trap()
        }
        return fan
    }
}
