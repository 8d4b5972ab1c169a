import TensorCore

/// Adds independent Gaussian noise to every element of the image (not the mask).
///
/// This is FCDD's `AWGN(std)` (`x + std · N(0, 1)`, unclamped: CIFAR-10 and ImageNet use
/// 0.001, the Fashion-MNIST `aug1` variant 0.01) and, with
/// ``Scale/relativeToImageStandardDeviation(_:)`` and clamping, the noise of FCDD's
/// `mvtec_awgn` (`clamp(x + 0.1 · std(x) · N(0, 1), 0, 1)`, applied with probability ½: wrap
/// it in ``RandomApply``). Normal values come from `SeededGenerator.nextNormalPair()`, one
/// pair per two elements.
public struct GaussianNoise: SampleTransform {
    /// The standard deviation of the noise.
    public enum Scale: Sendable, Equatable {
        /// A fixed standard deviation.
        case absolute(Float)
        /// This multiple of the image's own standard deviation (over all elements, with
        /// Bessel's correction, as `torch.Tensor.std()`), computed per sample.
        case relativeToImageStandardDeviation(Float)
    }

    /// The standard deviation of the noise.
    public let scale: Scale
    /// Whether the result is clamped to `[0, 1]`.
    public let clampsToUnitRange: Bool

    /// Noise of the given scale, clamped to `[0, 1]` when `clampsToUnitRange` is true.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a negative or non-finite standard deviation or factor.
    public init(_ scale: Scale, clampsToUnitRange: Bool = false) throws(DatasetError) {
        let value: Float
        switch scale {
        case let .absolute(deviation): value = deviation
        case let .relativeToImageStandardDeviation(factor): value = factor
        }
        guard value >= 0, value.isFinite else {
            throw .invalidTransformParameter(
                transform: "GaussianNoise", parameter: "standard deviation", expected: "finite and non-negative", found: "\(value)")
        }
        self.scale = scale
        self.clampsToUnitRange = clampsToUnitRange
    }

    /// Noise of standard deviation `standardDeviation` (FCDD's `AWGN`).
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a negative or non-finite standard deviation.
    public init(standardDeviation: Float, clampsToUnitRange: Bool = false) throws(DatasetError) {
        try self.init(.absolute(standardDeviation), clampsToUnitRange: clampsToUnitRange)
    }

    /// Adds the noise (one output allocation).
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image that is not a non-empty `[C, H, W]` tensor.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "GaussianNoise")
        let count = geometry.channels * geometry.plane
        let clamps = clampsToUnitRange
        var result = sample
        result.image = transformed(sample.image, to: geometry.shape) { x, y in
            let deviation: Float
            switch scale {
            case let .absolute(value):
                deviation = value
            case let .relativeToImageStandardDeviation(factor):
                // A single-element image has no sample standard deviation: no noise then.
                let measured = meanAndStandardDeviation(x, count: count).standardDeviation
                deviation = measured.isFinite ? factor * Float(measured) : 0
            }
            var i = 0
            while i < count {
                let (first, second) = generator.nextNormalPair()
                y[i] = x[i] + deviation * first
                if i + 1 < count { y[i + 1] = x[i + 1] + deviation * second }
                i += 2
            }
            if clamps {
                for i in 0..<count { y[i] = min(max(y[i], 0), 1) }
            }
        }
        return result
    }
}
