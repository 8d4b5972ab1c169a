import Foundation

/// Applies an elementwise function and records its backward rule, which maps the incoming
/// gradient and either the input or the output (`savesOutput`) to the input's gradient.
private func unaryOp<F: UnaryScalarFunction, B: BinaryScalarFunction>(
    _ x: Tensor, _ function: F, backward: B, savesOutput: Bool
) -> Tensor {
    let y = unaryMap(x, function)
    guard let parents = Tensor.recordedParents(x) else { return y }
    let saved = savesOutput ? y : x.detached()
    return y.recording(parents: parents, inputShapes: [x.shape]) { gradient in
        [binaryMap(gradient, saved, shape: gradient.shape, backward)]
    }
}

extension Tensor {
    /// Elementwise eˣ.
    public func exp() -> Tensor { unaryOp(self, ExpFunction(), backward: Multiply(), savesOutput: true) }

    /// Elementwise natural logarithm (−∞ at 0, NaN below 0, as in PyTorch).
    public func log() -> Tensor { unaryOp(self, LogFunction(), backward: Divide(), savesOutput: false) }

    /// Elementwise square root.
    public func sqrt() -> Tensor { unaryOp(self, SqrtFunction(), backward: SqrtBackward(), savesOutput: true) }

    /// Elementwise absolute value; the gradient at 0 is 0, as in PyTorch.
    public func abs() -> Tensor { unaryOp(self, AbsFunction(), backward: AbsBackward(), savesOutput: false) }

    /// Elementwise hyperbolic tangent.
    public func tanh() -> Tensor { unaryOp(self, TanhFunction(), backward: TanhBackward(), savesOutput: true) }

    /// Elementwise logistic sigmoid 1 / (1 + e⁻ˣ), computed without overflow.
    public func sigmoid() -> Tensor { unaryOp(self, SigmoidFunction(), backward: SigmoidBackward(), savesOutput: true) }

    /// Elementwise max(x, 0); the gradient at 0 is 0, as in PyTorch.
    ///
    /// The backward pass reads the output (y > 0 exactly where x > 0), not the input, so the
    /// input is not kept alive for it: after a batch norm or a convolution that nothing else
    /// reads, the input's memory is freed at once, as PyTorch's in-place `ReLU(inplace=True)`
    /// saves it.
    public func relu() -> Tensor { unaryOp(self, ReluFunction(), backward: ReluBackward(), savesOutput: true) }

    /// Elementwise x for x > 0, `negativeSlope`·x otherwise (PyTorch's default slope is 0.01).
    ///
    /// For a slope ≥ 0 the backward pass reads the output, as ``relu()`` does (y > 0 exactly
    /// where x > 0), so the input is not kept for it; a negative slope keeps the input.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        unaryOp(
            self, LeakyReluFunction(slope: negativeSlope), backward: LeakyReluBackward(slope: negativeSlope),
            savesOutput: negativeSlope >= 0)
    }

    /// Elementwise log(1 + eˣ), computed stably; like PyTorch (β = 1, threshold 20) it
    /// returns x itself above 20.
    public func softplus() -> Tensor { unaryOp(self, SoftplusFunction(), backward: SoftplusBackward(), savesOutput: false) }

    /// Elementwise x², the same as `self * self` with one read.
    public func squared() -> Tensor { unaryOp(self, SquareFunction(), backward: SquareBackward(), savesOutput: false) }

    /// Elementwise xᵖ for a constant exponent.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        return unaryOp(self, PowScalarFunction(exponent: exponent), backward: PowScalarBackward(exponent: exponent), savesOutput: false)
    }

    /// Limits every element to `[minimum, maximum]`; either bound may be omitted. The
    /// gradient passes where `minimum ≤ x ≤ maximum`, as in PyTorch.
    public func clamped(min minimum: Float = -.infinity, max maximum: Float = .infinity) -> Tensor {
        unaryOp(self, ClampFunction(low: minimum, high: maximum), backward: ClampBackward(low: minimum, high: maximum), savesOutput: false)
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor {
        let y = unaryMap(x, NegateFunction())
        guard let parents = recordedParents(x) else { return y }
        return y.recording(parents: parents, inputShapes: [x.shape]) { gradient in [unaryMap(gradient, NegateFunction())] }
    }
}

struct ExpFunction: UnaryScalarFunction {
    @inline(__always) func apply(_ x: Float) -> Float { Foundation.exp(x) }
    static var vectorKernel: ContiguousKernel? {
        { vectorExp($0, $1, count: $2) }
    }
}
struct LogFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { Foundation.log(x) } }
struct SqrtFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { x.squareRoot() } }
struct SqrtBackward: BinaryScalarFunction { @inline(__always) func apply(_ g: Float, _ y: Float) -> Float { g * 0.5 / y } }
struct AbsFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { Swift.abs(x) } }
struct AbsBackward: BinaryScalarFunction {
    @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) }
}
struct TanhFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { Foundation.tanh(x) } }
struct TanhBackward: BinaryScalarFunction { @inline(__always) func apply(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) } }
struct SigmoidFunction: UnaryScalarFunction {
    @inline(__always) func apply(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
    static var vectorKernel: ContiguousKernel? {
        { vectorSigmoid($0, $1, count: $2) }
    }
}
struct SigmoidBackward: BinaryScalarFunction { @inline(__always) func apply(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) } }
struct ReluFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { x < 0 ? 0 : x } }
/// The gradient of ReLU from the incoming gradient and either x or y = relu(x): both are > 0
/// at the same elements.
struct ReluBackward: BinaryScalarFunction { @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : 0 } }
struct LeakyReluFunction: UnaryScalarFunction {
    let slope: Float
    @inline(__always) func apply(_ x: Float) -> Float { x > 0 ? x : x * slope }
}
/// The gradient of leaky ReLU from the incoming gradient and x, or y = leakyRelu(x) when the
/// slope is ≥ 0 (then both are > 0 at the same elements).
struct LeakyReluBackward: BinaryScalarFunction {
    let slope: Float
    @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : g * slope }
}
struct SoftplusFunction: UnaryScalarFunction {
    @inline(__always) func apply(_ x: Float) -> Float {
        x > 20 ? x : Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }
}
struct SoftplusBackward: BinaryScalarFunction {
    @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { x > 20 ? g : g * SigmoidFunction().apply(x) }
}
struct SquareFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { x * x } }
struct SquareBackward: BinaryScalarFunction { @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { 2 * g * x } }
struct PowScalarFunction: UnaryScalarFunction {
    let exponent: Float
    @inline(__always) func apply(_ x: Float) -> Float { Foundation.pow(x, exponent) }
}
struct PowScalarBackward: BinaryScalarFunction {
    let exponent: Float
    @inline(__always) func apply(_ g: Float, _ x: Float) -> Float {
        exponent == 0 ? 0 : g * exponent * Foundation.pow(x, exponent - 1)
    }
}
struct ClampFunction: UnaryScalarFunction {
    let low: Float
    let high: Float
    @inline(__always) func apply(_ x: Float) -> Float { x.isNaN ? x : Swift.min(Swift.max(x, low), high) }
}
struct ClampBackward: BinaryScalarFunction {
    let low: Float
    let high: Float
    @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { x >= low && x <= high ? g : 0 }
}
struct NegateFunction: UnaryScalarFunction { @inline(__always) func apply(_ x: Float) -> Float { -x } }
