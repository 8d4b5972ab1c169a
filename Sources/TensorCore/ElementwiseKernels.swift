/// A loop that maps `count` contiguous inputs to outputs.
typealias ContiguousKernel = @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

/// A scalar function applied elementwise. Kernels are generic over conforming types, so
/// the optimiser inlines `apply` into a tight, vectorisable pointer loop: no closure is
/// called per element.
protocol UnaryScalarFunction: Sendable {
    func apply(_ x: Float) -> Float
    /// A hand-vectorised loop over contiguous memory that replaces the scalar loop, for
    /// functions whose scalar form is a libm call (see ``vectorExp(_:_:count:)``).
    static var vectorKernel: ContiguousKernel? { get }
}

extension UnaryScalarFunction {
    static var vectorKernel: ContiguousKernel? { nil }
}

/// A scalar function of two arguments applied elementwise with broadcasting.
protocol BinaryScalarFunction: Sendable {
    func apply(_ x: Float, _ y: Float) -> Float
}

/// Applies `function` to every element of `input` into a new tensor of the same shape.
func unaryMap<F: UnaryScalarFunction>(_ input: Tensor, _ function: F) -> Tensor {
    Tensor(uninitializedShape: input.shape) { output in
        mapElements(UnsafePointer(input.storage.pointer), into: output, count: input.scalarCount, function)
    }
}

/// `output[i] = function(source[i])` for `count` floats (`source` may be `output`: each value
/// is read before it is written), split over `threads`.
func mapElements<F: UnaryScalarFunction>(
    _ source: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int, _ function: F,
    threads: Int = ComputeSettings.current.threads
) {
    if let kernel = F.vectorKernel {
        parallelChunks(count: count, minimumChunk: parallelGrain, threads: threads) { range in
            kernel(source + range.lowerBound, output + range.lowerBound, range.count)
        }
        return
    }
    parallelChunks(count: count, minimumChunk: parallelGrain, threads: threads) { range in
        for i in range { output[i] = function.apply(source[i]) }
    }
}

/// Applies `function` to `a` and `b` broadcast to `shape` (which must be their broadcast
/// shape) into a new tensor.
func binaryMap<F: BinaryScalarFunction>(_ a: Tensor, _ b: Tensor, shape: [Int], _ function: F) -> Tensor {
    let pa = UnsafePointer(a.storage.pointer)
    let pb = UnsafePointer(b.storage.pointer)
    let count = shapeElementCount(shape)
    if a.scalarCount == count && b.scalarCount == count {
        return Tensor(uninitializedShape: shape) { output in
            parallelChunks(count: count, minimumChunk: parallelGrain) { range in
                for i in range { output[i] = function.apply(pa[i], pb[i]) }
            }
        }
    }
    if b.scalarCount == 1 && a.scalarCount == count {
        let y = pb[0]
        return Tensor(uninitializedShape: shape) { output in
            parallelChunks(count: count, minimumChunk: parallelGrain) { range in
                for i in range { output[i] = function.apply(pa[i], y) }
            }
        }
    }
    if a.scalarCount == 1 && b.scalarCount == count {
        let x = pa[0]
        return Tensor(uninitializedShape: shape) { output in
            parallelChunks(count: count, minimumChunk: parallelGrain) { range in
                for i in range { output[i] = function.apply(x, pb[i]) }
            }
        }
    }
    let layout = StridedLayout(
        shape: shape, strides: [broadcastStrides(of: a.shape, to: shape), broadcastStrides(of: b.shape, to: shape)])
    let rowLength = layout.rowLength
    let innerA = layout.strides[0][layout.strides[0].count - 1]
    let innerB = layout.strides[1][layout.strides[1].count - 1]
    return Tensor(uninitializedShape: shape) { output in
        parallelChunks(count: layout.rowCount, minimumChunk: max(1, parallelGrain / max(1, rowLength))) { rows in
            layout.forEachRow(in: rows) { row, offsets in
                let x = pa + offsets[0]
                let y = pb + offsets[1]
                let out = output + row * rowLength
                switch (innerA, innerB) {
                case (1, 1): for i in 0..<rowLength { out[i] = function.apply(x[i], y[i]) }
                case (1, 0): let v = y[0]; for i in 0..<rowLength { out[i] = function.apply(x[i], v) }
                case (0, 1): let v = x[0]; for i in 0..<rowLength { out[i] = function.apply(v, y[i]) }
                default: for i in 0..<rowLength { out[i] = function.apply(x[i * innerA], y[i * innerB]) }
                }
            }
        }
    }
}

/// Elementwise sum of two tensors of identical shape, used to accumulate gradients.
func addSameShape(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "addSameShape: \(a.shape) vs \(b.shape)")
    return binaryMap(a, b, shape: a.shape, Add())
}

struct Add: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x + y } }
struct Subtract: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x - y } }
struct Multiply: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x * y } }
struct Divide: BinaryScalarFunction { @inline(__always) func apply(_ x: Float, _ y: Float) -> Float { x / y } }
