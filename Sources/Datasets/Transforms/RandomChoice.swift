import TensorCore

/// Applies one of several transforms, chosen uniformly at random for each sample, as
/// torchvision's `RandomChoice` without weights. FCDD's MVTec-AD pipeline uses it twice:
/// `RandomChoice{RandomCrop 224, Resize 224}` and a choice between two colour jitters.
public struct RandomChoice: SampleTransform {
    /// The candidates; each is picked with probability `1 / count`.
    public let transforms: [any SampleTransform]

    /// A choice between `transforms`.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for an empty list.
    public init(_ transforms: [any SampleTransform]) throws(DatasetError) {
        guard !transforms.isEmpty else {
            throw .invalidTransformParameter(
                transform: "RandomChoice", parameter: "the list of transforms", expected: "non-empty", found: "an empty list")
        }
        self.transforms = transforms
    }

    /// A choice between `transforms`.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for an empty list.
    public init(_ transforms: any SampleTransform...) throws(DatasetError) {
        try self.init(transforms)
    }

    /// Draws which transform to use, then applies it.
    ///
    /// - Throws: whatever the chosen transform throws.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let index = generator.uniformInteger(below: transforms.count)
        return try transforms[index].apply(sample, using: &generator)
    }
}
