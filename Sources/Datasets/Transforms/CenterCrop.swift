import TensorCore

/// Crops the centre of the image, and of its mask, as torchvision's `CenterCrop`.
///
/// The top-left corner is `round((H − h) / 2)`, `round((W − w) / 2)` with Python's
/// round-half-to-even, so an odd difference of 1 puts the extra row at the bottom, of 3
/// at the top, of 5 at the bottom again. A crop larger than the image zero-pads it first, as
/// torchvision does: `(h − H) // 2` rows above, the rest below (likewise for columns).
public struct CenterCrop: SampleTransform {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int

    /// A centre crop of `height × width`.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a size below 1.
    public init(height: Int, width: Int) throws(DatasetError) {
        guard height >= 1, width >= 1 else {
            throw .invalidTransformParameter(transform: "CenterCrop", parameter: "size", expected: "at least 1×1", found: "\(height)×\(width)")
        }
        (self.height, self.width) = (height, width)
    }

    /// A square centre crop of `size × size`.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a size below 1.
    public init(size: Int) throws(DatasetError) {
        try self.init(height: size, width: size)
    }

    /// The first row and column of the crop in an image of `inputHeight × inputWidth`
    /// (negative where the crop reaches into the zero padding).
    public func origin(inputHeight: Int, inputWidth: Int) -> (top: Int, left: Int) {
        (Self.start(input: inputHeight, crop: height), Self.start(input: inputWidth, crop: width))
    }

    /// torchvision's `center_crop` along one axis.
    private static func start(input: Int, crop: Int) -> Int {
        if crop > input { return -((crop - input) / 2) }
        return Int((Double(input - crop) / 2).rounded(.toNearestOrEven))
    }

    /// Crops the image and its mask.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image that is not a non-empty `[C, H, W]` tensor, or a mask of another size.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "CenterCrop")
        let maskGeometry = try sample.maskGeometry(matching: geometry, for: "CenterCrop")
        let (top, left) = origin(inputHeight: geometry.height, inputWidth: geometry.width)
        var result = sample
        result.image = croppedWindow(
            sample.image, geometry: geometry, top: top, left: left, height: height, width: width)
        if let mask = sample.mask, let maskGeometry {
            result.mask = croppedWindow(
                mask, geometry: maskGeometry, top: top, left: left, height: height, width: width)
        }
        return result
    }
}
