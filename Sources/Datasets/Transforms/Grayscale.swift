import TensorCore

/// Converts the image to grey levels with the ITU-R BT.601 luma weights
/// (``ColorAdjustment/lumaWeights``: 0.299 R + 0.587 G + 0.114 B), as torchvision's
/// `Grayscale` on PIL images (`convert("L")`, without its rounding to 8 bits). FCDD uses it to
/// turn CIFAR-100 into Fashion-MNIST outlier exposure. A 1-channel image is already grey
/// and is only copied to the requested number of channels.
public struct Grayscale: SampleTransform {
    /// How many channels the grey image has.
    public enum OutputChannels: Sendable, Equatable {
        /// One channel (torchvision's default, `num_output_channels=1`).
        case one
        /// Three identical channels (`num_output_channels=3`), for networks that expect RGB.
        case three
        /// As many as the input (1 or 3).
        case sameAsInput
    }

    /// How many channels the grey image has.
    public let outputChannels: OutputChannels

    /// A conversion to grey with the given number of output channels.
    public init(outputChannels: OutputChannels = .one) {
        self.outputChannels = outputChannels
    }

    /// Converts the image to grey.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image without 1 or 3 channels.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        result.image = try Self.grey(sample.image, outputChannels: outputChannels, sample: sample.name)
        return result
    }

    /// The grey version of a `[C, H, W]` image with 1 or 3 channels.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image without 1 or 3 channels.
    public static func grey(_ image: Tensor, outputChannels: OutputChannels = .one, sample: String = "image") throws(DatasetError) -> Tensor {
        let geometry = try ImageGeometry(of: image, transform: "Grayscale", sample: sample, allowedChannels: [1, 3])
        let channels: Int
        switch outputChannels {
        case .one: channels = 1
        case .three: channels = 3
        case .sameAsInput: channels = geometry.channels
        }
        let plane = geometry.plane
        return transformed(image, to: [channels, geometry.height, geometry.width]) { x, y in
            if geometry.channels == 3 {
                let (r, g, b) = (x, x + plane, x + 2 * plane)
                for i in 0..<plane { y[i] = ColorAdjustment.luma(r[i], g[i], b[i]) }
            } else {
                y.update(from: x, count: plane)
            }
            for channel in 1..<max(channels, 1) {
                (y + channel * plane).update(from: y, count: plane)
            }
        }
    }
}
