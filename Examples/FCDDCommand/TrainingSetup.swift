import Datasets
import Explain
import FCDD
import Foundation

/// The data, net, transforms and hyper-parameters of one `fcdd train` run, with the
/// reference's per-benchmark defaults (`fcdd-reference.md` §5, §6).
struct Setup {
    let description: String
    let net: FCDDNetKind
    let channels: Int
    let inputSize: Int
    let classNames: [String]
    let train: any ImageDataset
    let test: any ImageDataset
    let trainTransform: any SampleTransform
    /// The test-time preprocessing, stored with the model.
    let preprocessing: FCDDPreprocessing
    let configuration: FCDDTrainingConfiguration
    let sigma: Double
    let quantile: Double
}

extension TrainCommand {
    func makeSetup() throws -> Setup {
        switch dataset {
        case .fashionMNIST:
            let directory = data.map { URL(fileURLWithPath: $0, isDirectory: true) }
            let train = try directory.map { try FashionMNIST.load(split: .train, from: $0) } ?? FashionMNIST.bundledSample(split: .train)
            let test = try directory.map { try FashionMNIST.load(split: .test, from: $0) } ?? FashionMNIST.bundledSample(split: .test)
            let scaling = try FCDDMinMaxScaling(benchmark: .fashionMNIST, normalClass: normalClass)
            // Outlier exposure: CIFAR-100, grey and 28×28, as the reference's OECifar100.
            let anomalies = try anomalyInjection(outlierPreprocessing: Compose(Grayscale(outputChannels: .one), try Resize(height: 28, width: 28)))
            let preset = FCDDHeatmapPreset.fashionMNIST
            return Setup(
                description: data.map { "Fashion-MNIST from \($0)" } ?? "the bundled Fashion-MNIST sample",
                net: net.flatMap(FCDDNetKind.init(rawValue:)) ?? .cnn28Wide, channels: 1, inputSize: 28,
                classNames: FashionMNIST.classNames,
                train: try OneClassView(train, normalClasses: [normalClass], split: .train),
                test: try OneClassView(test, normalClasses: [normalClass], split: .test),
                trainTransform: Compose(anomalies, try RandomCrop(size: 28, padding: 2), try RandomHorizontalFlip(),
                                        LocalContrastNormalization(scale: .l1), scaling),
                preprocessing: .fashionMNIST(normalClass: normalClass),
                configuration: .fashionMNIST, sigma: preset.gaussianSigma, quantile: preset.displayQuantile)
        case .cifar10:
            let directory = URL(fileURLWithPath: data ?? ".", isDirectory: true)
            let train = try CIFAR(directory: directory, split: .train, variant: .cifar10)
            let test = try CIFAR(directory: directory, split: .test, variant: .cifar10)
            let statistics = FCDDBenchmark.cifar10.classStatistics[normalClass]
            let normalize = try Normalize(mean: statistics.mean, standardDeviation: statistics.standardDeviation)
            let anomalies = try anomalyInjection(outlierPreprocessing: nil)
            let preset = FCDDHeatmapPreset.cifar10
            return Setup(
                description: "CIFAR-10 from \(directory.path)", net: net.flatMap(FCDDNetKind.init(rawValue:)) ?? .cnn32LW3K,
                channels: 3, inputSize: 32, classNames: train.classNames,
                train: try OneClassView(train, normalClasses: [normalClass], split: .train),
                test: try OneClassView(test, normalClasses: [normalClass], split: .test),
                trainTransform: Compose(anomalies, try ColorJitter(brightness: 0.01, contrast: 0.01, saturation: 0.01, hue: 0.01),
                                        try RandomCrop(size: 32, padding: 4), try RandomHorizontalFlip(),
                                        try GaussianNoise(standardDeviation: 0.001), normalize),
                preprocessing: .cifar10(normalClass: normalClass), configuration: .cifar10, sigma: preset.gaussianSigma, quantile: preset.displayQuantile)
        }
    }

    /// Outlier exposure from `--oe` (CIFAR-100) or the `--noise` mode, replacing half the samples.
    private func anomalyInjection(outlierPreprocessing: (any SampleTransform)?) throws -> AnomalyInjection {
        if let oe {
            let outliers = try CIFAR(directory: URL(fileURLWithPath: oe, isDirectory: true), split: .train, variant: .cifar100Fine)
            return try AnomalyInjection.outlierExposure(outliers, preprocessing: outlierPreprocessing, seed: seed)
        }
        // validate() checked the mode name.
        return try AnomalyInjection(.noise(NoiseMode(rawValue: noise)!))
    }
}
