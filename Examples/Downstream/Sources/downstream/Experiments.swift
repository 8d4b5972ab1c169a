import Datasets
import Explain
import FCDD
import NN

/// The two models the example trains on a ``FashionMNISTTask``: ``ResidualFCN`` with the
/// library's FCDD objective, and a fresh ``ResidualFCN`` with our ``DeepSVDDObjective``.
enum Experiments {
    /// The training settings of both: the reference's Fashion-MNIST optimiser (SGD with
    /// Nesterov momentum 0.9, weight decay 10⁻⁶, learning rate ×0.98 per epoch) with a
    /// smaller batch and a few epochs, so the example runs in about a minute.
    static func configuration(epochs: Int) -> TrainingConfiguration {
        var configuration = TrainingConfiguration.fashionMNIST
        configuration.epochs = epochs
        configuration.batchSize = 32
        return configuration
    }

    /// FCDD: half of each batch is replaced by synthetic blob noise labelled anomalous, as
    /// `fcdd train` does on this sample without outlier exposure.
    ///
    /// - Throws: `DatasetError` or `TrainingError` when a step fails.
    static func fcdd(on task: FashionMNISTTask, epochs: Int) throws -> AnomalyPredictor {
        let net = ResidualFCN(inputChannels: 1, seed: 1)
        let objective = FCDDObjective(sigma: FCDDHeatmapPreset.fashionMNIST.gaussianSigma)
        let configuration = configuration(epochs: epochs)
        let transform = try task.trainingTransform(injecting: AnomalyInjection(.noise(.blob)))
        let loader = try DataLoader(dataset: task.train, batchSize: configuration.batchSize, transform: transform, seed: configuration.seed)
        let trainer = try AnomalyTrainer(net: net, objective: objective, configuration: configuration, loader: loader)
        try trainer.train(callbacks: .epochLog("fcdd", anomalies: true, stopBelow: 1e-3))
        return AnomalyPredictor(net: net, objective: objective, preprocessing: task.preprocessing, inputSize: 28, inputChannels: 1)
    }

    /// Deep SVDD on nominal images only, its centre fixed from the fresh net's outputs.
    ///
    /// - Throws: as ``fcdd(on:epochs:)``.
    static func deepSVDD(on task: FashionMNISTTask, epochs: Int) throws -> AnomalyPredictor {
        let net = ResidualFCN(inputChannels: 1, seed: 2)
        let configuration = configuration(epochs: epochs)
        let centreLoader = try DataLoader(
            dataset: task.train, batchSize: 100, shuffles: false, transform: try task.preprocessing.transform(), seed: 0)
        let objective = DeepSVDDObjective(
            centre: try DeepSVDDObjective.initialCentre(of: net, loader: centreLoader),
            sigma: FCDDHeatmapPreset.fashionMNIST.gaussianSigma)
        print("  deep-svdd centre c = \(objective.centre)")
        let transform = try task.trainingTransform(injecting: nil)
        let loader = try DataLoader(dataset: task.train, batchSize: configuration.batchSize, transform: transform, seed: configuration.seed)
        let trainer = try AnomalyTrainer(net: net, objective: objective, configuration: configuration, loader: loader)
        try trainer.train(callbacks: .epochLog("deep-svdd", anomalies: false, stopBelow: 1e-4))
        return AnomalyPredictor(net: net, objective: objective, preprocessing: task.preprocessing, inputSize: 28, inputChannels: 1)
    }
}
