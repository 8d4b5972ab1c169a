import Foundation
import NN
import TensorCore

/// One of the reference's baseline networks (``BaselineNetKind``; the official FCDD code's
/// `models/shallow_cnn_28.py`, `shallow_cnn_32.py`, `shallow_cnn_224.py`): an HSC net
/// mapping `[N, C, S, S]` images to feature vectors `[N, D]`, or an autoencoder mapping them
/// to reconstructions `[N, C, S, S]`. Each is a plain Swift class with the reference's
/// module names (`conv1`, `bn1`, `fc_final` for CNN28; `bn2d1`, `fc1`, `bn1d1` for the 32×32
/// nets; `encoder.conv1`, `deconv1`, `bn3` … for the autoencoders), so state dicts of the
/// official PyTorch models load by name.
///
/// As in the reference (whose CLI always passes `bias=True`): convolutions, transposed
/// convolutions and linear layers have biases; every batch norm, 2-D and 1-D, is affine
/// with eps 1e-4; activations are leaky ReLU with slope 0.01 (`F.leaky_relu`); decoders
/// upsample by 2 with nearest neighbours (`F.interpolate`). Fresh nets use PyTorch's default
/// initialisation, except that the transposed convolutions of AE28, AE32 and AE224 are
/// re-drawn with xavier-uniform and the leaky-ReLU gain, as the reference does (AE32_LW3K
/// keeps the default). The VGG nets are torchvision's `vgg11_bn` (names `vgg.features.N`,
/// `vgg.classifier.N`; batch-norm eps 1e-5, ReLU, torchvision's initialisation) and their
/// autoencoders' decoders use PyTorch's defaults (eps 1e-5, ReLU), as the reference's do.
///
/// One deliberate difference: the reference's decoders produce a fixed channel count (1
/// for AE28, 3 for AE32 and AE32_LW3K) whatever the input has; here the last transposed
/// convolution produces ``inputChannels`` channels, so reconstructions always have the
/// input's shape. For the reference's data (grey 28×28, colour 32×32) both are the same.
public protocol BaselineNet: ArchitectureDescribing {
    /// The architecture.
    var kind: BaselineNetKind { get }
    /// Channels of the input images (1 for grey, 3 for colour); an autoencoder reconstructs
    /// this many.
    var inputChannels: Int { get }
}

extension BaselineNet {
    public var settingsDescription: String { "\(kind), in_channels=\(inputChannels)" }

    /// The HSC net an autoencoder encodes with (its child `encoder`); `nil` for an HSC net.
    public var encoder: (any BaselineNet)? {
        childModules.first { $0.name == "encoder" }?.module as? any BaselineNet
    }

    /// The shape of the output for a batch of `batchSize` images: `[N, D]` features for an
    /// HSC net (D = ``BaselineNetKind/featureCount``), `[N, C, S, S]` for an autoencoder.
    public func outputShape(batchSize: Int) -> [Int] {
        kind.isAutoencoder
            ? [batchSize, inputChannels, kind.designedInputSize, kind.designedInputSize]
            : [batchSize, kind.featureCount]
    }

    /// Checks that `input` is a batch `[N, C, S, S]` of the designed size S (the fully
    /// connected layers fix it).
    ///
    /// - Precondition: Stops with ``TensorError/shapeMismatch(op:expected:found:)`` otherwise.
    func checkInput(_ input: Tensor) {
        let size = kind.designedInputSize
        guard input.rank == 4, input.shape[0] >= 1, input.shape[1] == inputChannels,
            input.shape[2] == size, input.shape[3] == size
        else {
            TensorError.shapeMismatch(op: kind.rawValue, expected: "images [N, \(inputChannels), \(size), \(size)]", found: [input.shape]).trap()
        }
    }

    /// Loads torchvision's ImageNet VGG11-BN weights into a VGG baseline, as the reference's
    /// `CNN224_VGG(_F)` does (`vgg11_bn` pretrained, then `classifier[:-3]`): into
    /// `vgg.features.*` and `vgg.classifier.*` of an HSC net, or of an autoencoder's encoder
    /// (`encoder.vgg.…`; the decoder keeps its initialisation). The file is one written by
    /// `Scripts/convert_vgg11_bn.py --classifier` (all 29 feature modules and the
    /// classifier); keys the net lacks are ignored, and frozen flags are kept.
    ///
    /// - Throws: `CheckpointError.invalidCheckpoint(file:reason:)` for a net without a VGG,
    ///   `CheckpointError.file(_:)` for an unreadable file, and
    ///   `CheckpointError.stateDict(file:_:)` when one of the net's VGG tensors is missing
    ///   (e.g. a file converted without `--classifier`) or has another shape; nothing is
    ///   loaded then.
    @discardableResult
    public func loadBackbone(from url: URL) throws(CheckpointError) -> StateDictReport {
        guard kind.isVGG else {
            throw .invalidCheckpoint(file: url.path, reason: "\(kind) has no VGG; expected one of the CNN224_VGG or AE224_VGG nets")
        }
        return try loadVGGBackbone(from: url, prefix: kind.isAutoencoder ? "encoder.vgg." : "vgg.")
    }
}

extension BaselineNetKind {
    /// A freshly initialised net of this architecture (PyTorch's default initialisation and
    /// the reference's xavier re-initialisation of AE28's, AE32's and AE224's decoders, drawn
    /// from `generator`); the frozen VGG modules of the `_F` nets are frozen.
    ///
    /// - Parameters:
    ///   - inputChannels: 1 for grey or 3 for colour images; the first convolution
    ///     takes this many channels (the reference does the same through `in_shape[0]`).
    ///   - generator: The source of the initial weights.
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public func makeNet(inputChannels: Int, using generator: inout SeededGenerator) -> any BaselineNet {
        guard inputChannels >= 1 else {
            TensorError.invalidArgument(op: rawValue, message: "expected at least one input channel, found \(inputChannels)").trap()
        }
        return switch self {
        case .cnn28, .cnn28Wide: HSCCNN28(wide: self == .cnn28Wide, inputChannels: inputChannels, using: &generator)
        case .cnn32: HSCCNN32(inputChannels: inputChannels, using: &generator)
        case .cnn32LW3K: HSCCNN32LW3K(inputChannels: inputChannels, using: &generator)
        case .cnn224: HSCCNN224(inputChannels: inputChannels, using: &generator)
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining, .cnn224VGGNoPretraining1000:
            HSCVGG(self, inputChannels: inputChannels, using: &generator)
        case .ae28: AE28(inputChannels: inputChannels, using: &generator)
        case .ae32: AE32(inputChannels: inputChannels, using: &generator)
        case .ae32LW3K: AE32LW3K(inputChannels: inputChannels, using: &generator)
        case .ae224: AE224(inputChannels: inputChannels, using: &generator)
        case .ae224VGG, .ae224VGGFrozen, .ae224VGGNoPretraining: AE224VGG(self, inputChannels: inputChannels, using: &generator)
        }
    }
}

/// The baselines' parts, built as the reference builds them.
enum BaselineLayers {
    /// A 2-D batch norm with the reference's eps 1e-4.
    static func norm2d(_ features: Int) -> BatchNorm2d { BatchNorm2d(features, epsilon: 1e-4) }

    /// A 1-D batch norm with the reference's eps 1e-4.
    static func norm1d(_ features: Int) -> BatchNorm1d { BatchNorm1d(features, epsilon: 1e-4) }

    /// A 2×2 max-pool.
    static func pool() -> MaxPool2d { MaxPool2d(kernelSize: 2, stride: 2) }

    /// A transposed convolution with a square kernel and symmetric padding; `xavier` re-draws
    /// its weight as the reference's `nn.init.xavier_uniform_(…, gain=calculate_gain('leaky_relu'))`
    /// (slope 0.01).
    static func deconv(
        _ input: Int, _ output: Int, _ kernel: Int, padding: Int, xavier: Bool, using generator: inout SeededGenerator
    ) -> ConvTranspose2d {
        let layer = ConvTranspose2d(
            input, output, kernelSize: Size2D(kernel, kernel),
            padding: Padding2D(height: padding, width: padding), using: &generator)
        if xavier {
            layer.weight.value = Initialization.xavierUniform(
                shape: layer.weight.value.shape, gain: Nonlinearity.leakyRelu(negativeSlope: 0.01).gain, using: &generator)
        }
        return layer
    }

    /// Nearest-neighbour upsampling by 2 (`F.interpolate(x, scale_factor=2)`).
    static func upsample(_ x: Tensor) -> Tensor {
        x.resized(to: Size2D(x.shape[2] * 2, x.shape[3] * 2), mode: .nearest)
    }

    /// `[N, D]` → `[N, channels, size, size]` (the decoder's `x.view(…)`).
    static func unflatten(_ x: Tensor, channels: Int, size: Int) -> Tensor {
        x.reshaped(to: [x.shape[0], channels, size, size])
    }
}
