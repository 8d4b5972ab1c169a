import Foundation

/// Broadcasts, applies `forward`, and records `backward`, which receives the incoming
/// gradient (of the broadcast shape) with the detached inputs and output and returns one
/// gradient per input (reduced to the input shapes by the sweep).
private func binaryOp<F: BinaryScalarFunction>(
    _ a: Tensor, _ b: Tensor, shape: [Int], _ forward: F,
    backward: @escaping @Sendable (_ gradient: Tensor, _ a: Tensor, _ b: Tensor, _ output: Tensor) -> [Tensor?]
) -> Tensor {
    let y = binaryMap(a, b, shape: shape, forward)
    guard let parents = Tensor.recordedParents(a, b) else { return y }
    let (savedA, savedB, savedY) = (a.detached(), b.detached(), y)
    return y.recording(parents: parents, inputShapes: [a.shape, b.shape]) { gradient in
        backward(gradient, savedA, savedB, savedY)
    }
}

func add(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Add()) { g, _, _, _ in [g, g] }
}

func subtract(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Subtract()) { g, _, _, _ in [g, -g] }
}

func multiply(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Multiply()) { g, a, b, _ in
        [binaryMap(g, b, shape: g.shape, Multiply()), binaryMap(g, a, shape: g.shape, Multiply())]
    }
}

func divide(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Divide()) { g, _, b, y in
        let ga = binaryMap(g, b, shape: g.shape, Divide())
        return [ga, -binaryMap(ga, y, shape: g.shape, Multiply())]
    }
}

extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) throws(TensorError) -> Tensor {
        add(a, b, shape: try broadcastShapeOrThrow(a.shape, b.shape, op: "add"))
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) throws(TensorError) -> Tensor {
        subtract(a, b, shape: try broadcastShapeOrThrow(a.shape, b.shape, op: "subtract"))
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) throws(TensorError) -> Tensor {
        multiply(a, b, shape: try broadcastShapeOrThrow(a.shape, b.shape, op: "multiply"))
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) throws(TensorError) -> Tensor {
        divide(a, b, shape: try broadcastShapeOrThrow(a.shape, b.shape, op: "divide"))
    }

    /// Adds a constant to every element.
    public static func + (a: Tensor, b: Float) -> Tensor { add(a, Tensor(b), shape: a.shape) }
    /// Adds a constant to every element.
    public static func + (a: Float, b: Tensor) -> Tensor { add(Tensor(a), b, shape: b.shape) }
    /// Subtracts a constant from every element.
    public static func - (a: Tensor, b: Float) -> Tensor { subtract(a, Tensor(b), shape: a.shape) }
    /// Subtracts every element from a constant.
    public static func - (a: Float, b: Tensor) -> Tensor { subtract(Tensor(a), b, shape: b.shape) }
    /// Multiplies every element by a constant.
    public static func * (a: Tensor, b: Float) -> Tensor { multiply(a, Tensor(b), shape: a.shape) }
    /// Multiplies every element by a constant.
    public static func * (a: Float, b: Tensor) -> Tensor { multiply(Tensor(a), b, shape: b.shape) }
    /// Divides every element by a constant.
    public static func / (a: Tensor, b: Float) -> Tensor { divide(a, Tensor(b), shape: a.shape) }
    /// Divides a constant by every element.
    public static func / (a: Float, b: Tensor) -> Tensor { divide(Tensor(a), b, shape: b.shape) }

    /// Elementwise `self` raised to `exponent`, with broadcasting. The gradient with respect
    /// to the exponent is taken as 0 where the base is 0, as in PyTorch.
    public func pow(_ exponent: Tensor) throws(TensorError) -> Tensor {
        let shape = try broadcastShapeOrThrow(self.shape, exponent.shape, op: "pow")
        return binaryOp(self, exponent, shape: shape, PowFunction()) { g, base, exponent, y in
            let exponentMinusOne = binaryMap(exponent, Tensor(1), shape: exponent.shape, Subtract())
            let derivative = binaryMap(base, exponentMinusOne, shape: g.shape, PowFunction())
            return [binaryMap(binaryMap(g, exponent, shape: g.shape, Multiply()), derivative, shape: g.shape, Multiply()),
             binaryMap(binaryMap(g, y, shape: g.shape, Multiply()), base, shape: g.shape, PowExponentGradient())]
        }
    }

    /// Elementwise maximum with broadcasting; where both are equal the gradient is split
    /// evenly, as in PyTorch.
    public func maximum(_ other: Tensor) throws(TensorError) -> Tensor {
        let shape = try broadcastShapeOrThrow(self.shape, other.shape, op: "maximum")
        return binaryOp(self, other, shape: shape, MaximumFunction()) { g, a, b, _ in
            [binaryMap(g, binaryMap(a, b, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()),
             binaryMap(g, binaryMap(b, a, shape: g.shape, WinnerShare()), shape: g.shape, Multiply())]
        }
    }

    /// Elementwise minimum with broadcasting; where both are equal the gradient is split
    /// evenly, as in PyTorch.
    public func minimum(_ other: Tensor) throws(TensorError) -> Tensor {
        let shape = try broadcastShapeOrThrow(self.shape, other.shape, op: "minimum")
        return binaryOp(self, other, shape: shape, MinimumFunction()) { g, a, b, _ in
            [binaryMap(g, binaryMap(b, a, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()),
             binaryMap(g, binaryMap(a, b, shape: g.shape, WinnerShare()), shape: g.shape, Multiply())]
        }
    }
}

struct PowFunction: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ p: Float) -> Float { Foundation.pow(x, p) }
}
/// (g·xᵖ)·log x, 0 where x = 0.
struct PowExponentGradient: BinaryScalarFunction {
    @inline(__always) func apply(_ gy: Float, _ x: Float) -> Float { x == 0 ? 0 : gy * Foundation.log(x) }
}
struct MaximumFunction: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x.isNaN || x > y ? x : y }
}
struct MinimumFunction: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x.isNaN || x < y ? x : y }
}
/// The share of the gradient that the first argument gets: 1 if larger, ½ on a tie, else 0.
struct WinnerShare: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x > y ? 1 : (x == y ? 0.5 : 0) }
}
