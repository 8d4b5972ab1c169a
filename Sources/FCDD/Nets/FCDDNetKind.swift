/// The FCDD network architectures of the reference implementation, by their official names.
///
/// All are fully convolutional and end in a 1×1 convolution to one channel, so an image maps
/// to a low-resolution map φ(X). The layers are those of `models/fcdd_cnn_28.py`,
/// `fcdd_cnn_32.py` and `fcdd_cnn_224.py` in the official code (liznerski/fcdd).
public enum FCDDNetKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 28×28 inputs: conv 1→8 k5, BN, leaky ReLU, pool; conv 8→16 k5, pool; 1×1 conv.
    case cnn28 = "FCDD_CNN28"
    /// 28×28 inputs, the Fashion-MNIST default: as ``cnn28`` with 128 and 128 channels.
    case cnn28Wide = "FCDD_CNN28_W"
    /// 32×32 inputs: 5×5 convs 3→32→64→128 (receptive field 32).
    case cnn32 = "FCDD_CNN32"
    /// 32×32 inputs: 3×3 convs 3→32→64→128 (receptive field 18).
    case cnn32Small = "FCDD_CNN32_S"
    /// 32×32 inputs, the CIFAR-10 default: 3×3 convs 3→128→256→256→128 (receptive field 22).
    case cnn32LW3K = "FCDD_CNN32_LW3K"
    /// 224×224 inputs: torchvision's VGG11-BN features up to index 20, all trainable; the
    /// backbone is meant to be loaded from ImageNet weights.
    case cnn224VGG = "FCDD_CNN224_VGG"
    /// As ``cnn224VGG`` with `features.0`…`features.14` frozen (their batch norms still
    /// update their statistics): the MVTec-AD and custom-data default.
    case cnn224VGGFrozen = "FCDD_CNN224_VGG_F"
    /// As ``cnn224VGG``, trained from scratch (the ImageNet and Pascal VOC default).
    case cnn224VGGNoPretraining = "FCDD_CNN224_VGG_NOPT"

    /// The official name, e.g. `FCDD_CNN28_W`.
    public var description: String { rawValue }

    /// The input height and width the architecture was designed for.
    public var designedInputSize: Int {
        switch self {
        case .cnn28, .cnn28Wide: 28
        case .cnn32, .cnn32Small, .cnn32LW3K: 32
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining: 224
        }
    }

    /// Whether the net is built on the VGG11-BN backbone.
    public var isVGG: Bool { designedInputSize == 224 }

    /// The prefix of parameters that training leaves frozen (`features.0`…`features.14`
    /// for ``cnn224VGGFrozen``), empty otherwise.
    public var frozenModuleIndices: Range<Int> { self == .cnn224VGGFrozen ? 0..<15 : 0..<0 }
}
