/// How ``Tensor/resized(to:mode:)`` computes the new pixels.
public enum InterpolationMode: Sendable, Equatable {
    /// PyTorch's `nearest`: output index `i` reads input `⌊i · in/out⌋`.
    case nearest
    /// PyTorch's `bilinear` with `align_corners=False`: pixel centres are aligned, the
    /// source coordinate is `(i + ½)·in/out − ½`, clamped at 0.
    case bilinear
}

/// For one axis: the two source indices and weights of each output index.
private struct AxisSampling: Sendable {
    var low: [Int] = []
    var high: [Int] = []
    var lowWeight: [Float] = []
    var highWeight: [Float] = []

    init(input: Int, output: Int, mode: InterpolationMode) {
        // PyTorch computes the scale in float.
        let scale = Float(input) / Float(output)
        for i in 0..<output {
            switch mode {
            case .nearest:
                let source = Swift.min(Int((Float(i) * scale).rounded(.down)), input - 1)
                low.append(source); high.append(source); lowWeight.append(1); highWeight.append(0)
            case .bilinear:
                let real = Swift.max(0, scale * (Float(i) + 0.5) - 0.5)
                let index = Swift.min(Int(real), input - 1)
                let next = index < input - 1 ? index + 1 : index
                let fraction = real - Float(index)
                low.append(index); high.append(next); lowWeight.append(1 - fraction); highWeight.append(fraction)
            }
        }
    }
}

extension Tensor {
    /// Resizes the spatial axes of `[N, C, H, W]` to `size` (PyTorch's `interpolate` with
    /// `size=`), up or down. Differentiable: the gradient adds each output's gradient back
    /// into its source pixels with the same weights.
    ///
    /// - Precondition: Stops with ``TensorError`` for a rank other than 4, an empty input, or a size below 1.
    public func resized(to size: Size2D, mode: InterpolationMode) -> Tensor {
        guard rank == 4, shape[2] >= 1, shape[3] >= 1 else {
            stop(.shapeMismatch(op: "resize", expected: "a non-empty input of rank 4 [N, C, H, W]", found: [shape]))
        }
        guard size.height >= 1, size.width >= 1 else {
            stop(.invalidArgument(op: "resize", message: "size must be at least 1×1, found \(size)"))
        }
        let rows = AxisSampling(input: shape[2], output: size.height, mode: mode)
        let columns = AxisSampling(input: shape[3], output: size.width, mode: mode)
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3])
        let outputPlane = size.height * size.width
        let grain = Swift.max(1, parallelGrain / Swift.max(1, outputPlane))
        let output = Tensor(uninitializedShape: [shape[0], shape[1], size.height, size.width]) { output in
            let input = UnsafePointer(storage.pointer)
            parallelChunks(count: planes, minimumChunk: grain) { range in
                for plane in range {
                    let x = input + plane * height * width
                    var y = output + plane * outputPlane
                    for i in 0..<size.height {
                        let (top, bottom) = (x + rows.low[i] * width, x + rows.high[i] * width)
                        let (wTop, wBottom) = (rows.lowWeight[i], rows.highWeight[i])
                        for j in 0..<size.width {
                            let (l, r) = (columns.low[j], columns.high[j])
                            let (wl, wr) = (columns.lowWeight[j], columns.highWeight[j])
                            y[j] = wTop * (wl * top[l] + wr * top[r]) + wBottom * (wl * bottom[l] + wr * bottom[r])
                        }
                        y += size.width
                    }
                }
            }
        }
        guard let parents = Tensor.recordedParents(self) else { return output }
        let inputShape = shape
        return output.recording(parents: parents, inputShapes: [inputShape]) { gradient in
            [
                planewiseGradient(inputShape: inputShape, outputGradient: gradient) { target, planeGradient, _ in
                    var g = planeGradient
                    for i in 0..<size.height {
                        let (top, bottom) = (target + rows.low[i] * width, target + rows.high[i] * width)
                        let (wTop, wBottom) = (rows.lowWeight[i], rows.highWeight[i])
                        for j in 0..<size.width {
                            let (l, r) = (columns.low[j], columns.high[j])
                            let (wl, wr) = (columns.lowWeight[j], columns.highWeight[j])
                            top[l] += wTop * wl * g[j]
                            top[r] += wTop * wr * g[j]
                            bottom[l] += wBottom * wl * g[j]
                            bottom[r] += wBottom * wr * g[j]
                        }
                        g += size.width
                    }
                }
            ]
        }
    }
}
