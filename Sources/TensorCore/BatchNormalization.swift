/// The result of ``Tensor/batchNorm(_:runningMean:runningVariance:weight:bias:training:momentum:epsilon:)``:
/// the normalised output and, in training mode, the updated running statistics.
public struct BatchNormResult: Sendable {
    /// The normalised (and scaled and shifted) input.
    public let output: Tensor
    /// `(1 − momentum)·runningMean + momentum·batchMean` in training mode; the running mean
    /// passed in otherwise (or `nil` if none was).
    public let runningMean: Tensor?
    /// `(1 − momentum)·runningVariance + momentum·unbiasedBatchVariance` in training mode,
    /// as PyTorch; the running variance passed in otherwise.
    public let runningVariance: Tensor?
}

extension Tensor {
    /// Batch normalisation over axis 1 of `[N, C]` or `[N, C, …]` (PyTorch's `batch_norm`,
    /// for BatchNorm1d and BatchNorm2d).
    ///
    /// In training mode it normalises with the batch's mean and biased variance and returns
    /// updated running statistics (unbiased variance, as PyTorch); in evaluation mode it uses
    /// the running statistics. `weight` and `bias` (`[C]`) are optional (no affine
    /// transform). The backward pass is fused: one pass for the statistics, one for the
    /// input gradient, and the running statistics are constants.
    ///
    /// - Precondition: Stops with ``TensorError`` when the input has rank below 2, a per-channel tensor is not
    ///   `[C]`, evaluation mode lacks running statistics, or training mode sees only one value
    ///   per channel.
    public static func batchNorm(
        _ input: Tensor, runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor?, bias: Tensor?,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5
    ) -> BatchNormResult {
        let op = "batchNorm"
        guard input.rank >= 2 else {
            stop(.shapeMismatch(op: op, expected: "an input of rank ≥ 2 [N, C, …]", found: [input.shape]))
        }
        let channels = input.shape[1]
        for (name, tensor) in [("runningMean", runningMean), ("runningVariance", runningVariance), ("weight", weight), ("bias", bias)] {
            if let tensor, tensor.shape != [channels] {
                stop(.shapeMismatch(op: op, expected: "\(name) of shape [\(channels)]", found: [tensor.shape]))
            }
        }
        guard (runningMean == nil) == (runningVariance == nil) else {
            stop(.invalidArgument(op: op, message: "runningMean and runningVariance must be given together"))
        }
        let batch = input.shape[0]
        let plane = shapeElementCount(Array(input.shape[2...]))
        let count = batch * plane
        guard epsilon >= 0 else { stop(.invalidArgument(op: op, message: "epsilon must be ≥ 0, found \(epsilon)")) }

        let mean: [Float]
        let variance: [Float]
        var updatedMean = runningMean
        var updatedVariance = runningVariance
        if training {
            guard count > 1 else {
                stop(.invalidArgument(op: op, message: "training needs more than one value per channel, found input shape \(describe(input.shape))"))
            }
            (mean, variance) = channelStatistics(input.storage.pointer, batch: batch, channels: channels, plane: plane)
            if let runningMean, let runningVariance {
                let correction = Float(count) / Float(count - 1)
                updatedMean = Tensor(uninitializedShape: [channels]) { out in
                    for c in 0..<channels { out[c] = (1 - momentum) * runningMean.storage.pointer[c] + momentum * mean[c] }
                }
                updatedVariance = Tensor(uninitializedShape: [channels]) { out in
                    for c in 0..<channels {
                        out[c] = (1 - momentum) * runningVariance.storage.pointer[c] + momentum * variance[c] * correction
                    }
                }
            }
        } else {
            guard let runningMean, let runningVariance else {
                stop(.invalidArgument(op: op, message: "evaluation mode needs running statistics; pass runningMean and runningVariance or use training mode"))
            }
            mean = runningMean.scalars
            variance = runningVariance.scalars
        }
        let inverseDeviation = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let scale = (0..<channels).map { c in inverseDeviation[c] * (weight?.storage.pointer[c] ?? 1) }
        let shift = (0..<channels).map { c in (bias?.storage.pointer[c] ?? 0) - mean[c] * scale[c] }
        let output = Tensor(uninitializedShape: input.shape) { out in
            let x = UnsafePointer(input.storage.pointer)
            parallelChunks(count: batch * channels, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, plane))) { range in
                for index in range {
                    let c = index % channels
                    let (a, b) = (scale[c], shift[c])
                    let (from, to) = (x + index * plane, out + index * plane)
                    for i in 0..<plane { to[i] = from[i] * a + b }
                }
            }
        }
        let operands = [input] + [weight, bias].compactMap { $0 }
        guard let parents = recordedParents(operands) else {
            return BatchNormResult(output: output, runningMean: updatedMean, runningVariance: updatedVariance)
        }
        let x = input.detached()
        let gamma = weight?.scalars
        let needsInput = parents[0] != nil
        let recorded = output.recording(parents: parents, inputShapes: operands.map(\.shape)) { gradient in
            // Per channel: Σdy and Σdy·x̂, with x̂ = (x − mean)·invstd.
            let dy = UnsafePointer(gradient.storage.pointer)
            var sumGradient = [Double](repeating: 0, count: channels)
            var sumGradientNormalized = [Double](repeating: 0, count: channels)
            sumGradient.withUnsafeMutableBufferPointer { sums in
                sumGradientNormalized.withUnsafeMutableBufferPointer { products in
                    let (sums, products) = (sums.baseAddress!, products.baseAddress!)
                    parallelChunks(count: channels, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, count))) { range in
                        for c in range {
                            var (s, p) = (0.0, 0.0)
                            for n in 0..<batch {
                                let offset = (n * channels + c) * plane
                                var (rowSum, rowProduct): (Float, Float) = (0, 0)
                                for i in 0..<plane {
                                    rowSum += dy[offset + i]
                                    rowProduct += dy[offset + i] * (x.storage.pointer[offset + i] - mean[c])
                                }
                                s += Double(rowSum)
                                p += Double(rowProduct)
                            }
                            sums[c] = s
                            products[c] = p * Double(inverseDeviation[c])
                        }
                    }
                }
            }
            var result: [Tensor?] = []
            if needsInput {
                result.append(
                    Tensor(uninitializedShape: x.shape) { dx in
                        parallelChunks(count: batch * channels, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, plane))) { range in
                            for index in range {
                                let c = index % channels
                                let g = (gamma?[c] ?? 1) * inverseDeviation[c]
                                let (from, to, xs) = (dy + index * plane, dx + index * plane, x.storage.pointer + index * plane)
                                if training {
                                    // dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂))
                                    let meanGradient = Float(sumGradient[c] / Double(count))
                                    let meanProduct = Float(sumGradientNormalized[c] / Double(count)) * inverseDeviation[c]
                                    for i in 0..<plane {
                                        to[i] = g * (from[i] - meanGradient - (xs[i] - mean[c]) * meanProduct)
                                    }
                                } else {
                                    for i in 0..<plane { to[i] = g * from[i] }
                                }
                            }
                        }
                    })
            } else {
                result.append(nil)
            }
            if weight != nil { result.append(Tensor(sumGradientNormalized.map { Float($0) })) }
            if bias != nil { result.append(Tensor(sumGradient.map { Float($0) })) }
            return result
        }
        return BatchNormResult(output: recorded, runningMean: updatedMean, runningVariance: updatedVariance)
    }
}

/// Per-channel mean and biased variance of `[N, C, plane]` data, two passes in double.
func channelStatistics(_ x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int) -> (mean: [Float], variance: [Float]) {
    var mean = [Float](repeating: 0, count: channels)
    var variance = [Float](repeating: 0, count: channels)
    let count = Double(batch * plane)
    mean.withUnsafeMutableBufferPointer { meanBuffer in
        variance.withUnsafeMutableBufferPointer { varianceBuffer in
            let (means, variances) = (meanBuffer.baseAddress!, varianceBuffer.baseAddress!)
            parallelChunks(count: channels, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, batch * plane))) { range in
                for c in range {
                    var total = 0.0
                    for n in 0..<batch { total += contiguousSum(x + (n * channels + c) * plane, count: plane) }
                    let m = total / count
                    var squares = 0.0
                    let mf = Float(m)
                    for n in 0..<batch {
                        let row = x + (n * channels + c) * plane
                        var partial: Float = 0
                        for i in 0..<plane { let d = row[i] - mf; partial += d * d }
                        squares += Double(partial)
                    }
                    means[c] = mf
                    variances[c] = Float(squares / count)
                }
            }
        }
    }
    return (mean, variance)
}
