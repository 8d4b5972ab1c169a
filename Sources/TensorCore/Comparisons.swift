/// Comparison results are tensors of 0 and 1 and never carry gradients.
private func compare<F: BinaryScalarFunction>(_ a: Tensor, _ b: Tensor, op: String, _ function: F) -> Tensor {
    binaryMap(a, b, shape: broadcastShapeOrStop(a.shape, b.shape, op: op), function)
}

extension Tensor {
    /// 1 where `self > other`, else 0 (broadcasting; not differentiable).
    public func isGreater(than other: Tensor) -> Tensor { compare(self, other, op: "isGreater", GreaterFunction()) }
    /// 1 where `self >= other`, else 0 (broadcasting; not differentiable).
    public func isGreaterOrEqual(to other: Tensor) -> Tensor { compare(self, other, op: "isGreaterOrEqual", GreaterOrEqualFunction()) }
    /// 1 where `self < other`, else 0 (broadcasting; not differentiable).
    public func isLess(than other: Tensor) -> Tensor { compare(other, self, op: "isLess", GreaterFunction()) }
    /// 1 where `self <= other`, else 0 (broadcasting; not differentiable).
    public func isLessOrEqual(to other: Tensor) -> Tensor { compare(other, self, op: "isLessOrEqual", GreaterOrEqualFunction()) }
    /// 1 where `self == other`, else 0 (broadcasting; not differentiable).
    public func isEqual(to other: Tensor) -> Tensor { compare(self, other, op: "isEqual", EqualFunction()) }

    /// 1 where `self > value`, else 0.
    public func isGreater(than value: Float) -> Tensor { binaryMap(self, Tensor(value), shape: shape, GreaterFunction()) }
    /// 1 where `self < value`, else 0.
    public func isLess(than value: Float) -> Tensor { binaryMap(Tensor(value), self, shape: shape, GreaterFunction()) }
    /// 1 where `self == value`, else 0.
    public func isEqual(to value: Float) -> Tensor { binaryMap(self, Tensor(value), shape: shape, EqualFunction()) }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere, broadcasting all three.
    /// Differentiable with respect to `a` and `b`; unlike `a·c + b·(1−c)` it never turns
    /// an infinity in the unpicked branch into NaN.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let ab = broadcastResult(a.shape, b.shape), let shape = broadcastResult(condition.shape, ab) else {
            stop(.shapeMismatch(op: "where", expected: "condition, a and b shapes that broadcast together", found: [condition.shape, a.shape, b.shape]))
        }
        let y = select(condition, a, b, shape: shape)
        guard let parents = recordedParents(a, b) else { return y }
        let mask = condition.detached()
        return y.recording(parents: parents, inputShapes: [a.shape, b.shape]) { g in
            let zero = Tensor(0)
            return [select(mask, g, zero, shape: g.shape), select(mask, zero, g, shape: g.shape)]
        }
    }
}

/// The selection kernel behind ``Tensor/where(_:_:_:)``: three operands read through their
/// broadcast strides.
private func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    let layout = StridedLayout(shape: shape, strides: [condition, a, b].map { broadcastStrides(of: $0.shape, to: shape) })
    let (pc, pa, pb) = (UnsafePointer(condition.storage.pointer), UnsafePointer(a.storage.pointer), UnsafePointer(b.storage.pointer))
    let rowLength = layout.rowLength
    let (sc, sa, sb) = (layout.strides[0].last!, layout.strides[1].last!, layout.strides[2].last!)
    return Tensor(uninitializedShape: shape) { output in
        parallelChunks(count: layout.rowCount, minimumChunk: max(1, parallelGrain / max(1, rowLength))) { rows in
            layout.forEachRow(in: rows) { row, offsets in
                let (c, x, y, out) = (pc + offsets[0], pa + offsets[1], pb + offsets[2], output + row * rowLength)
                for i in 0..<rowLength { out[i] = c[i * sc] != 0 ? x[i * sa] : y[i * sb] }
            }
        }
    }
}

struct GreaterFunction: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x > y ? 1 : 0 } }
struct GreaterOrEqualFunction: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x >= y ? 1 : 0 } }
struct EqualFunction: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x == y ? 1 : 0 } }
