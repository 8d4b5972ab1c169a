/// How a reduction combines two values.
protocol ReductionFunction: Sendable {
    func combine(_ accumulated: Float, _ next: Float) -> Float
}

struct SumReduction: ReductionFunction {
    @inline(__always) func combine(_ a: Float, _ b: Float) -> Float { a + b }
}
/// Maximum that propagates NaN, as PyTorch does.
struct MaxReduction: ReductionFunction {
    @inline(__always) func combine(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }
}
/// Minimum that propagates NaN, as PyTorch does.
struct MinReduction: ReductionFunction {
    @inline(__always) func combine(_ a: Float, _ b: Float) -> Float { b < a || b.isNaN ? b : a }
}

/// Sum of `count` contiguous floats: eight-lane float partial sums over blocks, blocks
/// added in double, so a million-element sum keeps float32 accuracy and vectorises.
func contiguousSum(_ pointer: UnsafePointer<Float>, count: Int) -> Double {
    let block = 4096
    var total = 0.0
    var start = 0
    while start < count {
        let end = min(count, start + block)
        var lanes = SIMD8<Float>()
        var i = start
        let raw = UnsafeRawPointer(pointer)
        while i + 8 <= end {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var partial = lanes.sum()
        while i < end { partial += pointer[i]; i += 1 }
        total += Double(partial)
        start = end
    }
    return total
}

/// Reduces the middle dimension of a tensor viewed as `[outer, length, inner]`, producing
/// `[outer, inner]` values in `output`.
func reduceMiddle<R: ReductionFunction>(
    _ input: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
    into output: UnsafeMutablePointer<Float>, _ reduction: R
) {
    if inner == 1 {
        if outer == 1, R.self == SumReduction.self {
            // One long sum: split it over threads, combine the partial sums in double.
            let parts = min(ComputeSettings.current.threads, max(1, length / parallelGrain))
            let chunk = (length + parts - 1) / parts
            var partials = [Double](repeating: 0, count: parts)
            partials.withUnsafeMutableBufferPointer { partialSums in
                let sums = partialSums.baseAddress!
                parallelChunks(count: parts, minimumChunk: 1, threads: parts) { range in
                    for part in range {
                        let start = part * chunk
                        sums[part] = contiguousSum(input + start, count: max(0, min(length, start + chunk) - start))
                    }
                }
            }
            output[0] = Float(partials.reduce(0, +))
            return
        }
        parallelChunks(count: outer, minimumChunk: max(1, parallelGrain / max(1, length))) { range in
            for o in range {
                let row = input + o * length
                if R.self == SumReduction.self {
                    output[o] = Float(contiguousSum(row, count: length))
                } else {
                    var value = row[0]
                    for k in 1..<max(1, length) { value = reduction.combine(value, row[k]) }
                    output[o] = value
                }
            }
        }
        return
    }
    // Several values per position: accumulate whole rows of `inner`, which vectorises.
    let innerChunk = min(inner, max(1024, parallelGrain / max(1, length)))
    let chunksPerOuter = (inner + innerChunk - 1) / innerChunk
    parallelChunks(count: outer * chunksPerOuter, minimumChunk: max(1, parallelGrain / max(1, length * innerChunk))) { range in
        for task in range {
            let o = task / chunksPerOuter
            let start = (task % chunksPerOuter) * innerChunk
            let width = min(inner, start + innerChunk) - start
            let out = output + o * inner + start
            let base = input + o * length * inner + start
            out.update(from: base, count: width)
            for k in 1..<max(1, length) {
                let row = base + k * inner
                for j in 0..<width { out[j] = reduction.combine(out[j], row[j]) }
            }
        }
    }
}

/// Reduces `input` over the given sorted, distinct, in-range axes, returning a tensor in
/// keep-dimensions shape. Adjacent axes are merged; separate groups take one pass each.
func reduce<R: ReductionFunction>(_ input: Tensor, axes: [Int], _ reduction: R) -> Tensor {
    var current = input
    var shape = input.shape
    // Process groups of adjacent reduced axes from the last to the first.
    var index = axes.count - 1
    while index >= 0 {
        var first = axes[index]
        let last = axes[index]
        while index > 0 && axes[index - 1] == first - 1 { index -= 1; first -= 1 }
        index -= 1
        let outer = shapeElementCount(Array(shape[..<first]))
        let length = shapeElementCount(Array(shape[first...last]))
        let inner = shapeElementCount(Array(shape[(last + 1)...]))
        for axis in first...last { shape[axis] = 1 }
        let source = current
        current = Tensor(uninitializedShape: shape) { output in
            if outer * inner == 0 { return }
            if length == 0 {
                output.update(repeating: 0, count: outer * inner)
                return
            }
            reduceMiddle(UnsafePointer(source.storage.pointer), outer: outer, length: length, inner: inner, into: output, reduction)
        }
    }
    return current
}
