/// The baseline networks of the reference implementation, by their official names: the
/// hypersphere classifier (HSC) nets and the autoencoders (AE) the paper compares FCDD
/// with (`models/shallow_cnn_28.py`, `shallow_cnn_32.py`, `shallow_cnn_224.py`,
/// `training/hsc.py` and `training/ae.py` of the official code).
///
/// The HSC nets are small CNNs ending in fully connected layers; an HSC net maps an image to
/// a feature vector whose pseudo-Huber norm is the anomaly score (``HSCLoss``). Each
/// autoencoder uses one HSC net as its encoder and decodes its features with transposed
/// convolutions and nearest-neighbour upsampling (``AutoencoderLoss``).
public enum BaselineNetKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// HSC net for 28×28 inputs: conv 5×5 to 8 channels, BN, leaky ReLU, pool; conv 5×5 to
    /// 4, BN, leaky ReLU, pool; `fc_final` 196 → 48.
    case cnn28 = "CNN28"
    /// HSC net for 28×28 inputs, as ``cnn28`` with 128 and 64 channels (`fc_final` 3136 → 48).
    case cnn28Wide = "CNN28_W"
    /// HSC net for 32×32 inputs: three blocks conv 5×5 (32, 64, 128 channels), BN, leaky
    /// ReLU, pool; `fc1` 2048 → 512, BN1d, leaky ReLU; `fc_final` 512 → 64.
    case cnn32 = "CNN32"
    /// HSC net for 32×32 inputs: conv 3×3 blocks 128, 256, 256, 128 channels (pooling after
    /// the first, third and fourth), then `fc1` 2048 → 512, BN1d, leaky ReLU, `fc_final` 512 → 64.
    case cnn32LW3K = "CNN32_LW3K"
    /// Autoencoder on a ``cnn28`` encoder: its 48 features as 3×4×4 maps, decoded by three
    /// 5×5 transposed convolutions with ×2 upsampling to 28×28, then a sigmoid.
    case ae28 = "AE28"
    /// Autoencoder on a ``cnn32`` encoder: BN1d over its 64 features, 4×4×4 maps, four 5×5
    /// transposed convolutions (128, 64, 32 channels, then the image's) with three ×2
    /// upsamplings to 32×32; no final activation.
    case ae32 = "AE32"
    /// Autoencoder on a ``cnn32LW3K`` encoder: BN1d, 4×4×4 maps, five 3×3 transposed
    /// convolutions (128, 256, 256, 128 channels, then the image's) with three ×2
    /// upsamplings to 32×32; no final activation.
    case ae32LW3K = "AE32_LW3K"
    /// HSC net for 224×224 inputs: six conv blocks (8 and 32 channels with 5×5 kernels,
    /// then 64, 128, 128, 64 with 3×3), BN, leaky ReLU, max-pool 3/2/1 after blocks 1, 2, 4,
    /// 5 and 6; `fc1` 3136 → 1536, BN1d, leaky ReLU; `fc_final` 1536 → 784.
    case cnn224 = "CNN224"
    /// HSC net for 224×224 inputs: torchvision's whole VGG11-BN (`vgg.features`,
    /// `vgg.avgpool`) with `classifier[:-3]` (Linear 25088 → 4096, ReLU, Dropout, Linear
    /// 4096 → 4096), ImageNet weights loaded with ``BaselineNet/loadBackbone(from:)``; 4096
    /// features.
    case cnn224VGG = "CNN224_VGG"
    /// As ``cnn224VGG`` with `vgg.features.0`…`vgg.features.14` frozen.
    case cnn224VGGFrozen = "CNN224_VGG_F"
    /// As ``cnn224VGG``, trained from scratch (torchvision's initialisation).
    case cnn224VGGNoPretraining = "CNN224_VGG_NOPT"
    /// VGG11-BN from scratch with torchvision's whole classifier: 1000 features. The
    /// reference pairs this one, not ``cnn224VGGNoPretraining``, with `FCDD_CNN224_VGG_NOPT`.
    case cnn224VGGNoPretraining1000 = "CNN224_VGG_NOPT_1000"
    /// Autoencoder on a ``cnn224`` encoder: BN1d over its 784 features, 16×7×7 maps, seven
    /// transposed convolutions (64, 128, 128, 64, 32, 8 channels, then the image's) with five
    /// ×2 upsamplings to 224×224, then a sigmoid.
    case ae224 = "AE224"
    /// Autoencoder on a ``cnn224VGG`` encoder: BN1d(4096) and ReLU, `declassifier` (Linear
    /// 4096 → 25088, BN1d, ReLU), 512×7×7 maps, `defeatures`: eight 3×3 transposed
    /// convolutions with BN and ReLU between them and five ×2 upsamplings to 224×224; no final
    /// activation.
    case ae224VGG = "AE224_VGG"
    /// As ``ae224VGG`` on a ``cnn224VGGFrozen`` encoder.
    case ae224VGGFrozen = "AE224_VGG_F"
    /// As ``ae224VGG`` on a ``cnn224VGGNoPretraining`` encoder.
    case ae224VGGNoPretraining = "AE224_VGG_NOPT"

    /// The official name, e.g. `CNN28_W`.
    public var description: String { rawValue }

    /// Whether the net is an autoencoder (its output is a reconstruction of the input)
    /// rather than an HSC net (its output is a feature vector).
    public var isAutoencoder: Bool { encoder != nil }

    /// The objective the net is trained with: ``ReferenceObjective/ae`` for an autoencoder,
    /// ``ReferenceObjective/hsc`` for an HSC net.
    public var objective: ReferenceObjective { isAutoencoder ? .ae : .hsc }

    /// The HSC net an autoencoder uses as its encoder (the reference's `encoder_cls`); `nil`
    /// for the HSC nets themselves.
    public var encoder: BaselineNetKind? {
        switch self {
        case .cnn28, .cnn28Wide, .cnn32, .cnn32LW3K, .cnn224, .cnn224VGG, .cnn224VGGFrozen,
            .cnn224VGGNoPretraining, .cnn224VGGNoPretraining1000:
            nil
        case .ae28: .cnn28
        case .ae32: .cnn32
        case .ae32LW3K: .cnn32LW3K
        case .ae224: .cnn224
        case .ae224VGG: .cnn224VGG
        case .ae224VGGFrozen: .cnn224VGGFrozen
        case .ae224VGGNoPretraining: .cnn224VGGNoPretraining
        }
    }

    /// Whether the net (or its encoder) is torchvision's VGG11-BN, whose ImageNet weights
    /// ``BaselineNet/loadBackbone(from:)`` loads.
    public var isVGG: Bool {
        switch encoder ?? self {
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining, .cnn224VGGNoPretraining1000: true
        default: false
        }
    }

    /// Whether the net is meant to start from ImageNet weights (``cnn224VGG``,
    /// ``cnn224VGGFrozen`` and their autoencoders).
    public var expectsPretrainedBackbone: Bool {
        switch encoder ?? self {
        case .cnn224VGG, .cnn224VGGFrozen: true
        default: false
        }
    }

    /// The VGG feature modules that training leaves frozen (`features.0`…`features.14` of
    /// ``cnn224VGGFrozen`` and of ``ae224VGGFrozen``'s encoder), empty otherwise.
    public var frozenModuleIndices: Range<Int> { (encoder ?? self) == .cnn224VGGFrozen ? 0..<15 : 0..<0 }

    /// The input height and width the architecture requires (its fully connected layers fix it).
    public var designedInputSize: Int {
        switch self {
        case .cnn28, .cnn28Wide, .ae28: 28
        case .cnn32, .cnn32LW3K, .ae32, .ae32LW3K: 32
        case .cnn224, .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining, .cnn224VGGNoPretraining1000,
            .ae224, .ae224VGG, .ae224VGGFrozen, .ae224VGGNoPretraining:
            224
        }
    }

    /// The length of the HSC feature vector (for an autoencoder: of its encoder's, the code
    /// it decodes): 48 for the 28×28 nets, 64 for the 32×32 nets, 784 for CNN224, 4096 for
    /// the VGG nets and 1000 for CNN224_VGG_NOPT_1000.
    public var featureCount: Int {
        switch encoder ?? self {
        case .cnn28, .cnn28Wide: 48
        case .cnn224: 784
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining: 4096
        case .cnn224VGGNoPretraining1000: 1000
        default: 64
        }
    }

    /// The HSC baseline the reference trains for an FCDD net (`NET_TO_HSC` in
    /// `runners/bases.py`): `FCDD_CNN28` → `CNN28`, `FCDD_CNN28_W` → `CNN28_W`,
    /// `FCDD_CNN32_S` → `CNN32`, `FCDD_CNN32_LW3K` → `CNN32_LW3K`, `FCDD_CNN224_VGG` →
    /// `CNN224_VGG`, `FCDD_CNN224_VGG_NOPT` → `CNN224_VGG_NOPT_1000` and
    /// `FCDD_CNN224_VGG_F` → `CNN224_VGG_F` (the reference's key for this one is misspelt
    /// `FCD_CNN224_VGG_F`, so its lookup fails; here the pairing works).
    ///
    /// - Returns: `nil` for `FCDD_CNN32`, which the reference's map leaves out.
    public static func hsc(pairedWith kind: FCDDNetKind) -> BaselineNetKind? {
        switch kind {
        case .cnn28: .cnn28
        case .cnn28Wide: .cnn28Wide
        case .cnn32Small: .cnn32
        case .cnn32LW3K: .cnn32LW3K
        case .cnn224VGG: .cnn224VGG
        case .cnn224VGGFrozen: .cnn224VGGFrozen
        case .cnn224VGGNoPretraining: .cnn224VGGNoPretraining1000
        case .cnn32: nil
        }
    }

    /// The autoencoder baseline the reference trains for an FCDD net (`NET_TO_AE` in
    /// `runners/bases.py`): `FCDD_CNN28` and `FCDD_CNN28_W` → `AE28` (not the wide
    /// `AE28_W`), `FCDD_CNN32_S` → `AE32`, `FCDD_CNN32_LW3K` → `AE32_LW3K`, and each
    /// `FCDD_CNN224_VGG*` → the `AE224_VGG*` of the same suffix (`_F` paired here although
    /// the reference's misspelt key loses it).
    ///
    /// - Returns: `nil` for `FCDD_CNN32`, as for ``hsc(pairedWith:)``.
    public static func autoencoder(pairedWith kind: FCDDNetKind) -> BaselineNetKind? {
        switch kind {
        case .cnn28, .cnn28Wide: .ae28
        case .cnn32Small: .ae32
        case .cnn32LW3K: .ae32LW3K
        case .cnn224VGG: .ae224VGG
        case .cnn224VGGFrozen: .ae224VGGFrozen
        case .cnn224VGGNoPretraining: .ae224VGGNoPretraining
        case .cnn32: nil
        }
    }
}
