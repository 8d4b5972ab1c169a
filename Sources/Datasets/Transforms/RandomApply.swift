import TensorCore

/// Applies a transform with probability `p` and otherwise returns the sample unchanged, as
/// torchvision's `RandomApply`. FCDD's MVTec-AD pipeline adds its noise with probability ½
/// (`randint(0, 2)`): `RandomApply(GaussianNoise(...), p: 0.5)`.
public struct RandomApply: SampleTransform {
    /// The transform applied with probability ``p``.
    public let transform: any SampleTransform
    /// The probability of applying ``transform``, in `[0, 1]`.
    public let p: Double

    /// Applies `transform` with probability `p`.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   when `p` is outside `[0, 1]`.
    public init(_ transform: any SampleTransform, p: Double = 0.5) throws(DatasetError) {
        try validateProbability(p, transform: "RandomApply")
        self.transform = transform
        self.p = p
    }

    /// Draws one uniform number; applies the transform when it is below ``p``.
    ///
    /// - Throws: whatever the transform throws.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        guard generator.bernoulli(p) else { return sample }
        return try transform.apply(sample, using: &generator)
    }
}
