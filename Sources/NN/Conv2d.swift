import TensorCore

/// A 2-D convolution layer, PyTorch's `nn.Conv2d`: weight `[out, in/groups, kH, kW]` and an
/// optional bias `[out]`, initialised as PyTorch does (kaiming-uniform with `a = √5`, bias
/// uniform in `±1/√fanIn`).
public final class Conv2d: SpatialModule {
    public var isTraining = true
    /// Channels of the input.
    public let inputChannels: Int
    /// Channels of the output.
    public let outputChannels: Int
    /// Height and width of the kernel.
    public let kernelSize: Size2D
    /// Step between kernel positions.
    public let stride: Size2D
    /// Zero padding per side.
    public let padding: Padding2D
    /// Spacing between kernel taps.
    public let dilation: Size2D
    /// Number of channel groups convolved separately.
    public let groups: Int
    /// The kernel, `[out, in/groups, kH, kW]`.
    public let weight: Parameter
    /// The per-channel offset, `[out]`, if the layer has one.
    public let bias: Parameter?

    /// A convolution with PyTorch's default initialisation drawn from `generator`.
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for non-positive sizes or
    ///   channel counts that `groups` does not divide.
    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, using generator: inout SeededGenerator
    ) {
        validateConvolution("Conv2d", inputChannels, outputChannels, kernelSize, stride, padding, dilation, groups)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let initial = Initialization.pytorchDefault(
            weightShape: [outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width],
            bias: bias ? outputChannels : nil, using: &generator)
        weight = Parameter(initial.weight)
        self.bias = initial.bias.map { Parameter($0) }
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var settingsDescription: String {
        convolutionDescription(
            inputChannels, outputChannels, kernelSize, stride, padding, dilation, groups,
            outputPadding: 0, hasBias: bias != nil)
    }

    /// Convolves `[N, in, H, W]` into `[N, out, H', W']`.
    public func forward(_ input: Tensor) -> Tensor {
        Tensor.conv2d(
            input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
            dilation: dilation, groups: groups)
    }
}

extension Conv2d {
    /// The window the kernel slides.
    public var window: SlidingWindow { SlidingWindow(kernel: kernelSize, stride: stride, padding: padding, dilation: dilation) }

    /// The reference's receptive-field rule for the kernel's window.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        try input.sliding(window, layer: "Conv2d")
    }
}

/// Checks a convolution layer's configuration.
func validateConvolution(
    _ layer: String, _ inputChannels: Int, _ outputChannels: Int, _ kernelSize: Size2D, _ stride: Size2D,
    _ padding: Padding2D, _ dilation: Size2D, _ groups: Int
) {
    guard inputChannels > 0, outputChannels > 0, groups > 0,
        inputChannels % groups == 0, outputChannels % groups == 0
    else {
        TensorError.invalidArgument(
            op: layer, message: "expected positive channel counts divisible by groups, found in \(inputChannels), out \(outputChannels), groups \(groups)"
        ).trap()
    }
    guard kernelSize.height > 0, kernelSize.width > 0, stride.height > 0, stride.width > 0,
        dilation.height > 0, dilation.width > 0, padding.isNonNegative
    else {
        TensorError.invalidArgument(
            op: layer,
            message:
                "expected kernel, stride and dilation ≥ 1 and padding ≥ 0, found kernel \(kernelSize), stride \(stride), dilation \(dilation), padding \(padding)"
        ).trap()
    }
}

/// PyTorch's `extra_repr` of a convolution: defaults are left out.
func convolutionDescription(
    _ inputChannels: Int, _ outputChannels: Int, _ kernelSize: Size2D, _ stride: Size2D, _ padding: Padding2D,
    _ dilation: Size2D, _ groups: Int, outputPadding: Size2D, hasBias: Bool
) -> String {
    var parts = ["\(inputChannels)", "\(outputChannels)", "kernel_size=\(kernelSize)", "stride=\(stride)"]
    if padding != 0 { parts.append("padding=\(padding.pytorchDescription)") }
    if dilation != 1 { parts.append("dilation=\(dilation)") }
    if outputPadding != 0 { parts.append("output_padding=\(outputPadding)") }
    if groups != 1 { parts.append("groups=\(groups)") }
    if !hasBias { parts.append("bias=False") }
    return parts.joined(separator: ", ")
}

extension Padding2D {
    /// `(h, w)` when the padding is symmetric, as PyTorch prints it; the four sides otherwise.
    var pytorchDescription: String {
        top == bottom && left == right ? "\(Size2D(top, left))" : "(\(top), \(bottom), \(left), \(right))"
    }
}
