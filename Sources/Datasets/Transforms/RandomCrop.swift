import TensorCore

/// Crops a random window of the zero-padded image, and the same window of its mask, as
/// torchvision's `RandomCrop(size, padding)` with `fill=0` and `padding_mode='constant'`.
///
/// The padded image is never built: the window is read from the image directly, with
/// zeros where it covers the padding. When the padded image has exactly the crop's size,
/// nothing is drawn; otherwise the top row is drawn, then the left column, each uniformly.
public struct RandomCrop: SampleTransform {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int
    /// Zero padding added on each side before cropping.
    public let padding: Padding2D

    /// A random `height × width` crop of the image padded by `padding` zeros.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a size below 1 or negative padding.
    public init(height: Int, width: Int, padding: Padding2D = 0) throws(DatasetError) {
        guard height >= 1, width >= 1 else {
            throw .invalidTransformParameter(transform: "RandomCrop", parameter: "size", expected: "at least 1×1", found: "\(height)×\(width)")
        }
        guard padding.isNonNegative else {
            throw .invalidTransformParameter(transform: "RandomCrop", parameter: "padding", expected: "non-negative", found: "\(padding)")
        }
        (self.height, self.width, self.padding) = (height, width, padding)
    }

    /// A random square `size × size` crop of the image padded by `padding` zeros on every
    /// side (torchvision `RandomCrop(size, padding=n)`).
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a size below 1 or negative padding.
    public init(size: Int, padding: Int = 0) throws(DatasetError) {
        try self.init(height: size, width: size, padding: Padding2D(integerLiteral: padding))
    }

    /// Pads, draws a window and crops the image and its mask.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   when the padded image is smaller than the crop, for an image that is not a
    ///   non-empty `[C, H, W]` tensor, or a mask of another size.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "RandomCrop")
        let maskGeometry = try sample.maskGeometry(matching: geometry, for: "RandomCrop")
        let paddedHeight = geometry.height + padding.top + padding.bottom
        let paddedWidth = geometry.width + padding.left + padding.right
        guard paddedHeight >= height, paddedWidth >= width else {
            throw .transformInputMismatch(
                transform: "RandomCrop", sample: sample.name,
                expected: "an image of at least \(height)×\(width) pixels after padding \(padding) (crop larger than the image)",
                found: sample.image.shape)
        }
        var (row, column) = (0, 0)
        if paddedHeight != height || paddedWidth != width {
            row = generator.uniformInteger(below: paddedHeight - height + 1)
            column = generator.uniformInteger(below: paddedWidth - width + 1)
        }
        let (top, left) = (row - padding.top, column - padding.left)
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
