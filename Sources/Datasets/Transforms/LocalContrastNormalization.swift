import TensorCore

/// FCDD's per-sample "local contrast normalisation"
/// (`fcdd.datasets.preprocessing.local_contrast_normalization`), which despite its name
/// is global over the sample:
///
/// 1. `x ← x − mean(x)`, the mean taken over all channels and pixels together;
/// 2. `x ← x / scale`, where `scale` is `mean(|x|)` for ``Scale/l1`` (what every FCDD
///    pipeline uses) or `sqrt(Σ x²) / n` for ``Scale/l2`` (the function's default, unused by
///    FCDD's pipelines); no division when `scale` is 0 (a constant image becomes zeros).
///
/// Sums are accumulated in double precision; PyTorch sums in float, so results can differ
/// in the last bits. FCDD follows it with ``MinMaxScaling``.
public struct LocalContrastNormalization: SampleTransform {
    /// The measure of spread that the centred sample is divided by.
    public enum Scale: Sendable, Equatable {
        /// The mean absolute value (`scale='l1'`).
        case l1
        /// The Euclidean norm divided by the number of elements (`scale='l2'`).
        case l2
    }

    /// The measure of spread that the centred sample is divided by.
    public let scale: Scale

    /// The normalisation with the given scale (L1 by default, as FCDD uses it).
    public init(scale: Scale = .l1) {
        self.scale = scale
    }

    /// Normalises the image (one output allocation).
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image that is not a non-empty `[C, H, W]` tensor.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "LocalContrastNormalization")
        let count = geometry.channels * geometry.plane
        let scale = scale
        var result = sample
        result.image = transformed(sample.image, to: geometry.shape) { x, y in
            var sum = 0.0
            for i in 0..<count { sum += Double(x[i]) }
            let mean = Float(sum / Double(count))
            var spread = 0.0
            for i in 0..<count {
                let centred = x[i] - mean
                y[i] = centred
                switch scale {
                case .l1: spread += Double(abs(centred))
                case .l2: spread += Double(centred) * Double(centred)
                }
            }
            let divisor: Float
            switch scale {
            case .l1: divisor = Float(spread / Double(count))
            case .l2: divisor = Float(spread.squareRoot()) / Float(count)
            }
            guard divisor != 0 else { return }
            for i in 0..<count { y[i] /= divisor }
        }
        return result
    }
}
