import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// A complete one-class set-up: net, objective, input size and channels, anomalies,
/// augmentation, test-time preprocessing, optimiser and schedule, heatmap σ and display
/// quantile. ``paper(for:objective:net:imageSize:)`` gives the official FCDD code's set-up for
/// each of the paper's data sets (Fashion-MNIST, MNIST, CIFAR-10, MVTec-AD, image folders), for
/// FCDD and its two baselines; every field can then be changed. ``run(on:options:callbacks:)``
/// trains, evaluates and calibrates a threshold; the `fcdd` command and its `compare` are thin
/// front ends over it.
///
/// ```swift
/// let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 0))
/// var recipe = try Recipe.paper(for: data)
/// recipe.training.epochs = 20
/// recipe.anomalies = .outlierExposure(try CIFAR(directory: cifar100, split: .train, variant: .cifar100Fine), limit: nil)
/// let outcome = try recipe.run(on: data)
/// print(outcome.evaluation.imageAUROC ?? .nan)
/// ```
public struct Recipe: Sendable {
    /// FCDD or one of its baselines.
    public var objective: ReferenceObjective
    /// The FCDD net; the baselines train the net the reference pairs with it
    /// (``BaselineNetKind/hsc(pairedWith:)``, ``BaselineNetKind/autoencoder(pairedWith:)``).
    public var net: FCDDNetKind
    /// The input height and width (an integer literal means a square: `inputSize = 28`).
    public var inputSize: Size2D
    /// The input channels (1 grey, 3 colour).
    public var channels: Int
    /// A resize before the anomalies are drawn (MVTec-AD's 240 for 224 inputs), or `nil`.
    public var preResize: Size2D?
    /// Where the training anomalies come from (ignored by objectives that train on nominal
    /// images only).
    public var anomalies: AnomalyChoice
    /// What outlier-exposure images go through before they replace a sample (grey and 28×28
    /// for Fashion-MNIST, as the reference's `OECifar100`).
    public var outlierPreprocessing: any SampleTransform
    /// The random augmentation after the anomalies, before the preprocessing.
    public var augmentation: [any SampleTransform]
    /// The test-time preprocessing, applied last in training and stored with the model.
    public var preprocessing: ModelPreprocessing
    /// Optimiser, schedule, epochs, batches and seed.
    public var training: TrainingConfiguration
    /// σ of FCDD's receptive-field Gaussian (and of the baselines' heatmap blur).
    public var sigma: Double
    /// The quantile that heatmap figures normalise with.
    public var displayQuantile: Double
    /// Whether FCDD trains batches with masks with the pixel-wise loss.
    public var pixelWiseLoss: Bool
    /// How the HSC baseline explains its scores.
    public var gradientMethod: GradientMethod
    /// ImageNet VGG11-BN weights for the VGG nets (a file of `Scripts/convert_vgg11_bn.py`), or `nil`.
    public var backbone: URL?

    /// A recipe with every field given; see the properties.
    public init(
        objective: ReferenceObjective, net: FCDDNetKind, inputSize: Size2D, channels: Int, preResize: Size2D? = nil, anomalies: AnomalyChoice,
        outlierPreprocessing: any SampleTransform = Compose([]), augmentation: [any SampleTransform], preprocessing: ModelPreprocessing,
        training: TrainingConfiguration, sigma: Double, displayQuantile: Double, pixelWiseLoss: Bool = false,
        gradientMethod: GradientMethod = .gradient, backbone: URL? = nil
    ) {
        self.objective = objective
        self.net = net
        self.inputSize = inputSize
        self.channels = channels
        self.preResize = preResize
        self.anomalies = anomalies
        self.outlierPreprocessing = outlierPreprocessing
        self.augmentation = augmentation
        self.preprocessing = preprocessing
        self.training = training
        self.sigma = sigma
        self.displayQuantile = displayQuantile
        self.pixelWiseLoss = pixelWiseLoss
        self.gradientMethod = gradientMethod
        self.backbone = backbone
    }

    /// The official FCDD code's set-up for `data`:
    ///
    /// - Fashion-MNIST and MNIST: FCDD_CNN28_W, 28×28 grey; blob noise as anomalies;
    ///   random crop (padding 2), horizontal flips for Fashion-MNIST; LCN and min-max with the
    ///   normal class's constants (MNIST: fitted to the training images); SGD Nesterov, lr 1e-2,
    ///   λ 0.98, 400 epochs; σ 1.2.
    /// - CIFAR-10: FCDD_CNN32_LW3K, 32×32 colour; blob noise; colour jitter 0.01, random crop
    ///   (padding 4), flips, Gaussian noise 0.001; per-class normalisation; Adam, lr 1e-3,
    ///   ×0.1 at epochs 400 and 500, 600 epochs of 20 × 10 accumulated; σ 1.2.
    /// - MVTec-AD and folders: FCDD_CNN224_VGG_NOPT (or `net`), the net's input size
    ///   (or `imageSize`, which may be rectangular), the data's channels; resized to 15/14 of
    ///   the input size, confetti
    ///   noise on the nominal image (the data's real anomalies when it has them), a random
    ///   crop or a nearest resize, colour jitter, noise with probability ½; LCN and min-max
    ///   (MVTec-AD's constants, or fitted to the folder's training images); SGD Nesterov, lr 1e-3,
    ///   wd 1e-4, λ 0.985, batch 16; σ 12 (MVTec-AD and folders with masks) or 10; the
    ///   pixel-wise loss where masks exist.
    ///
    /// The autoencoder trains without anomalies. The bundled Fashion-MNIST sample trains 40
    /// epochs, MVTec-AD and folders 20 (the reference's MVTec-AD epoch is 10 passes).
    ///
    /// - Throws: `DatasetError` when constants cannot be fitted or a normal class is out
    ///   of range.
    public static func paper(
        for data: OneClassData, objective: ReferenceObjective = .fcdd, net: FCDDNetKind? = nil, imageSize: Size2D? = nil
    ) throws(DatasetError) -> Recipe {
        var recipe: Recipe
        switch data.source {
        case let .fashionMNIST(directory, normalClass):
            recipe = try benchmark28(normalClass: normalClass, fashion: true, data: data)
            if directory == nil { recipe.training.epochs = 40 }
        case let .mnist(_, normalClass):
            recipe = try benchmark28(normalClass: normalClass, fashion: false, data: data)
        case let .cifar10(_, normalClass):
            let preprocessing = ModelPreprocessing.cifar10(normalClass: normalClass)
            _ = try preprocessing.transform()
            let preset = FCDDHeatmapPreset.cifar10
            // Outlier-exposure images are used as they are (CIFAR-100's are 32×32 already);
            // others are resized.
            recipe = Recipe(
                objective: objective, net: defaultNet(for: data.source), inputSize: 32, channels: 3, anomalies: .synthetic(.blob, .noiseImage),
                outlierPreprocessing: try Resize(height: 32, width: 32),
                augmentation: [
                    try ColorJitter(brightness: 0.01, contrast: 0.01, saturation: 0.01, hue: 0.01), try RandomCrop(size: 32, padding: 4),
                    try RandomHorizontalFlip(), try GaussianNoise(standardDeviation: 0.001),
                ],
                preprocessing: preprocessing, training: .cifar10, sigma: preset.gaussianSigma, displayQuantile: preset.displayQuantile)
        case .mvtecAD, .imageFolder:
            let chosenNet = net ?? defaultNet(for: data.source)
            let size = imageSize ?? Size2D(chosenNet.designedInputSize, chosenNet.designedInputSize)
            let channels = try data.train.sample(at: 0).image.shape[0]
            // MVTec-AD's lcnaug1: a pre-resize to 15/14 of the input size (240 for 224).
            let preSize = Size2D((size.height * 15 + 13) / 14, (size.width * 15 + 13) / 14)
            let preprocessing: ModelPreprocessing
            if case let .mvtecAD(_, category, _, _) = data.source {
                let statistics = try FCDDBenchmark.mvtecAD.statistics(normalClass: MVTecAD.categories.firstIndex(of: category) ?? -1)
                preprocessing = .localContrastMinMax(minimum: statistics.lcnMinimum, maximum: statistics.lcnMaximum)
            } else {
                preprocessing = try ModelPreprocessing.fittingLocalContrastMinMax(
                    to: TransformedDataset(data.train, transform: try Resize(height: size.height, width: size.width)))
            }
            var training = TrainingConfiguration.mvtecAD
            training.epochs = 20
            training.batchSize = 16
            training.accumulatedBatches = 1
            let isMVTec = if case .mvtecAD = data.source { true } else { false }
            let preset: FCDDHeatmapPreset = isMVTec || data.hasMasks ? .mvtec : .custom
            recipe = Recipe(
                objective: objective, net: chosenNet, inputSize: size, channels: channels, preResize: preSize,
                anomalies: data.realAnomalies == nil ? .synthetic(.confetti, .onNominalImage) : .realAnomalies,
                outlierPreprocessing: Compose(
                    Grayscale(outputChannels: channels == 1 ? .one : .three), try Resize(height: preSize.height, width: preSize.width)),
                augmentation: [
                    try RandomChoice(
                        try RandomCrop(height: size.height, width: size.width),
                        try Resize(height: size.height, width: size.width, interpolation: .nearest)),
                    try RandomChoice(
                        try ColorJitter(brightness: 0.04, contrast: 0.04, saturation: 0.04, hue: 0.04),
                        try ColorJitter(brightness: 0.005, contrast: 0.0005, saturation: 0.0005, hue: 0.0005)),
                    try RandomApply(try GaussianNoise(.relativeToImageStandardDeviation(0.1), clampsToUnitRange: true), p: 0.5),
                ],
                preprocessing: preprocessing, training: training, sigma: preset.gaussianSigma, displayQuantile: preset.displayQuantile,
                pixelWiseLoss: data.hasMasks)
        }
        recipe.objective = objective
        if let net { recipe.net = net }
        if objective == .ae { recipe.anomalies = .none }
        return recipe
    }

    /// The FCDD net the paper uses for data from `source`: FCDD_CNN28_W for Fashion-MNIST and
    /// MNIST, FCDD_CNN32_LW3K for CIFAR-10, FCDD_CNN224_VGG_NOPT for MVTec-AD and folders (the
    /// paper's FCDD_CNN224_VGG_F needs an ImageNet backbone).
    public static func defaultNet(for source: OneClassDataSource) -> FCDDNetKind {
        switch source {
        case .fashionMNIST, .mnist: .cnn28Wide
        case .cifar10: .cnn32LW3K
        case .mvtecAD, .imageFolder: .cnn224VGGNoPretraining
        }
    }

    /// The 28×28 grey benchmarks' set-up.
    private static func benchmark28(normalClass: Int, fashion: Bool, data: OneClassData) throws(DatasetError) -> Recipe {
        let preprocessing: ModelPreprocessing =
            fashion
            ? .fashionMNIST(normalClass: normalClass) : try ModelPreprocessing.fittingLocalContrastMinMax(to: data.train)
        _ = try preprocessing.transform()
        let preset = FCDDHeatmapPreset.fashionMNIST
        // Outlier exposure from CIFAR-100 is made grey and 28×28, as the reference's OECifar100.
        return Recipe(
            objective: .fcdd, net: defaultNet(for: data.source), inputSize: 28, channels: 1, anomalies: .synthetic(.blob, .noiseImage),
            outlierPreprocessing: Compose(Grayscale(outputChannels: .one), try Resize(height: 28, width: 28)),
            augmentation: [try RandomCrop(size: 28, padding: 2)] + (fashion ? [try RandomHorizontalFlip()] : []),
            preprocessing: preprocessing, training: .fashionMNIST, sigma: preset.gaussianSigma, displayQuantile: preset.displayQuantile)
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
