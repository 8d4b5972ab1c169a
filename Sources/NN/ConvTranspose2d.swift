import TensorCore

/// A 2-D transposed convolution layer, PyTorch's `nn.ConvTranspose2d`: weight
/// `[in, out/groups, kH, kW]` and an optional bias `[out]`, initialised as PyTorch does.
/// Used for learnt upsampling (decoders of autoencoders).
public final class ConvTranspose2d: Module {
    public var isTraining = true
    /// Channels of the input.
    public let inputChannels: Int
    /// Channels of the output.
    public let outputChannels: Int
    /// Height and width of the kernel.
    public let kernelSize: Size2D
    /// Upsampling step.
    public let stride: Size2D
    /// Rows and columns removed from each side of the full output.
    public let padding: Padding2D
    /// Extra rows and columns added at the bottom and right of the output.
    public let outputPadding: Size2D
    /// Spacing between kernel taps.
    public let dilation: Size2D
    /// Number of channel groups.
    public let groups: Int
    /// The kernel, `[in, out/groups, kH, kW]`.
    public let weight: Parameter
    /// The per-channel offset, `[out]`, if the layer has one.
    public let bias: Parameter?

    /// A transposed convolution with PyTorch's default initialisation drawn from `generator`.
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for non-positive sizes,
    ///   channel counts that `groups` does not divide, or an output padding not smaller
    ///   than the stride or the dilation.
    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        outputPadding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
        using generator: inout SeededGenerator
    ) {
        validateConvolution("ConvTranspose2d", inputChannels, outputChannels, kernelSize, stride, padding, dilation, groups)
        guard outputPadding.height >= 0, outputPadding.width >= 0,
            outputPadding.height < max(stride.height, dilation.height),
            outputPadding.width < max(stride.width, dilation.width)
        else {
            TensorError.invalidArgument(
                op: "ConvTranspose2d",
                message:
                    "outputPadding must be non-negative and smaller than the stride or the dilation, found \(outputPadding) with stride \(stride), dilation \(dilation)"
            ).trap()
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
        let initial = Initialization.pytorchDefault(
            weightShape: [inputChannels, outputChannels / groups, kernelSize.height, kernelSize.width],
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
            outputPadding: outputPadding, hasBias: bias != nil)
    }

    /// Maps `[N, in, H, W]` to `[N, out, (H − 1)·stride − padding + dilation·(k − 1) + outputPadding + 1, …]`.
    public func forward(_ input: Tensor) -> Tensor {
        Tensor.convTranspose2d(
            input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
            outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
