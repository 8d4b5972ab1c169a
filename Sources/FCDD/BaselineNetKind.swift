/// The baseline networks of the reference implementation, by their official names: the
/// hypersphere classifier (HSC) nets and the autoencoders (AE) the paper compares FCDD
/// with (`fcdd-reference.md` §1.6, §2.5).
///
/// The HSC nets are small CNNs ending in fully connected layers; an HSC net maps an image to
/// a feature vector whose pseudo-Huber norm is the anomaly score (``HSCLoss``). Each
/// autoencoder uses one HSC net as its encoder and decodes its features with transposed
/// convolutions and nearest-neighbour upsampling (``AutoencoderLoss``). The 224×224
/// baselines of the reference (`CNN224`, `CNN224_VGG*`, `AE224*`) are not ported.
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

    /// The official name, e.g. `CNN28_W`.
    public var description: String { rawValue }

    /// Whether the net is an autoencoder (its output is a reconstruction of the input)
    /// rather than an HSC net (its output is a feature vector).
    public var isAutoencoder: Bool { encoder != nil }

    /// The objective the net is trained with: ``AnomalyObjective/ae`` for an autoencoder,
    /// ``AnomalyObjective/hsc`` for an HSC net.
    public var objective: AnomalyObjective { isAutoencoder ? .ae : .hsc }

    /// The HSC net an autoencoder uses as its encoder (the reference's `encoder_cls`); `nil`
    /// for the HSC nets themselves.
    public var encoder: BaselineNetKind? {
        switch self {
        case .cnn28, .cnn28Wide, .cnn32, .cnn32LW3K: nil
        case .ae28: .cnn28
        case .ae32: .cnn32
        case .ae32LW3K: .cnn32LW3K
        }
    }

    /// The input height and width the architecture requires (its fully connected layers fix it).
    public var designedInputSize: Int {
        switch self {
        case .cnn28, .cnn28Wide, .ae28: 28
        case .cnn32, .cnn32LW3K, .ae32, .ae32LW3K: 32
        }
    }

    /// The length of the HSC feature vector (for an autoencoder: of its encoder's, the code
    /// it decodes): 48 for the 28×28 nets, 64 for the 32×32 nets.
    public var featureCount: Int { designedInputSize == 28 ? 48 : 64 }

    /// The HSC baseline the reference trains for an FCDD net (`NET_TO_HSC` in
    /// `runners/bases.py`): `FCDD_CNN28` → `CNN28`, `FCDD_CNN28_W` → `CNN28_W`,
    /// `FCDD_CNN32_S` → `CNN32`, `FCDD_CNN32_LW3K` → `CNN32_LW3K`.
    ///
    /// - Returns: `nil` where the reference has no ported entry: `FCDD_CNN32` (absent from
    ///   the map), `FCDD_CNN224_VGG_F` (its key is misspelt `FCD_CNN224_VGG_F` there, so the
    ///   lookup fails) and the other VGG nets (their `CNN224_VGG` baselines are not ported).
    public static func hsc(pairedWith kind: FCDDNetKind) -> BaselineNetKind? {
        switch kind {
        case .cnn28: .cnn28
        case .cnn28Wide: .cnn28Wide
        case .cnn32Small: .cnn32
        case .cnn32LW3K: .cnn32LW3K
        case .cnn32, .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining: nil
        }
    }

    /// The autoencoder baseline the reference trains for an FCDD net (`NET_TO_AE` in
    /// `runners/bases.py`): `FCDD_CNN28` and `FCDD_CNN28_W` → `AE28` (not the wide
    /// `AE28_W`), `FCDD_CNN32_S` → `AE32`, `FCDD_CNN32_LW3K` → `AE32_LW3K`.
    ///
    /// - Returns: `nil` where the reference has no ported entry, as for ``hsc(pairedWith:)``.
    public static func autoencoder(pairedWith kind: FCDDNetKind) -> BaselineNetKind? {
        switch kind {
        case .cnn28, .cnn28Wide: .ae28
        case .cnn32Small: .ae32
        case .cnn32LW3K: .ae32LW3K
        case .cnn32, .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining: nil
        }
    }
}
