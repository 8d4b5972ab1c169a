import Datasets
import Explain
import FCDD
import Foundation

/// The net, transforms and hyper-parameters of one `fcdd train` run, with the reference's
/// per-benchmark defaults (`fcdd-reference.md` §5, §6).
struct Setup {
    let net: FCDDNetKind
    let channels: Int
    let inputSize: Int
    /// The training transform: anomaly injection, augmentation and preprocessing.
    let trainTransform: any SampleTransform
    /// The test-time preprocessing, stored with the model.
    let preprocessing: FCDDPreprocessing
    let configuration: TrainingConfiguration
    let sigma: Double
    let quantile: Double
    /// Whether samples carry masks, so the pixel-wise loss on up-sampled maps is used.
    let pixelWiseLoss: Bool
}

/// How a run gets its anomalies, from the command's options.
struct AnomalyOptions {
    var outlierExposure: String?
    var outlierLimit: Int?
    var noise: NoiseMode?
    var superviseMode: SuperviseMode?
    var seed: UInt64
    /// False for the autoencoder, which trains on nominal samples only.
    var enabled = true
}

/// The reference's `--supervise-mode` for synthetic anomalies.
enum SuperviseMode: String, CaseIterable {
    /// The anomaly is the noise image itself.
    case noise
    /// The anomaly is the nominal image with the noise added (MVTec-AD's default).
    case malformedNormal = "malformed-normal"
}

extension Setup {
    /// The setup of `data` with the FCDD net `net` and
    /// anomalies as `anomalies` says.
    static func make(for options: DataOptions, data: LoadedData, net: FCDDNetKind, imageSize: Int?, anomalies: AnomalyOptions) throws -> Setup {
        switch options.dataset {
        case .fashionMNIST, .mnist:
            let preprocessing: FCDDPreprocessing = options.dataset == .fashionMNIST
                ? .fashionMNIST(normalClass: options.classIndex)
                : try FCDDPreprocessing.fittingLocalContrastMinMax(to: data.train)
            // Outlier exposure: CIFAR-100, grey and 28×28, as the reference's OECifar100.
            let injection = try anomalies.injection(
                outlierPreprocessing: Compose(Grayscale(outputChannels: .one), try Resize(height: 28, width: 28)), defaultMode: .blob, realAnomalies: nil)
            let flip: [any SampleTransform] = options.dataset == .fashionMNIST ? [try RandomHorizontalFlip()] : []
            let preset = FCDDHeatmapPreset.fashionMNIST
            return Setup(
                net: net, channels: 1, inputSize: 28,
                trainTransform: Compose([injection, try RandomCrop(size: 28, padding: 2)] + flip + [try preprocessing.transform()]),
                preprocessing: preprocessing, configuration: .fashionMNIST, sigma: preset.gaussianSigma, quantile: preset.displayQuantile,
                pixelWiseLoss: false)
        case .cifar10:
            let preprocessing = FCDDPreprocessing.cifar10(normalClass: options.classIndex)
            let injection = try anomalies.injection(outlierPreprocessing: Compose([]), defaultMode: .blob, realAnomalies: nil)
            let preset = FCDDHeatmapPreset.cifar10
            return Setup(
                net: net, channels: 3, inputSize: 32,
                trainTransform: Compose(injection, try ColorJitter(brightness: 0.01, contrast: 0.01, saturation: 0.01, hue: 0.01),
                                        try RandomCrop(size: 32, padding: 4), try RandomHorizontalFlip(),
                                        try GaussianNoise(standardDeviation: 0.001), try preprocessing.transform()),
                preprocessing: preprocessing, configuration: .cifar10, sigma: preset.gaussianSigma, quantile: preset.displayQuantile,
                pixelWiseLoss: false)
        case .mvtec, .folder:
            let size = imageSize ?? net.designedInputSize
            let channels = try data.train.sample(at: 0).image.shape[0]
            // MVTec-AD's lcnaug1 (§5): a pre-resize to 240 for 224 (15/14 of the input size),
            // anomalies at that size, then a random crop or a resize to the input size,
            // colour jitter, noise with probability ½, LCN and min-max scaling.
            let preSize = (size * 15 + 13) / 14
            let preResize = try Resize(height: preSize, width: preSize)
            let preprocessing: FCDDPreprocessing = if options.dataset == .mvtec {
                try mvtecPreprocessing(category: options.mvtecCategory)
            } else {
                try FCDDPreprocessing.fittingLocalContrastMinMax(to: TransformedDataset(data.train, transform: try Resize(height: size, width: size)))
            }
            let injection = try anomalies.injection(
                outlierPreprocessing: Compose(Grayscale(outputChannels: channels == 1 ? .one : .three), preResize),
                defaultMode: .confetti, realAnomalies: data.realAnomalies.map { ($0, preResize) }, defaultSupervise: .malformedNormal)
            let preset: FCDDHeatmapPreset = options.dataset == .mvtec || data.hasMasks ? .mvtec : .custom
            return Setup(
                net: net, channels: channels, inputSize: size,
                trainTransform: Compose(
                    preResize, injection,
                    try RandomChoice(try RandomCrop(size: size), try Resize(height: size, width: size, interpolation: .nearest)),
                    try RandomChoice(try ColorJitter(brightness: 0.04, contrast: 0.04, saturation: 0.04, hue: 0.04),
                                     try ColorJitter(brightness: 0.005, contrast: 0.0005, saturation: 0.0005, hue: 0.0005)),
                    try RandomApply(try GaussianNoise(.relativeToImageStandardDeviation(0.1), clampsToUnitRange: true), p: 0.5),
                    try preprocessing.transform()),
                preprocessing: preprocessing, configuration: .mvtecAD, sigma: preset.gaussianSigma, quantile: preset.displayQuantile,
                pixelWiseLoss: data.hasMasks)
        }
    }

    /// FCDD's LCN min-max constants of an MVTec-AD category (per channel).
    private static func mvtecPreprocessing(category: String) throws -> FCDDPreprocessing {
        let statistics = try FCDDBenchmark.mvtecAD.statistics(normalClass: MVTecAD.categories.firstIndex(of: category) ?? -1)
        return .localContrastMinMax(minimum: statistics.lcnMinimum, maximum: statistics.lcnMaximum)
    }
}

extension AnomalyOptions {
    /// Outlier exposure from `--oe` (CIFAR-100), real anomalies, or synthetic noise; nothing
    /// when anomalies are disabled.
    func injection(
        outlierPreprocessing: any SampleTransform, defaultMode: NoiseMode, realAnomalies: (any ImageDataset, any SampleTransform)?,
        defaultSupervise: SuperviseMode = .noise
    ) throws -> any SampleTransform {
        guard enabled else { return Compose([]) }
        if let realAnomalies {
            return try AnomalyInjection(.realAnomalies(realAnomalies.0, preprocessing: realAnomalies.1))
        }
        if let outlierExposure {
            let outliers = try CIFAR(directory: URL(fileURLWithPath: outlierExposure, isDirectory: true), split: .train, variant: .cifar100Fine)
            return try AnomalyInjection.outlierExposure(outliers, preprocessing: outlierPreprocessing, limit: outlierLimit, seed: seed)
        }
        let mode = noise ?? defaultMode
        return switch superviseMode ?? defaultSupervise {
        case .noise: try AnomalyInjection(.noise(mode))
        case .malformedNormal: try AnomalyInjection(.malformedNormal(mode, groundTruth: false))
        }
    }
}

/// A dataset whose samples pass through a fixed (seed 0) transform: the resized training
/// images that the LCN min-max constants are fitted to.
struct TransformedDataset: ImageDataset {
    let base: any ImageDataset
    let transform: any SampleTransform
    init(_ base: any ImageDataset, transform: any SampleTransform) {
        self.base = base
        self.transform = transform
    }
    var count: Int { base.count }
    var classNames: [String] { base.classNames }
    var labels: [Int] { base.labels }
    func sample(at index: Int) throws(DatasetError) -> DatasetSample { try transform.apply(base.sample(at: index), seed: 0) }
}
