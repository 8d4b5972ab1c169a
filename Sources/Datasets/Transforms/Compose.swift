import TensorCore

/// Applies transforms one after the other, as torchvision's `Compose`; every step draws
/// from the same generator, in order.
///
/// ```swift
/// let train = Compose(
///     try RandomCrop(height: 28, width: 28, padding: 2),
///     try RandomHorizontalFlip(),
///     LocalContrastNormalization(),
///     try MinMaxScaling(minimum: [-2.68], maximum: [24.85]))
/// ```
public struct Compose: SampleTransform {
    /// The steps, applied first to last.
    public var transforms: [any SampleTransform]

    /// A pipeline of `transforms`, applied first to last.
    public init(_ transforms: [any SampleTransform]) {
        self.transforms = transforms
    }

    /// A pipeline of `transforms`, applied first to last.
    public init(_ transforms: any SampleTransform...) {
        self.init(transforms)
    }

    /// Applies every step in order.
    ///
    /// - Throws: the first error a step throws.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        for transform in transforms {
            result = try transform.apply(result, using: &generator)
        }
        return result
    }
}
