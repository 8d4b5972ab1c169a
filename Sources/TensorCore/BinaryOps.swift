import Foundation

/// Which operands of a recorded binary operation need a gradient; a pullback skips the
/// work for the others (a constant factor, a frozen weight).
struct OperandNeeds: Sendable {
    let first: Bool
    let second: Bool

    init(_ parents: [GradientNode?]) {
        first = parents[0] != nil
        second = parents[1] != nil
    }

    /// `make()` if the operand needs a gradient, else `nil`.
    func first(_ make: () -> Tensor) -> Tensor? { first ? make() : nil }
    /// `make()` if the operand needs a gradient, else `nil`.
    func second(_ make: () -> Tensor) -> Tensor? { second ? make() : nil }
}

/// Broadcasts, applies `forward`, and records `backward`, which receives the incoming
/// gradient (of the broadcast shape) with the detached inputs and output and returns one
/// gradient per input (reduced to the input shapes by the sweep).
private func binaryOp<F: BinaryScalarFunction>(
    _ a: Tensor, _ b: Tensor, shape: [Int], _ forward: F,
    backward: @escaping @Sendable (_ gradient: Tensor, _ a: Tensor, _ b: Tensor, _ output: Tensor, _ needs: OperandNeeds) -> [Tensor?]
) -> Tensor {
    let y = binaryMap(a, b, shape: shape, forward)
    guard let parents = Tensor.recordedParents(a, b) else { return y }
    let (savedA, savedB, savedY, needs) = (a.detached(), b.detached(), y, OperandNeeds(parents))
    return y.recording(parents: parents, inputShapes: [a.shape, b.shape]) { gradient in
        backward(gradient, savedA, savedB, savedY, needs)
    }
}

func add(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Add()) { g, _, _, _, _ in [g, g] }
}

func subtract(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Subtract()) { g, _, _, _, needs in [g, needs.second { -g }] }
}

func multiply(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Multiply()) { g, a, b, _, needs in
        [
            needs.first { binaryMap(g, b, shape: g.shape, Multiply()) },
            needs.second { binaryMap(g, a, shape: g.shape, Multiply()) },
        ]
    }
}

func divide(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Divide()) { g, _, b, y, needs in
        let ga = binaryMap(g, b, shape: g.shape, Divide())
        return [ga, needs.second { -binaryMap(ga, y, shape: g.shape, Multiply()) }]
    }
}

extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        add(a, b, shape: broadcastShapeOrStop(a.shape, b.shape, op: "add"))
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        subtract(a, b, shape: broadcastShapeOrStop(a.shape, b.shape, op: "subtract"))
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        multiply(a, b, shape: broadcastShapeOrStop(a.shape, b.shape, op: "multiply"))
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        divide(a, b, shape: broadcastShapeOrStop(a.shape, b.shape, op: "divide"))
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

    /// Elementwise `self` raised to `exponent`, with broadcasting. As in PyTorch, the base's
    /// gradient is 0 where the exponent is 0, and the exponent's gradient is 0 where the base
    /// is 0 and the exponent non-negative.
    public func pow(_ exponent: Tensor) -> Tensor {
        let shape = broadcastShapeOrStop(self.shape, exponent.shape, op: "pow")
        return binaryOp(self, exponent, shape: shape, PowFunction()) { g, base, exponent, _, needs in
            [
                needs.first { binaryMap(g, binaryMap(base, exponent, shape: g.shape, PowBaseDerivative()), shape: g.shape, Multiply()) },
                needs.second { binaryMap(g, binaryMap(base, exponent, shape: g.shape, PowExponentDerivative()), shape: g.shape, Multiply()) },
            ]
        }
    }

    /// Elementwise maximum with broadcasting; where both are equal the gradient is split
    /// evenly, as in PyTorch.
    public func maximum(_ other: Tensor) -> Tensor {
        let shape = broadcastShapeOrStop(self.shape, other.shape, op: "maximum")
        return binaryOp(self, other, shape: shape, MaximumFunction()) { g, a, b, _, needs in
            [
                needs.first { binaryMap(g, binaryMap(a, b, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
                needs.second { binaryMap(g, binaryMap(b, a, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
            ]
        }
    }

    /// Elementwise minimum with broadcasting; where both are equal the gradient is split
    /// evenly, as in PyTorch.
    public func minimum(_ other: Tensor) -> Tensor {
        let shape = broadcastShapeOrStop(self.shape, other.shape, op: "minimum")
        return binaryOp(self, other, shape: shape, MinimumFunction()) { g, a, b, _, needs in
            [
                needs.first { binaryMap(g, binaryMap(b, a, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
                needs.second { binaryMap(g, binaryMap(a, b, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
            ]
        }
    }
}

struct PowFunction: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ p: Float) -> Float { Foundation.pow(x, p) }
}
/// ∂xᵖ/∂x = p·xᵖ⁻¹, taken as 0 where p = 0 (as PyTorch, which avoids 0·∞ at x = 0).
struct PowBaseDerivative: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ p: Float) -> Float { p == 0 ? 0 : p * Foundation.pow(x, p - 1) }
}
/// ∂xᵖ/∂p = xᵖ·log x, taken as 0 where x = 0 and p ≥ 0 (as PyTorch).
struct PowExponentDerivative: BinaryScalarFunction {
    @inline(__always) func apply(_ x: Float, _ p: Float) -> Float {
        x == 0 && p >= 0 ? 0 : Foundation.pow(x, p) * Foundation.log(x)
    }
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
