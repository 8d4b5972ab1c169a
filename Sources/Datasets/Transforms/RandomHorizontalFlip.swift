import TensorCore

/// Mirrors the image and its mask left to right with probability `p`, as torchvision's
/// `RandomHorizontalFlip` (one uniform draw per sample, flipped when it is below `p`).
public struct RandomHorizontalFlip: SampleTransform {
    /// The probability of flipping, in `[0, 1]`.
    public let p: Double

    /// Flips with probability `p` (½ by default).
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   when `p` is outside `[0, 1]`.
    public init(p: Double = 0.5) throws(DatasetError) {
        try validateProbability(p, transform: "RandomHorizontalFlip")
        self.p = p
    }

    /// Draws whether to flip, then flips the image and its mask together.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image that is not a non-empty `[C, H, W]` tensor, or a mask of another size.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "RandomHorizontalFlip")
        let maskGeometry = try sample.maskGeometry(matching: geometry, for: "RandomHorizontalFlip")
        guard generator.bernoulli(p) else { return sample }
        var result = sample
        result.image = Self.flipped(sample.image, geometry: geometry)
        if let mask = sample.mask, let maskGeometry {
            result.mask = Self.flipped(mask, geometry: maskGeometry)
        }
        return result
    }

    /// Every row reversed.
    static func flipped(_ tensor: Tensor, geometry: ImageGeometry) -> Tensor {
        let width = geometry.width
        let rows = geometry.channels * geometry.height
        return transformed(tensor, to: geometry.shape) { x, y in
            for row in 0..<rows {
                let (from, to) = (x + row * width, y + row * width)
                for j in 0..<width { to[j] = from[width - 1 - j] }
            }
        }
    }
}
