import TensorCore

/// A step of a preprocessing or augmentation pipeline: takes a sample and returns a new one.
///
/// Transforms work on ``DatasetSample`` values, whose image is already what torchvision's
/// `ToTensor` produces (`[C, H, W]`, float, values in `[0, 1]`): there is no separate
/// "to tensor" step. Geometric transforms (resizing, cropping, flipping) move the image and
/// its mask together, so the mask keeps marking the same pixels; photometric transforms
/// (colour jitter, noise, normalisation) change only the image. The label and name pass
/// through unchanged.
///
/// Randomness comes only from the `generator` argument: the same generator state gives the
/// same result, on every platform. A transform that draws nothing ignores it. Random draws
/// mirror torchvision's structure (what is drawn, in which order, and when nothing is drawn)
/// but not its bit streams, so results are not bit-identical to a seeded PyTorch run.
public protocol SampleTransform: Sendable {
    /// Returns the transformed sample, drawing any random choices from `generator`.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   when the image or mask does not have a shape the transform can handle.
    func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample
}

extension SampleTransform {
    /// Applies the transform with a fresh generator seeded with `seed`: a convenience for
    /// deterministic transforms and for loaders that derive one seed per sample.
    ///
    /// - Throws: whatever ``apply(_:using:)`` throws.
    public func apply(_ sample: DatasetSample, seed: UInt64) throws(DatasetError) -> DatasetSample {
        var generator = SeededGenerator(seed: seed)
        return try apply(sample, using: &generator)
    }
}
