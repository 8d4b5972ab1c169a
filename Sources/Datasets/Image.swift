import TensorCore

/// A decoded raster image: interleaved samples in `[0, 1]`, row by row from the top.
///
/// `pixels` holds `height × width × channels` values in HWC order (the channels of one pixel
/// are adjacent), like the rows of a PNG or JPEG. An 8-bit sample `v` is stored as `v / 255`
/// and a 16-bit one as `v / 65535`, each the correctly rounded float, so 16-bit images keep
/// their precision and encoding at the file's bit depth gives back the same samples.
///
/// Decode with ``init(contentsOf:limits:)``, ``init(pngData:source:limits:)`` or
/// ``init(jpegData:source:limits:)``; turn into a `[C, H, W]` tensor with ``tensor()``; encode with
/// ``pngData(bitDepth:)`` or ``writePNG(to:bitDepth:)``.
public struct Image: Sendable, Equatable {
    /// Pixels per row, at least 1.
    public let width: Int
    /// Rows, at least 1.
    public let height: Int
    /// Samples per pixel: 1 grey, 2 grey and alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// `height × width × channels` samples in `[0, 1]`, interleaved (HWC), rows from the top.
    /// Alpha, where present, is straight (not premultiplied): 0 transparent, 1 opaque.
    public let pixels: [Float]

    /// The largest `width × height × channels` of the images the package renders (2²⁸
    /// samples, 1 GiB of floats, such as a 16384 × 16384 grey image). Decoding is capped
    /// separately, and lower by default, by ``DatasetLimits/maximumImageSamples``.
    public static let maximumSampleCount = 1 << 28

    /// An image of the given size and channel count holding `pixels` (interleaved HWC, see
    /// ``pixels``). Values are kept as given; encoding clamps them to `[0, 1]`.
    ///
    /// - Throws: ``DatasetError/wrongDimensions(file:expected:found:)`` (file `<pixels>`)
    ///   when `channels` is not in `1...4`, `width` or `height` is below 1, or `pixels` does
    ///   not hold `width × height × channels` values.
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) throws(DatasetError) {
        guard (1...4).contains(channels), width >= 1, height >= 1,
            case let (area, false) = width.multipliedReportingOverflow(by: height),
            area.multipliedReportingOverflow(by: channels) == (pixels.count, false)
        else {
            throw .wrongDimensions(
                file: "<pixels>",
                expected: "width ≥ 1, height ≥ 1, channels in 1...4 and width × height × channels = \(pixels.count) pixel values",
                found: [width, height, channels])
        }
        self.init(validatedWidth: width, height: height, channels: channels, pixels: pixels)
    }

    /// An image whose sizes the caller has checked (the package's renderers).
    package init(validatedWidth width: Int, height: Int, channels: Int, pixels: [Float]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The image from a tensor of shape `[C, H, W]` (`C` in `1...4`: grey, grey and alpha,
    /// RGB, RGBA) or `[H, W]` (grey), such as a heatmap. Values are clamped to `[0, 1]`;
    /// NaN becomes 0.
    ///
    /// - Throws: ``DatasetError/wrongDimensions(file:expected:found:)`` (file `<tensor>`)
    ///   for any other shape, or a height or width of 0.
    public init(tensor: Tensor) throws(DatasetError) {
        let shape = tensor.shape
        let layout: (channels: Int, height: Int, width: Int)?
        switch shape.count {
        case 2: layout = (1, shape[0], shape[1])
        case 3: layout = (shape[0], shape[1], shape[2])
        default: layout = nil
        }
        guard let (channels, height, width) = layout, (1...4).contains(channels), height >= 1, width >= 1 else {
            throw .wrongDimensions(
                file: "<tensor>", expected: "[C, H, W] with C in 1...4, or [H, W], with H and W at least 1",
                found: shape)
        }
        let plane = height * width
        let count = plane * channels
        let pixels = tensor.withUnsafeBufferPointer { planes in
            [Float](unsafeUninitializedCapacity: count) { interleaved, initialized in
                guard let from = planes.baseAddress, let to = interleaved.baseAddress else { return }
                for channel in 0..<channels {
                    let source = from + channel * plane
                    var target = to + channel
                    for index in 0..<plane {
                        let value = source[index]
                        // `value > 0` is false for NaN, which becomes 0.
                        target.initialize(to: value > 0 ? min(value, 1) : 0)
                        target += channels
                    }
                }
                initialized = count
            }
        }
        self.init(validatedWidth: width, height: height, channels: channels, pixels: pixels)
    }

    /// The samples as a tensor of shape `[C, H, W]` (channel planes, as the network layers
    /// expect), with the values of ``pixels``.
    public func tensor() -> Tensor {
        let plane = height * width
        let channels = channels
        return Tensor(shape: [channels, height, width]) { planes in
            pixels.withUnsafeBufferPointer { interleaved in
                guard let from = interleaved.baseAddress, let to = planes.baseAddress else { return }
                for channel in 0..<channels {
                    var source = from + channel
                    let target = to + channel * plane
                    for index in 0..<plane {
                        target[index] = source.pointee
                        source += channels
                    }
                }
            }
        }
    }
}
