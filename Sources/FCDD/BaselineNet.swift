import NN
import TensorCore

/// A baseline network of the reference implementation (`fcdd-reference.md` §1.6): an HSC
/// net mapping `[N, C, S, S]` images to feature vectors `[N, D]`, or an autoencoder mapping
/// them to reconstructions `[N, C, S, S]`. Built as the reference builds them, with the same
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
public final class BaselineNet: Module {
    /// One step of the forward pass.
    enum Step {
        /// Apply the named child module.
        case module(String)
        /// Leaky ReLU with slope 0.01 (`F.leaky_relu`).
        case leakyRelu
        /// ReLU (`F.relu`, AE224_VGG's code).
        case relu
        /// `[N, C, H, W]` → `[N, C·H·W]` (`x.contiguous().view(N, -1)`).
        case flatten
        /// `[N, D]` → `[N, channels, size, size]` (the decoder's `x.view(…)`).
        case unflatten(channels: Int, size: Int)
        /// Nearest-neighbour upsampling by 2 (`F.interpolate(x, scale_factor=2)`).
        case upsample
        /// The logistic sigmoid (`torch.sigmoid`), the last step of AE28.
        case sigmoid
    }

    public var isTraining = true
    /// The architecture.
    public let kind: BaselineNetKind
    /// Channels of the input images (1 for grey, 3 for colour); an autoencoder reconstructs
    /// this many.
    public let inputChannels: Int
    private let children: [(name: String, module: any Module)]
    let steps: [Step]

    /// A freshly initialised net (PyTorch's default initialisation and the reference's
    /// xavier re-initialisation of AE28's and AE32's decoders, drawn from `generator`).
    ///
    /// - Parameters:
    ///   - inputChannels: 1 for grey or 3 for colour images; the first convolution takes
    ///     this many channels (the reference does the same through `in_shape[0]`).
    /// - Throws: ``TensorError`` for a channel count below 1.
    public init(_ kind: BaselineNetKind, inputChannels: Int, using generator: inout SeededGenerator) throws(TensorError) {
        self.kind = kind
        self.inputChannels = inputChannels
        (children, steps) = try BaselineNet.build(kind, inputChannels: inputChannels, using: &generator)
        // An autoencoder's encoder froze its own modules when it was built.
        if !kind.isAutoencoder {
            for index in kind.frozenModuleIndices { setTrainable(false, prefix: "vgg.features.\(index)") }
        }
    }

    public var childModules: [(name: String, module: any Module)] { children }

    public var settingsDescription: String { "\(kind), in_channels=\(inputChannels)" }

    /// The HSC net an autoencoder encodes with (its child `encoder`); `nil` for an HSC net.
    public var encoder: BaselineNet? {
        children.first { $0.name == "encoder" }?.module as? BaselineNet
    }

    /// The shape of the output for a batch of `batchSize` images: `[N, D]` features for an
    /// HSC net (D = ``BaselineNetKind/featureCount``), `[N, C, S, S]` for an autoencoder.
    public func outputShape(batchSize: Int) -> [Int] {
        kind.isAutoencoder
            ? [batchSize, inputChannels, kind.designedInputSize, kind.designedInputSize]
            : [batchSize, kind.featureCount]
    }

    /// Features `[N, D]` (HSC net) or reconstructions `[N, C, S, S]` (autoencoder) of images
    /// `[N, C, S, S]`, where S is ``BaselineNetKind/designedInputSize`` (the fully connected
    /// layers fix it).
    ///
    /// - Throws: ``TensorError/shapeMismatch(op:expected:found:)`` for inputs of another
    ///   shape; ``TensorError`` from the batch norms for a single image in training mode
    ///   (batch statistics need two samples, as in PyTorch).
    public func forward(_ input: Tensor) throws(TensorError) -> Tensor {
        let size = kind.designedInputSize
        guard input.rank == 4, input.shape[0] >= 1, input.shape[1] == inputChannels,
              input.shape[2] == size, input.shape[3] == size else {
            throw .shapeMismatch(op: kind.rawValue, expected: "images [N, \(inputChannels), \(size), \(size)]", found: [input.shape])
        }
        var x = input
        for step in steps {
            switch step {
            case let .module(name): x = try child(name).forward(x)
            case .leakyRelu: x = x.leakyRelu(negativeSlope: 0.01)
            case .relu: x = x.relu()
            case .flatten: x = try x.flattened(startAxis: 1)
            case let .unflatten(channels, side): x = try x.reshaped(to: [x.shape[0], channels, side, side])
            case .upsample: x = try x.resized(to: Size2D(x.shape[2] * 2, x.shape[3] * 2), mode: .nearest)
            case .sigmoid: x = x.sigmoid()
            }
        }
        return x
    }

    func child(_ name: String) -> any Module {
        // Steps only name children that `build` created.
        children.first { $0.name == name }!.module
    }
}
