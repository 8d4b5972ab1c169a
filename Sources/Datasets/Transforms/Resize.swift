import TensorCore

/// Resizes the image, and its mask with it, as torchvision's `Resize` on tensors with
/// `antialias=False`.
///
/// The image is resized with ``interpolation``; the mask always with a nearest mode
/// (``ResizeInterpolation/nearestExact`` when the image uses it, otherwise
/// ``ResizeInterpolation/nearest``), so a binary mask stays binary.
public struct Resize: SampleTransform {
    /// The requested size.
    public enum Size: Sendable, Equatable {
        /// Exactly `height × width` (torchvision `Resize((h, w))`).
        case exact(height: Int, width: Int)
        /// The shorter side becomes this length and the longer one keeps the aspect ratio,
        /// rounded down (torchvision `Resize(n)`: `long' = int(n · long / short)`).
        case shorterSide(Int)
    }

    /// The requested size.
    public let size: Size
    /// How the image's pixels are interpolated.
    public let interpolation: ResizeInterpolation

    /// Resizes to exactly `height × width`.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a size below 1.
    public init(height: Int, width: Int, interpolation: ResizeInterpolation = .bilinear) throws(DatasetError) {
        guard height >= 1, width >= 1 else {
            throw .invalidTransformParameter(transform: "Resize", parameter: "size", expected: "at least 1×1", found: "\(height)×\(width)")
        }
        self.size = .exact(height: height, width: width)
        self.interpolation = interpolation
    }

    /// Resizes so that the shorter side has `shorterSide` pixels, keeping the aspect ratio.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a length below 1.
    public init(shorterSide: Int, interpolation: ResizeInterpolation = .bilinear) throws(DatasetError) {
        guard shorterSide >= 1 else {
            throw .invalidTransformParameter(transform: "Resize", parameter: "shorter side", expected: "at least 1", found: "\(shorterSide)")
        }
        self.size = .shorterSide(shorterSide)
        self.interpolation = interpolation
    }

    /// The output height and width for an input of `height × width`, computed as
    /// torchvision's `_compute_resized_output_size` (the longer side is truncated, and is at
    /// least 1 here).
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        switch size {
        case let .exact(h, w):
            return (h, w)
        case let .shorterSide(short):
            let (shorter, longer) = width <= height ? (width, height) : (height, width)
            let newLonger = max(1, Int(Double(short * longer) / Double(shorter)))
            return width <= height ? (newLonger, short) : (short, newLonger)
        }
    }

    /// Resizes the image and its mask.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image that is not a non-empty `[C, H, W]` tensor, or a mask of another size.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "Resize")
        let maskGeometry = try sample.maskGeometry(matching: geometry, for: "Resize")
        let (height, width) = outputSize(height: geometry.height, width: geometry.width)
        var result = sample
        result.image = resizedPlanes(
            sample.image, geometry: geometry, height: height, width: width, mode: interpolation)
        if let mask = sample.mask, let maskGeometry {
            result.mask = resizedPlanes(
                mask, geometry: maskGeometry, height: height, width: width, mode: interpolation.maskMode)
        }
        return result
    }
}
