import NN
import TensorCore

/// An FCDD network: a fully convolutional net mapping `[N, C, H, W]` images to the map
/// φ(X) `[N, 1, u, v]`, built exactly as the reference implementation builds it, with the
/// same parameter names (`conv1.weight`, `bn2d1.running_mean`, `conv_final.bias` for the
/// small nets; `features.0.weight` … `features.20`, `conv_final` for the VGG nets), so state
/// dicts of the official PyTorch models load by name.
///
/// As in the reference (whose CLI always passes `bias=True`), convolutions have biases and
/// batch norms are affine; the hand-made nets use batch-norm eps 1e-4 and leaky ReLU with
/// slope 0.01, the VGG nets torchvision's eps 1e-5 and ReLU. Modules that the reference
/// defines but never applies (such as `bn2d3` of FCDD_CNN32) exist here too, so names match.
public final class FCDDNet: Module {
    /// One step of the forward pass.
    enum Step {
        /// Apply the named child module.
        case module(String)
        /// Leaky ReLU with slope 0.01 (`F.leaky_relu`).
        case leakyRelu
    }

    public var isTraining = true
    /// The architecture.
    public let kind: FCDDNetKind
    /// Channels of the input images (1 for grey, 3 for colour).
    public let inputChannels: Int
    private let children: [(name: String, module: any Module)]
    let steps: [Step]

    /// A freshly initialised net (PyTorch's default initialisation, from `generator`).
    /// For ``FCDDNetKind/cnn224VGGFrozen`` the first 15 backbone modules are frozen; load
    /// the ImageNet backbone with ``loadBackbone(from:)``.
    ///
    /// - Parameters:
    ///   - inputChannels: 1 for grey or 3 for colour images; the first convolution takes
    ///     this many channels (the reference does the same through `in_shape[0]`).
    /// - Throws: ``TensorError`` for a channel count below 1.
    public init(_ kind: FCDDNetKind, inputChannels: Int, using generator: inout SeededGenerator) throws(TensorError) {
        self.kind = kind
        self.inputChannels = inputChannels
        (children, steps) = try FCDDNet.build(kind, inputChannels: inputChannels, using: &generator)
        for index in kind.frozenModuleIndices { setTrainable(false, prefix: "features.\(index)") }
    }

    public var childModules: [(name: String, module: any Module)] { children }

    public var settingsDescription: String { "\(kind), in_channels=\(inputChannels)" }

    /// φ(X): `[N, C, H, W]` → `[N, 1, u, v]`.
    public func forward(_ input: Tensor) throws(TensorError) -> Tensor {
        guard input.rank == 4, input.shape[1] == inputChannels else {
            throw .shapeMismatch(op: kind.rawValue, expected: "images [N, \(inputChannels), H, W]", found: [input.shape])
        }
        var x = input
        for step in steps {
            switch step {
            case let .module(name): x = try child(name).forward(x)
            case .leakyRelu: x = x.leakyRelu(negativeSlope: 0.01)
            }
        }
        return x
    }

    func child(_ name: String) -> any Module {
        // Steps only name children that `build` created.
        children.first { $0.name == name }!.module
    }
}
