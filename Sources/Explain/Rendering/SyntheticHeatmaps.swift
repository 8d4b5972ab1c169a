import Foundation
import TensorCore

/// Stand-in heatmaps for trying out figures before a trained model exists: how unusual each
/// pixel of an input is for the nominal class, smoothed. They look like anomaly heatmaps
/// (nominal inputs stay mostly cold, anomalous ones light up where their shape differs
/// from the nominal class) but come from no model; replace them with FCDD maps for real
/// figures.
public enum SyntheticHeatmaps {
    /// For each input of `inputs` (`[N, C, H, W]`), how far each pixel lies outside the
    /// usual range of the nominal images `nominal` (`[M, C, H, W]`): with the nominal
    /// per-pixel mean `μ` and standard deviation `σ`, the value
    /// `max(0, |x − μ| / (σ + 0.05) − 1)` (deviations beyond one standard deviation; the
    /// 0.05 keeps always-black background pixels from dividing by zero), averaged over
    /// channels and blurred with a Gaussian of `blurSigma` pixels (0 for none).
    ///
    /// The result, `[N, H, W]`, is not normalised: apply a display normalisation (such as
    /// the reference's global quantile normalisation) before colouring. A sample's mean
    /// value is a matching stand-in anomaly score.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` unless `inputs`
    ///   and `nominal` are `[N, C, H, W]` and `[M, C, H, W]` with `M, C, H, W ≥ 1`, and
    ///   ``ExplainError/invalidArgument(operation:message:)`` for a negative or non-finite
    ///   `blurSigma`.
    public static func deviation(of inputs: Tensor, fromNominal nominal: Tensor, blurSigma: Float = 1.5) throws(ExplainError) -> Tensor {
        let operation = "SyntheticHeatmaps.deviation"
        guard inputs.rank == 4, nominal.rank == 4, nominal.shape.allSatisfy({ $0 >= 1 }), inputs.shape.dropFirst() == nominal.shape.dropFirst() else {
            throw .shapeMismatch(
                operation: operation, expected: "inputs [N, C, H, W] and nominal images [M, C, H, W] with M, C, H, W ≥ 1", found: [inputs.shape, nominal.shape])
        }
        guard blurSigma >= 0, blurSigma.isFinite else {
            throw .invalidArgument(operation: operation, message: "expected a blur sigma of at least 0, found \(blurSigma)")
        }
        let (count, channels, height, width) = (inputs.shape[0], inputs.shape[1], inputs.shape[2], inputs.shape[3])
        let plane = height * width
        let (mean, spread) = statistics(of: nominal)
        var maps = [Float](repeating: 0, count: count * plane)
        inputs.withUnsafeBufferPointer { values in
            mean.withUnsafeBufferPointer { meanValues in
                spread.withUnsafeBufferPointer { spreadValues in
                    maps.withUnsafeMutableBufferPointer { output in
                        guard let source = values.baseAddress, let mu = meanValues.baseAddress, let sigma = spreadValues.baseAddress,
                            let target = output.baseAddress
                        else { return }
                        for index in 0..<count {
                            let map = target + index * plane
                            for channel in 0..<channels {
                                let image = source + (index * channels + channel) * plane
                                let (centre, scale) = (mu + channel * plane, sigma + channel * plane)
                                for offset in 0..<plane {
                                    let excess = abs(image[offset] - centre[offset]) / (scale[offset] + 0.05) - 1
                                    map[offset] += max(excess, 0) / Float(channels)
                                }
                            }
                            if blurSigma > 0 { blur(map, height: height, width: width, sigma: blurSigma) }
                        }
                    }
                }
            }
        }
        return tensor(shape: [count, height, width], values: maps)
    }

    /// The per-sample mean and (population) standard deviation of a batch `[M, C, H, W]`,
    /// each `C × H × W` values.
    static func statistics(of images: Tensor) -> (mean: [Float], spread: [Float]) {
        let count = images.shape[0], size = images.shape.dropFirst().reduce(1, *)
        var sums = [Double](repeating: 0, count: size), squares = [Double](repeating: 0, count: size)
        images.withUnsafeBufferPointer { values in
            guard let source = values.baseAddress else { return }
            for index in 0..<count {
                let image = source + index * size
                for offset in 0..<size {
                    let value = Double(image[offset])
                    sums[offset] += value
                    squares[offset] += value * value
                }
            }
        }
        let n = Double(count)
        let mean = sums.map { Float($0 / n) }
        let spread = zip(sums, squares).map { sum, square in Float(max(square / n - (sum / n) * (sum / n), 0).squareRoot()) }
        return (mean, spread)
    }

    /// Blurs a `height × width` plane in place with a normalised Gaussian of `sigma` pixels
    /// (radius ⌈3σ⌉), rows then columns, repeating the edge pixels beyond the border.
    static func blur(_ plane: UnsafeMutablePointer<Float>, height: Int, width: Int, sigma: Float) {
        let radius = max(Int((3 * sigma).rounded(.up)), 1)
        var weights = (-radius...radius).map { offset in Float(exp(-0.5 * Double(offset * offset) / Double(sigma * sigma))) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        var line = [Float](repeating: 0, count: max(height, width))
        weights.withUnsafeBufferPointer { kernel in
            line.withUnsafeMutableBufferPointer { buffer in
                guard let weight = kernel.baseAddress, let copy = buffer.baseAddress else { return }
                // Rows, then columns: copy the line, then write each pixel's weighted sum.
                for (lines, length, step, lineStep) in [(height, width, 1, width), (width, height, width, 1)] {
                    for lineIndex in 0..<lines {
                        let start = plane + lineIndex * lineStep
                        for position in 0..<length { copy[position] = start[position * step] }
                        for position in 0..<length {
                            var sum: Float = 0
                            for offset in -radius...radius {
                                sum += weight[offset + radius] * copy[min(max(position + offset, 0), length - 1)]
                            }
                            start[position * step] = sum
                        }
                    }
                }
            }
        }
    }

    /// A tensor of a checked shape.
    private static func tensor(shape: [Int], values: [Float]) -> Tensor {
        return Tensor(shape: shape, scalars: values)
    }
}
