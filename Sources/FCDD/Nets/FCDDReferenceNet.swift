import NN
import TensorCore

/// One of the reference's FCDD nets (``FCDDNetKind``): a fully convolutional net mapping
/// `[N, C, H, W]` images to the map φ(X) `[N, 1, u, v]`, written as plain Swift with the
/// reference's parameter names (`conv1.weight`, `bn2d1.running_mean`, `conv_final.bias`
/// for the small nets; `features.0.weight` … `features.20`, `conv_final` for the VGG nets),
/// so state dicts of the official PyTorch models load by name. Its receptive field, output
/// size and heatmap up-sampler follow from its layers (`SpatialChain`).
///
/// As in the reference (whose CLI always passes `bias=True`), convolutions have biases and
/// batch norms are affine; the hand-made nets use batch-norm eps 1e-4 and leaky ReLU with
/// slope 0.01, the VGG nets torchvision's eps 1e-5 and ReLU. Modules that the reference
/// defines but never applies (such as `bn2d3` of FCDD_CNN32) exist here too, so names match.
/// Any other `SpatialModule` with one output channel trains as an FCDD net as well.
public protocol FCDDReferenceNet: SpatialChain, ArchitectureDescribing {
    /// The architecture.
    var kind: FCDDNetKind { get }
    /// Channels of the input images (1 for grey, 3 for colour).
    var inputChannels: Int { get }
}

extension FCDDReferenceNet {
    public var settingsDescription: String { "\(kind), in_channels=\(inputChannels)" }
}

extension FCDDNetKind {
    /// A freshly initialised net of this architecture (PyTorch's default initialisation,
    /// from `generator`). For ``cnn224VGGFrozen`` the first 15 backbone modules are frozen;
    /// load the ImageNet backbone with ``FCDDCNN224VGG/loadBackbone(from:)``.
    ///
    /// - Parameters:
    ///   - inputChannels: 1 for grey or 3 for colour images; the first convolution
    ///     takes this many channels (the reference does the same through `in_shape[0]`).
    ///   - generator: The source of the initial weights.
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public func makeNet(inputChannels: Int, using generator: inout SeededGenerator) -> any FCDDReferenceNet {
        guard inputChannels >= 1 else {
            TensorError.invalidArgument(op: rawValue, message: "expected at least one input channel, found \(inputChannels)").trap()
        }
        return switch self {
        case .cnn28, .cnn28Wide: FCDDCNN28(wide: self == .cnn28Wide, inputChannels: inputChannels, using: &generator)
        case .cnn32, .cnn32Small: FCDDCNN32(small: self == .cnn32Small, inputChannels: inputChannels, using: &generator)
        case .cnn32LW3K: FCDDCNN32LW3K(inputChannels: inputChannels, using: &generator)
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining:
            FCDDCNN224VGG(self, inputChannels: inputChannels, using: &generator)
        }
    }

    /// Receptive field size r, jump j and shift s of one output pixel of this architecture
    /// (the same for any channel count), computed from the layers of a throw-away grey net
    /// on the designed input size; slow for the VGG nets, so prefer
    /// `net.spatialGeometry(forInput:)` when a net exists.
    public var receptiveField: ReceptiveField {
        get throws(SpatialGeometryError) {
            var generator = SeededGenerator(seed: 0)
            let net = makeNet(inputChannels: 1, using: &generator)
            return try net.spatialGeometry(forInput: Size2D(designedInputSize, designedInputSize)).field
        }
    }
}

/// The reference's 2-D convolution with a square kernel and symmetric padding.
func referenceConv(_ input: Int, _ output: Int, _ kernel: Int, padding: Int, using generator: inout SeededGenerator) -> Conv2d {
    Conv2d(input, output, kernelSize: Size2D(kernel, kernel), padding: Padding2D(height: padding, width: padding), using: &generator)
}
