/// The shape that NumPy/PyTorch broadcasting gives two shapes, or `nil` when they do not
/// broadcast (aligned from the right, each pair of sizes equal or one of them 1).
func broadcastResult(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for index in 0..<rank {
        let x = index < rank - a.count ? 1 : a[index - (rank - a.count)]
        let y = index < rank - b.count ? 1 : b[index - (rank - b.count)]
        if x == y || y == 1 { result[index] = x } else if x == 1 { result[index] = y } else { return nil }
    }
    return result
}

/// Broadcasts two operand shapes or stops with a shape mismatch naming `op`.
func broadcastShapeOrStop(_ a: [Int], _ b: [Int], op: String) -> [Int] {
    guard let shape = broadcastResult(a, b) else { stop(broadcastMismatch(a, b, op: op)) }
    return shape
}

/// The error for two shapes that do not broadcast.
private func broadcastMismatch(_ a: [Int], _ b: [Int], op: String) -> TensorError {
    .shapeMismatch(op: op, expected: "shapes that broadcast (equal sizes or 1, aligned from the right)", found: [a, b])
}

extension Tensor {
    /// The shape that elementwise operations (`+`, `-`, `*`, `/`, ``maximum(_:)``,
    /// ``where(_:_:_:)``, …) give operands of shapes `a` and `b` under NumPy/PyTorch
    /// broadcasting, as PyTorch's `torch.broadcast_shapes`: the check to run first when
    /// shapes come from outside, since the operations themselves stop on a mismatch.
    ///
    /// - Throws: ``TensorError/shapeMismatch(op:expected:found:)`` when the shapes do not
    ///   broadcast (aligned from the right, each pair of sizes equal or one of them 1).
    public static func broadcastShape(_ a: [Int], _ b: [Int]) throws(TensorError) -> [Int] {
        guard let shape = broadcastResult(a, b) else { throw broadcastMismatch(a, b, op: "broadcastShape") }
        return shape
    }
}

/// Strides (in elements) for reading a contiguous tensor of `shape` as if it had
/// `target` shape: 0 along broadcast dimensions.
func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
    let own = contiguousStrides(shape)
    let offset = target.count - shape.count
    return (0..<target.count).map { axis in
        axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
    }
}

/// A strided walk over an output of some shape, reading up to two operands through their
/// own strides. Dimensions of size 1 are dropped and neighbouring dimensions that are
/// contiguous for every operand are merged, so most walks end up with one long inner row.
struct StridedLayout {
    /// Merged output shape, rank at least 1; the last entry is the inner row length.
    private(set) var shape: [Int] = []
    /// Merged strides of each operand, one array per operand.
    private(set) var strides: [[Int]] = []

    init(shape fullShape: [Int], strides operandStrides: [[Int]]) {
        strides = Array(repeating: [], count: operandStrides.count)
        for axis in 0..<fullShape.count where fullShape[axis] != 1 {
            let size = fullShape[axis]
            if let last = shape.last,
                operandStrides.indices.allSatisfy({ strides[$0].last! == operandStrides[$0][axis] * size })
            {
                shape[shape.count - 1] = last * size
                for operand in operandStrides.indices {
                    strides[operand][strides[operand].count - 1] = operandStrides[operand][axis]
                }
            } else {
                shape.append(size)
                for operand in operandStrides.indices { strides[operand].append(operandStrides[operand][axis]) }
            }
        }
        if shape.isEmpty {
            shape = [1]
            strides = operandStrides.map { _ in [1] }
        }
    }

    /// Length of each inner row.
    var rowLength: Int { shape[shape.count - 1] }
    /// Number of inner rows.
    var rowCount: Int { shapeElementCount(shape) / max(1, rowLength) }

    /// Calls `body(row, offsets)` for each row in `rows`, where `offsets[k]` is where the row
    /// starts in operand `k`. Offsets are advanced with counters, not recomputed.
    func forEachRow(in rows: Range<Int>, _ body: (Int, UnsafeMutableBufferPointer<Int>) -> Void) {
        guard !rows.isEmpty else { return }
        let outerRank = shape.count - 1
        let operands = strides.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(1, outerRank) + operands) { scratch in
            let counters = UnsafeMutableBufferPointer(rebasing: scratch[0..<max(1, outerRank)])
            let offsets = UnsafeMutableBufferPointer(rebasing: scratch[max(1, outerRank)...])
            // Decompose the first row index into counters and offsets.
            var remainder = rows.lowerBound
            for operand in 0..<operands { offsets[operand] = 0 }
            for axis in stride(from: outerRank - 1, through: 0, by: -1) {
                counters[axis] = remainder % shape[axis]
                remainder /= shape[axis]
                for operand in 0..<operands { offsets[operand] += counters[axis] * strides[operand][axis] }
            }
            for row in rows {
                body(row, offsets)
                // Advance the counters like an odometer.
                var axis = outerRank - 1
                while axis >= 0 {
                    counters[axis] += 1
                    for operand in 0..<operands { offsets[operand] += strides[operand][axis] }
                    if counters[axis] < shape[axis] { break }
                    for operand in 0..<operands { offsets[operand] -= strides[operand][axis] * shape[axis] }
                    counters[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// Copies the elements of `source`, read through `strides` starting at `offset`, into a new
/// contiguous tensor of `shape`. Permute, expand and slicing are all this one kernel.
func stridedCopy(_ source: Tensor, offset: Int = 0, strides: [Int], shape: [Int]) -> Tensor {
    Tensor(uninitializedShape: shape) { output in
        let layout = StridedLayout(shape: shape, strides: [strides])
        let rowLength = layout.rowLength
        let input = UnsafePointer(source.storage.pointer) + offset
        let innerStride = layout.strides[0][layout.strides[0].count - 1]
        parallelChunks(count: layout.rowCount, minimumChunk: max(1, parallelGrain / max(1, rowLength))) { rows in
            layout.forEachRow(in: rows) { row, offsets in
                let from = input + offsets[0]
                let to = output + row * rowLength
                switch innerStride {
                case 1: to.update(from: from, count: rowLength)
                case 0: to.update(repeating: from.pointee, count: rowLength)
                default: for i in 0..<rowLength { to[i] = from[i * innerStride] }
                }
            }
        }
    }
}
