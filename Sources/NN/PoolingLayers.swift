import TensorCore

/// 2-D max pooling (PyTorch's `nn.MaxPool2d`); the stride defaults to the kernel size.
public final class MaxPool2d: SpatialModule {
    public var isTraining = true
    /// Window size.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Implicit −∞ padding on each side.
    public let padding: Size2D
    /// Spacing between window taps.
    public let dilation: Size2D
    /// Whether a partial window at the end produces an output.
    public let ceilMode: Bool

    /// A max-pooling layer; parameters are checked when it is applied.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    public var settingsDescription: String {
        "kernel_size=\(kernelSize.pytorchDescription), stride=\(stride.pytorchDescription), padding=\(padding.pytorchDescription), "
            + "dilation=\(dilation.pytorchDescription), ceil_mode=\(ceilMode ? "True" : "False")"
    }

    /// Pools `[N, C, H, W]`.
    public func forward(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`); the stride defaults to the kernel size.
public final class AvgPool2d: SpatialModule {
    public var isTraining = true
    /// Window size.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Implicit zero padding on each side.
    public let padding: Size2D
    /// Whether a partial window at the end produces an output.
    public let ceilMode: Bool
    /// Whether padded zeros count in the divisor (PyTorch's `count_include_pad`).
    public let countIncludesPadding: Bool

    /// An average-pooling layer; parameters are checked when it is applied.
    public init(
        kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false,
        countIncludesPadding: Bool = true
    ) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludesPadding = countIncludesPadding
    }

    public var settingsDescription: String {
        "kernel_size=\(kernelSize.pytorchDescription), stride=\(stride.pytorchDescription), padding=\(padding.pytorchDescription)"
    }

    /// Pools `[N, C, H, W]`.
    public func forward(_ input: Tensor) -> Tensor {
        input.avgPool2d(
            kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
            divisor: countIncludesPadding ? .includingPadding : .excludingPadding)
    }
}

extension MaxPool2d {
    /// The window the pooling slides.
    public var window: SlidingWindow {
        SlidingWindow(
            kernel: kernelSize, stride: stride, padding: Padding2D(height: padding.height, width: padding.width),
            dilation: dilation, ceilMode: ceilMode)
    }

    /// The receptive-field rule of the pooling window.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        try input.sliding(window, layer: "MaxPool2d")
    }
}

extension AvgPool2d {
    /// The window the pooling slides.
    public var window: SlidingWindow {
        SlidingWindow(kernel: kernelSize, stride: stride, padding: Padding2D(height: padding.height, width: padding.width), ceilMode: ceilMode)
    }

    /// The receptive-field rule of the pooling window.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        try input.sliding(window, layer: "AvgPool2d")
    }
}

/// Adaptive average pooling to a fixed output size (PyTorch's `nn.AdaptiveAvgPool2d`). Not a
/// ``SpatialModule``: its window depends on the input size, so its output pixels have no
/// fixed receptive field.
public final class AdaptiveAvgPool2d: Module {
    public var isTraining = true
    /// Height and width of the output.
    public let outputSize: Size2D

    /// A layer that pools any `[N, C, H, W]` to `[N, C, outputSize]`.
    public init(outputSize: Size2D) { self.outputSize = outputSize }

    public var settingsDescription: String { "output_size=\(outputSize.pytorchDescription)" }

    /// Pools `[N, C, H, W]` to `[N, C, outputSize.height, outputSize.width]`.
    public func forward(_ input: Tensor) -> Tensor {
        input.adaptiveAvgPool2d(outputSize: outputSize)
    }
}

extension Size2D {
    /// `k` for a square size and `(h, w)` otherwise, as PyTorch prints pooling settings
    /// given as integers.
    var pytorchDescription: String { height == width ? "\(height)" : description }
}
