import Explain

/// The official FCDD code's per-benchmark defaults for heatmaps (`runners/argparse_configs.py`):
/// the σ of the receptive-field Gaussian (`--gauss-std`) and the display quantile
/// (`--quantile`); ``Recipe/paper(for:objective:net:imageSize:)`` uses them.
///
/// | benchmark | σ | quantile | default net |
/// |---|---|---|---|
/// | Fashion-MNIST | 1.2 | 0.85 | FCDD_CNN28_W |
/// | CIFAR-10 | 1.2 | 0.85 | FCDD_CNN32_LW3K |
/// | ImageNet-30 | 8 | 0.97 | FCDD_CNN224_VGG_NOPT |
/// | MVTec-AD | 12 | 0.99 | FCDD_CNN224_VGG_F |
/// | Pascal VOC | 8 | 0.99 | FCDD_CNN224_VGG_NOPT |
/// | custom (global defaults) | 10 | 0.97 | FCDD_CNN224_VGG_F |
public enum FCDDHeatmapPreset: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Fashion-MNIST, one class nominal.
    case fashionMNIST = "fmnist"
    /// CIFAR-10, one class nominal.
    case cifar10 = "cifar10"
    /// ImageNet-30, one class nominal.
    case imageNet = "imagenet"
    /// MVTec-AD, one object or texture class.
    case mvtec = "mvtec"
    /// Pascal VOC (horses as anomalies, the "Clever Hans" set-up).
    case pascalVOC = "pascalvoc"
    /// A custom image folder, with the runner's global defaults.
    case custom = "custom"

    /// σ of the receptive-field Gaussian (`--gauss-std`) for up-sampling maps.
    public var gaussianSigma: Double {
        switch self {
        case .fashionMNIST, .cifar10: 1.2
        case .imageNet, .pascalVOC: 8
        case .mvtec: 12
        case .custom: 10
        }
    }

    /// The quantile of the display normalisation (`--quantile`); 1 would be plain min-max.
    public var displayQuantile: Double {
        switch self {
        case .fashionMNIST, .cifar10: 0.85
        case .imageNet, .custom: 0.97
        case .mvtec, .pascalVOC: 0.99
        }
    }

    /// A short, readable summary.
    public var description: String { rawValue }
}

extension HeatmapNormalization {
    /// Local normalisation with the benchmark's quantile.
    public static func local(for benchmark: FCDDHeatmapPreset) -> HeatmapNormalization {
        .local(quantile: benchmark.displayQuantile)
    }

    /// Semi-global normalisation with the benchmark's quantile.
    public static func semiGlobal(for benchmark: FCDDHeatmapPreset) -> HeatmapNormalization {
        .semiGlobal(quantile: benchmark.displayQuantile)
    }
}
