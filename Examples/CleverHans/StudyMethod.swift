import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore

/// A method the study trains and inspects: FCDD, or the hypersphere classifier (HSC)
/// baseline that the paper explains with gradients.
enum StudyMethod: String, Sendable, Codable, CaseIterable {
    /// FCDD with FCDD_CNN32_LW3K; heatmaps are its anomaly maps up-sampled with the
    /// receptive-field Gaussian (σ of the CIFAR-10 preset).
    case fcdd = "FCDD"
    /// HSC with CNN32_LW3K; heatmaps are input gradients, blurred as the reference blurs them.
    case hsc = "HSC"

    /// The FCDD net, and the net the reference pairs with it for HSC.
    static let fcddNet = FCDDNetKind.cnn32LW3K

    /// The net's official name.
    var netName: String {
        switch self {
        case .fcdd: Self.fcddNet.rawValue
        case .hsc: BaselineNetKind.cnn32LW3K.rawValue
        }
    }

    /// The test-time preprocessing of both methods: CIFAR-10's per-channel normalisation
    /// with the statistics of the first nominal class (an affine map per channel, so the
    /// choice among the nominal classes matters little).
    static func preprocessing(_ settings: StudySettings) -> ModelPreprocessing {
        .cifar10(normalClass: settings.nominalClasses[0])
    }

    /// Trains a fresh net of this method on `data` (labelled nominal images and anomalies,
    /// so no anomaly injection; the only transform is the preprocessing, because random
    /// crops and flips would move the watermark) and returns its predictor.
    ///
    /// - Parameter log: Receives one line per finished epoch.
    /// - Throws: The errors of the trainer and of building the net and predictor.
    func train(on data: StudyDataset, settings: StudySettings, log: @escaping (String) -> Void) throws -> AnomalyPredictor {
        var configuration = TrainingConfiguration.cifar10
        configuration.epochs = settings.epochs
        configuration.batchSize = settings.batchSize
        configuration.accumulatedBatches = settings.accumulatedBatches
        configuration.learningRate = settings.learningRate
        configuration.seed = settings.seed
        let preset = FCDDHeatmapPreset.cifar10
        let recipe = Recipe(
            objective: self == .fcdd ? .fcdd : .hsc, net: Self.fcddNet, inputSize: 32, channels: 3, anomalies: .none, augmentation: [],
            preprocessing: Self.preprocessing(settings), training: configuration, sigma: preset.gaussianSigma, displayQuantile: preset.displayQuantile)
        let loader = try DataLoader(dataset: data, batchSize: configuration.batchSize, transform: try recipe.preprocessing.transform(), seed: settings.seed)
        let start = ContinuousClock.now
        let report = { (progress: TrainingProgress) in
            guard progress.step == progress.steps - 1 else { return }
            log(
                "\(rawValue) epoch \(progress.epoch + 1)/\(progress.epochs): last loss \(String(format: "%.4f", progress.loss)), \(Int((ContinuousClock.now - start).seconds)) s"
            )
        }
        let net = try recipe.makeNet()
        let predictor = try recipe.makePredictor(net: net)
        try AnomalyTrainer(net: net, objective: predictor.objective, configuration: configuration, loader: loader).train(progress: report)
        return predictor
    }
}
