/// Validated sizes of a 2-D pooling window sliding over `[N, C, H, W]`, with PyTorch's output
/// size rule (including `ceilMode`, where the last window must start inside the input or
/// the left padding).
struct PoolingGeometry: Sendable {
    let planes: Int
    let height: Int
    let width: Int
    let kernel: Size2D
    let stride: Size2D
    let padding: Size2D
    let dilation: Size2D
    let outputHeight: Int
    let outputWidth: Int

    /// Whether the windows tile the input exactly: kernel = stride, no padding or dilation,
    /// every window inside the input.
    var isTiling: Bool {
        kernel == stride && padding == 0 && dilation == 1
            && outputHeight * kernel.height <= height && outputWidth * kernel.width <= width
    }

    init(input: [Int], kernel: Size2D, stride: Size2D?, padding: Size2D, dilation: Size2D, ceilMode: Bool, op: String) {
        guard input.count == 4 else {
            stop(.shapeMismatch(op: op, expected: "an input of rank 4 [N, C, H, W]", found: [input]))
        }
        let stride = stride ?? kernel
        guard kernel.height >= 1, kernel.width >= 1, stride.height >= 1, stride.width >= 1,
            dilation.height >= 1, dilation.width >= 1, padding.height >= 0, padding.width >= 0
        else {
            stop(
                .invalidArgument(
                    op: op,
                    message:
                        "expected kernel, stride and dilation ≥ 1 and padding ≥ 0, found kernel \(kernel), stride \(stride), dilation \(dilation), padding \(padding)"
                ))
        }
        guard padding.height * 2 <= kernel.height, padding.width * 2 <= kernel.width else {
            stop(.invalidArgument(op: op, message: "padding must be at most half the kernel (as in PyTorch), found padding \(padding) for kernel \(kernel)"))
        }
        let windows = SlidingWindow(
            kernel: kernel, stride: stride, padding: Padding2D(height: padding.height, width: padding.width),
            dilation: dilation, ceilMode: ceilMode
        ).outputSize(forInput: Size2D(input[2], input[3]))
        planes = input[0] * input[1]; height = input[2]; width = input[3]
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.dilation = dilation
        outputHeight = windows.height
        outputWidth = windows.width
        guard outputHeight >= 1, outputWidth >= 1 else {
            stop(.shapeMismatch(op: op, expected: "an input at least as large as the kernel \(kernel) after padding \(padding)", found: [input]))
        }
    }
}

/// How average pooling counts the window it divides by.
public enum AveragePoolingDivisor: Sendable, Equatable {
    /// The full window, padding included (PyTorch's default `count_include_pad=True`).
    case includingPadding
    /// Only the elements inside the input.
    case excludingPadding
}

extension Tensor {
    /// 2-D max pooling of `[N, C, H, W]` (PyTorch's `max_pool2d`): the stride defaults to the
    /// kernel, padding counts as −∞, and a tie goes to the first maximum in row-major window
    /// order, as in PyTorch; NaN wins (the last one, again as PyTorch). The gradient flows
    /// to that one position.
    ///
    /// - Precondition: Stops with ``TensorError`` for a rank other than 4, parameters out of range, or an input
    ///   smaller than the window.
    public func maxPool2d(
        kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1, ceilMode: Bool = false
    ) -> Tensor {
        let g = PoolingGeometry(input: shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, op: "maxPool2d")
        let outputPlane = g.outputHeight * g.outputWidth
        let inputPlane = g.height * g.width
        let parents = Tensor.recordedParents(self)
        // Where each output's maximum came from, kept for the backward pass. Int32 indices
        // live in a float-sized buffer so that they, too, are recycled by the buffer cache.
        let winners = parents == nil ? nil : TensorStorage(uninitializedCount: g.planes * outputPlane)
        let output = Tensor(uninitializedShape: [shape[0], shape[1], g.outputHeight, g.outputWidth]) { output in
            let input = UnsafePointer(storage.pointer)
            func pool(_ winnerBase: UnsafeMutablePointer<Int32>?) {
                parallelChunks(count: g.planes, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, inputPlane))) { planes in
                    for plane in planes {
                        let x = input + plane * inputPlane
                        let y = output + plane * outputPlane
                        let planeWinners = winnerBase.map { $0 + plane * outputPlane }
                        if g.isTiling {
                            maxPoolTiles(x, into: y, winners: planeWinners, geometry: g)
                        } else {
                            maxPoolWindows(x, into: y, winners: planeWinners, geometry: g)
                        }
                    }
                }
            }
            if let winners {
                winners.pointer.withMemoryRebound(to: Int32.self, capacity: winners.count) { pool($0) }
            } else {
                pool(nil)
            }
        }
        guard let parents, let winners else { return output }
        let inputShape = shape
        return output.recording(parents: parents, inputShapes: [inputShape]) { gradient in
            winners.pointer.withMemoryRebound(to: Int32.self, capacity: winners.count) { indices in
                [
                    planewiseGradient(inputShape: inputShape, outputGradient: gradient) { target, dy, plane in
                        let planeIndices = indices + plane * outputPlane
                        for o in 0..<outputPlane { target[Int(planeIndices[o])] += dy[o] }
                    }
                ]
            }
        }
    }

    /// 2-D average pooling of `[N, C, H, W]` (PyTorch's `avg_pool2d`); the stride defaults to
    /// the kernel.
    ///
    /// - Precondition: Stops with ``TensorError`` for a rank other than 4, parameters out of range, or an input
    ///   smaller than the window.
    public func avgPool2d(
        kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false,
        divisor: AveragePoolingDivisor = .includingPadding
    ) -> Tensor {
        let g = PoolingGeometry(input: shape, kernel: kernel, stride: stride, padding: padding, dilation: 1, ceilMode: ceilMode, op: "avgPool2d")
        // Per axis: the clipped window and, per output index, its share of the divisor.
        func windows(_ count: Int, _ size: Int, _ k: Int, _ s: Int, _ p: Int) -> [(range: Range<Int>, padded: Int)] {
            (0..<count).map { o in
                let start = o * s - p
                let end = Swift.min(start + k, size + p)
                return (Swift.max(start, 0)..<Swift.min(end, size), end - start)
            }
        }
        let rows = windows(g.outputHeight, g.height, g.kernel.height, g.stride.height, g.padding.height)
        let columns = windows(g.outputWidth, g.width, g.kernel.width, g.stride.width, g.padding.width)
        let weights: [Float] = rows.flatMap { row in
            columns.map { column in
                let count = divisor == .includingPadding ? row.padded * column.padded : row.range.count * column.range.count
                return count > 0 ? 1 / Float(count) : 0
            }
        }
        return windowAverage(outputSize: Size2D(g.outputHeight, g.outputWidth), rows: rows.map(\.range), columns: columns.map(\.range), weights: weights)
    }

    /// Adaptive average pooling to `outputSize` (PyTorch's `adaptive_avg_pool2d`): output
    /// cell `i` averages input rows `⌊i·H/out⌋ ..< ⌈(i+1)·H/out⌉`, likewise for columns.
    ///
    /// - Precondition: Stops with ``TensorError`` for a rank other than 4 or an output size below 1.
    public func adaptiveAvgPool2d(outputSize: Size2D) -> Tensor {
        guard rank == 4 else {
            stop(.shapeMismatch(op: "adaptiveAvgPool2d", expected: "an input of rank 4 [N, C, H, W]", found: [shape]))
        }
        guard outputSize.height >= 1, outputSize.width >= 1 else {
            stop(.invalidArgument(op: "adaptiveAvgPool2d", message: "output size must be at least 1×1, found \(outputSize)"))
        }
        func bins(_ count: Int, _ size: Int) -> [Range<Int>] {
            (0..<count).map { i in (i * size / count)..<ceilDivide((i + 1) * size, count) }
        }
        let rows = bins(outputSize.height, shape[2])
        let columns = bins(outputSize.width, shape[3])
        let weights: [Float] = rows.flatMap { row in columns.map { 1 / Float(Swift.max(1, row.count * $0.count)) } }
        return windowAverage(outputSize: outputSize, rows: rows, columns: columns, weights: weights)
    }

    /// Output cell (i, j) = weights[i·outW + j] · Σ over `rows[i] × columns[j]`; the gradient
    /// spreads each cell's gradient times its weight back over its window.
    private func windowAverage(outputSize: Size2D, rows: [Range<Int>], columns: [Range<Int>], weights: [Float]) -> Tensor {
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3])
        let outputPlane = outputSize.height * outputSize.width
        let output = Tensor(uninitializedShape: [shape[0], shape[1], outputSize.height, outputSize.width]) { output in
            let input = UnsafePointer(storage.pointer)
            parallelChunks(count: planes, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, height * width))) { range in
                for plane in range {
                    let x = input + plane * height * width
                    for (i, row) in rows.enumerated() {
                        for (j, column) in columns.enumerated() {
                            var total: Float = 0
                            for ih in row { for iw in column { total += x[ih * width + iw] } }
                            output[plane * outputPlane + i * outputSize.width + j] = total * weights[i * outputSize.width + j]
                        }
                    }
                }
            }
        }
        guard let parents = Tensor.recordedParents(self) else { return output }
        let inputShape = shape
        return output.recording(parents: parents, inputShapes: [inputShape]) { gradient in
            [
                planewiseGradient(inputShape: inputShape, outputGradient: gradient) { target, dy, _ in
                    for (i, row) in rows.enumerated() {
                        for (j, column) in columns.enumerated() {
                            let share = dy[i * outputSize.width + j] * weights[i * outputSize.width + j]
                            for ih in row { for iw in column { target[ih * width + iw] += share } }
                        }
                    }
                }
            ]
        }
    }
}

/// Max pooling of one plane with any window: bounds are checked per position and a tie
/// keeps the first maximum in row-major window order (PyTorch's rule).
private func maxPoolWindows(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>?,
    geometry g: PoolingGeometry
) {
    for oh in 0..<g.outputHeight {
        let top = oh * g.stride.height - g.padding.height
        for ow in 0..<g.outputWidth {
            let left = ow * g.stride.width - g.padding.width
            var best = -Float.infinity
            // PyTorch starts from the first in-range position of the window.
            let firstRow = top < 0 ? top + ceilDivide(-top, g.dilation.height) * g.dilation.height : top
            let firstColumn = left < 0 ? left + ceilDivide(-left, g.dilation.width) * g.dilation.width : left
            var bestIndex = firstRow * g.width + firstColumn
            for ki in 0..<g.kernel.height {
                let ih = top + ki * g.dilation.height
                if ih < 0 || ih >= g.height { continue }
                for kj in 0..<g.kernel.width {
                    let iw = left + kj * g.dilation.width
                    if iw < 0 || iw >= g.width { continue }
                    let value = x[ih * g.width + iw]
                    if value > best || value.isNaN {
                        best = value
                        bestIndex = ih * g.width + iw
                    }
                }
            }
            y[oh * g.outputWidth + ow] = best
            winners?[oh * g.outputWidth + ow] = Int32(bestIndex)
        }
    }
}

/// Max pooling of one plane when the windows tile the input (kernel = stride, no padding or
/// dilation): no bounds checks, rows read sequentially. Same tie rule as the general path.
private func maxPoolTiles(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>?,
    geometry g: PoolingGeometry
) {
    let (kh, kw, width) = (g.kernel.height, g.kernel.width, g.width)
    if kh == 2 && kw == 2 {
        maxPoolPairs(x, into: y, winners: winners, width: width, outputHeight: g.outputHeight, outputWidth: g.outputWidth)
        return
    }
    for oh in 0..<g.outputHeight {
        let out = y + oh * g.outputWidth
        let top = oh * kh
        // Start from the window's first row, then fold in the others.
        let first = x + top * width
        for ow in 0..<g.outputWidth {
            var best = first[ow * kw]
            var bestIndex = ow * kw
            for kj in 1..<max(1, kw) where first[ow * kw + kj] > best || first[ow * kw + kj].isNaN {
                best = first[ow * kw + kj]
                bestIndex = ow * kw + kj
            }
            out[ow] = best
            winners?[oh * g.outputWidth + ow] = Int32(top * width + bestIndex)
        }
        for ki in 1..<max(1, kh) {
            let row = x + (top + ki) * width
            for ow in 0..<g.outputWidth {
                for kj in 0..<kw where row[ow * kw + kj] > out[ow] || row[ow * kw + kj].isNaN {
                    out[ow] = row[ow * kw + kj]
                    winners?[oh * g.outputWidth + ow] = Int32((top + ki) * width + ow * kw + kj)
                }
            }
        }
    }
}

/// The 2×2, stride-2 case of ``maxPoolTiles(_:into:winners:geometry:)``, which every FCDD
/// net uses: four loads and three comparisons per output, in PyTorch's order (a later value
/// wins when it is larger or NaN). Four outputs at a time (one 128-bit register, what the
/// baseline x86-64 and ARM builds have), branch-free: the even and odd
/// columns of two input rows are split into vectors and merged with selects. A row of at least
/// four outputs ends with a chunk that overlaps the one before it (the same outputs are
/// written twice with the same values); narrower rows take the scalar loop.
private func maxPoolPairs(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>?,
    width: Int, outputHeight: Int, outputWidth: Int
) {
    let lanes = 4
    // Wrapping Int32 arithmetic: the indices of one plane fit, and overflow checks would keep
    // the loops from vectorising.
    let below = Int32(truncatingIfNeeded: width)
    let evenColumns = SIMD4<Int32>(0, 2, 4, 6)
    for oh in 0..<outputHeight {
        let upper = x + 2 * oh * width
        let lower = upper + width
        let out = y + oh * outputWidth
        let rowStart = Int32(truncatingIfNeeded: 2 * oh * width)
        guard outputWidth >= lanes else {
            maxPoolPairsRow(upper, lower, into: out, winners: winners.map { $0 + oh * outputWidth }, rowStart: rowStart, below: below, count: outputWidth)
            continue
        }
        var ow = 0
        while true {
            let top = UnsafeRawPointer(upper + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
            let bottom = UnsafeRawPointer(lower + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
            var best = top.evenHalf
            let (b, c, d) = (top.oddHalf, bottom.evenHalf, bottom.oddHalf)
            let takeB = (b .> best) .| (b .!= b)
            best.replace(with: b, where: takeB)
            let takeC = (c .> best) .| (c .!= c)
            best.replace(with: c, where: takeC)
            let takeD = (d .> best) .| (d .!= d)
            best.replace(with: d, where: takeD)
            UnsafeMutableRawPointer(out + ow).storeBytes(of: best, as: SIMD4<Float>.self)
            if let winners {
                let column = evenColumns &+ (rowStart &+ Int32(truncatingIfNeeded: 2 * ow))
                var offset = column
                offset.replace(with: column &+ 1, where: takeB)
                offset.replace(with: column &+ below, where: takeC)
                offset.replace(with: column &+ below &+ 1, where: takeD)
                UnsafeMutableRawPointer(winners + oh * outputWidth + ow).storeBytes(of: offset, as: SIMD4<Int32>.self)
            }
            if ow + lanes == outputWidth { break }
            ow = Swift.min(ow + lanes, outputWidth - lanes)
        }
    }
}

/// One output row of ``maxPoolPairs(_:into:winners:width:outputHeight:outputWidth:)`` one value
/// at a time, for rows narrower than a vector; with and without winners in separate loops.
private func maxPoolPairsRow(
    _ upper: UnsafePointer<Float>, _ lower: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
    winners: UnsafeMutablePointer<Int32>?, rowStart: Int32, below: Int32, count: Int
) {
    guard let winners else {
        for ow in 0..<count {
            var best = upper[2 * ow]
            let (b, c, d) = (upper[2 * ow + 1], lower[2 * ow], lower[2 * ow + 1])
            best = b > best || b.isNaN ? b : best
            best = c > best || c.isNaN ? c : best
            best = d > best || d.isNaN ? d : best
            out[ow] = best
        }
        return
    }
    // Selects, not branches: on real activations each comparison is a coin flip.
    for ow in 0..<count {
        let column = rowStart &+ Int32(truncatingIfNeeded: 2 * ow)
        var (best, offset) = (upper[2 * ow], column)
        let (b, c, d) = (upper[2 * ow + 1], lower[2 * ow], lower[2 * ow + 1])
        let takeB = b > best || b.isNaN
        best = takeB ? b : best
        offset = takeB ? column &+ 1 : offset
        let takeC = c > best || c.isNaN
        best = takeC ? c : best
        offset = takeC ? column &+ below : offset
        let takeD = d > best || d.isNaN
        best = takeD ? d : best
        offset = takeD ? column &+ below &+ 1 : offset
        out[ow] = best
        winners[ow] = offset
    }
}
