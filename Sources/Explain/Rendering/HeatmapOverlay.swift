import Datasets
import TensorCore

extension Image {
    /// This image with `heatmap` coloured by `colorMap` blended over it: an RGB image whose
    /// pixel is `(1 − opacity) · input + opacity · colorMap.color(at: heatmap[y, x])`, channel
    /// by channel.
    ///
    /// The input is converted to RGB first (`Image.converted(toChannels:)`: grey repeated
    /// in R, G and B; alpha dropped, as PIL does).
    ///
    /// - Parameters:
    ///   - heatmap: A map `[H, W]` of this image's height and width, values in `[0, 1]`
    ///     (outside values take the end colours).
    ///   - colorMap: The colours of the heatmap; ``ColorMap/jet`` as in the FCDD figures.
    ///   - opacity: The weight of the heatmap's colour, in `[0, 1]`: 0 gives the input, 1
    ///     the coloured heatmap.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when `heatmap` is
    ///   not `[height, width]`, and ``ExplainError/invalidArgument(operation:message:)`` when
    ///   `opacity` is not in `[0, 1]`.
    public func overlaying(heatmap: Tensor, colorMap: ColorMap = .jet, opacity: Float = 0.5) throws(ExplainError) -> Image {
        let operation = "Image.overlaying(heatmap:)"
        guard heatmap.shape == [height, width] else {
            throw .shapeMismatch(
                operation: operation, expected: "a heatmap [H, W] of the image's size (the image is [\(height), \(width)])", found: [heatmap.shape])
        }
        guard opacity >= 0, opacity <= 1 else {
            throw .invalidArgument(operation: operation, message: "expected an opacity in [0, 1], found \(opacity)")
        }
        let base = converted(toChannels: 3)
        let count = width * height
        let keep = 1 - opacity
        let blended = heatmap.withUnsafeBufferPointer { values in
            base.pixels.withUnsafeBufferPointer { input in
                [Float](unsafeUninitializedCapacity: 3 * count) { output, initialized in
                    if let map = values.baseAddress, let from = input.baseAddress, let to = output.baseAddress {
                        colorMap.colorize(map, count: count, into: to)
                        for index in 0..<(3 * count) {
                            to[index] = keep * from[index] + opacity * to[index]
                        }
                    }
                    initialized = 3 * count
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: 3, pixels: blended)
    }
}
