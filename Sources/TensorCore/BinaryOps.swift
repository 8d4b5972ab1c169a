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
/// gradient (of the broadcast shape) with what `save` kept and returns one gradient per
/// input (reduced to the input shapes by the sweep).
///
/// `save` sees the detached inputs, the output and which inputs need a gradient, and keeps
/// only what the backward pass reads: everything else is released with the forward pass
/// (an `a + b` keeps nothing, `x * 2` keeps only the constant when only `x` is tracked).
private func binaryOp<F: BinaryScalarFunction, Saved: Sendable>(
    _ a: Tensor, _ b: Tensor, shape: [Int], _ forward: F,
    saving save: (_ a: Tensor, _ b: Tensor, _ output: Tensor, _ needs: OperandNeeds) -> Saved,
    backward: @escaping @Sendable (_ gradient: Tensor, _ saved: Saved, _ needs: OperandNeeds) -> [Tensor?]
) -> Tensor {
    let y = binaryMap(a, b, shape: shape, forward)
    guard let parents = Tensor.recordedParents(a, b) else { return y }
    let needs = OperandNeeds(parents)
    let saved = save(a.detached(), b.detached(), y, needs)
    return y.recording(parents: parents, inputShapes: [a.shape, b.shape]) { gradient in
        backward(gradient, saved, needs)
    }
}

func add(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Add(), saving: { _, _, _, _ in () }, backward: { g, _, _ in [g, g] })
}

func subtract(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    binaryOp(a, b, shape: shape, Subtract(), saving: { _, _, _, _ in () }, backward: { g, _, needs in [g, needs.second { -g }] })
}

func multiply(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    // Each input's gradient reads the other input: keep an input only when the other needs it.
    binaryOp(
        a, b, shape: shape, Multiply(),
        saving: { a, b, _, needs in (a: needs.second ? a : nil, b: needs.first ? b : nil) },
        backward: { g, saved, _ in
            [
                saved.b.map { binaryMap(g, $0, shape: g.shape, Multiply()) },
                saved.a.map { binaryMap(g, $0, shape: g.shape, Multiply()) },
            ]
        })
}

func divide(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    // ∂/∂a = g / b; ∂/∂b = −(g / b)·y, so the output is kept only when b needs a gradient.
    binaryOp(
        a, b, shape: shape, Divide(), saving: { _, b, y, needs in (b: b, y: needs.second ? y : nil) },
        backward: { g, saved, _ in
            let ga = binaryMap(g, saved.b, shape: g.shape, Divide())
            return [ga, saved.y.map { -binaryMap(ga, $0, shape: g.shape, Multiply()) }]
        })
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
        return binaryOp(
            self, exponent, shape: shape, PowFunction(), saving: { a, b, _, _ in (a, b) },
            backward: { g, saved, needs in
                let (base, exponent) = saved
                return [
                    needs.first { binaryMap(g, binaryMap(base, exponent, shape: g.shape, PowBaseDerivative()), shape: g.shape, Multiply()) },
                    needs.second { binaryMap(g, binaryMap(base, exponent, shape: g.shape, PowExponentDerivative()), shape: g.shape, Multiply()) },
                ]
            })
    }

    /// Elementwise maximum with broadcasting; where both are equal the gradient is split
    /// evenly, as in PyTorch.
    public func maximum(_ other: Tensor) -> Tensor {
        let shape = broadcastShapeOrStop(self.shape, other.shape, op: "maximum")
        return binaryOp(
            self, other, shape: shape, MaximumFunction(), saving: { a, b, _, _ in (a, b) },
            backward: { g, saved, needs in
                let (a, b) = saved
                return [
                    needs.first { binaryMap(g, binaryMap(a, b, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
                    needs.second { binaryMap(g, binaryMap(b, a, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
                ]
            })
    }

    /// Elementwise minimum with broadcasting; where both are equal the gradient is split
    /// evenly, as in PyTorch.
    public func minimum(_ other: Tensor) -> Tensor {
        let shape = broadcastShapeOrStop(self.shape, other.shape, op: "minimum")
        return binaryOp(
            self, other, shape: shape, MinimumFunction(), saving: { a, b, _, _ in (a, b) },
            backward: { g, saved, needs in
                let (a, b) = saved
                return [
                    needs.first { binaryMap(g, binaryMap(b, a, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
                    needs.second { binaryMap(g, binaryMap(a, b, shape: g.shape, WinnerShare()), shape: g.shape, Multiply()) },
                ]
            })
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
