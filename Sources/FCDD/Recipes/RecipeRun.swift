import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// How ``Recipe/run(on:options:callbacks:)`` trains and evaluates, beyond the recipe itself.
public struct RecipeRunOptions: Sendable {
    /// Where a training checkpoint is written, or `nil` for none.
    public var checkpointURL: URL?
    /// Write the checkpoint after every this many epochs.
    public var checkpointInterval: Int
    /// Continue from the checkpoint at ``checkpointURL`` (which must exist).
    public var resume: Bool
    /// The quantile of the nominal training images' scores that becomes the decision threshold.
    public var thresholdQuantile: Double
    /// The quantile of the nominal training images' heatmap pixels that becomes the pixel
    /// threshold of the model's `HeatmapCalibration` (in [0.01, 1]: not below its low quantile).
    public var pixelThresholdQuantile: Double
    /// Images per forward pass when evaluating; `nil` picks 16 for inputs above 64 pixels, else 250.
    public var evaluationBatchSize: Int?
    /// Read every training and test sample once before training, so that a bad file is found
    /// at once and all bad files are listed (`ImageDataset.checkEverySample(name:workers:listingAtMost:)`);
    /// on by default.
    public var checksEverySample: Bool
    /// The processes that train and evaluate together (data-parallel training, see
    /// ``AnomalyTrainer``); every process runs the recipe with the same options, and
    /// only rank 0 writes the checkpoint.
    public var communicator: any Communicator

    /// Options; the defaults write no checkpoint, calibrate the threshold at the 0.95 quantile
    /// and the pixel threshold at the 0.99 quantile, check every sample first, and run in one process.
    public init(
        checkpointURL: URL? = nil, checkpointInterval: Int = 1, resume: Bool = false, thresholdQuantile: Double = 0.95,
        pixelThresholdQuantile: Double = HeatmapCalibration.defaultPixelQuantile,
        evaluationBatchSize: Int? = nil, checksEverySample: Bool = true, communicator: any Communicator = SingleProcessCommunicator()
    ) {
        self.checkpointURL = checkpointURL
        self.checkpointInterval = checkpointInterval
        self.resume = resume
        self.thresholdQuantile = thresholdQuantile
        self.pixelThresholdQuantile = pixelThresholdQuantile
        self.evaluationBatchSize = evaluationBatchSize
        self.checksEverySample = checksEverySample
        self.communicator = communicator
    }

    /// The images per forward pass when evaluating `recipe`: ``evaluationBatchSize``, else 16
    /// for inputs above 64 pixels on a side and 250 for smaller ones.
    public func batchSize(forEvaluating recipe: Recipe) -> Int {
        evaluationBatchSize ?? (max(recipe.inputSize.height, recipe.inputSize.width) > 64 ? 16 : 250)
    }
}

/// What a recipe's run produced.
public struct RecipeOutcome {
    /// The recipe that ran.
    public let recipe: Recipe
    /// The name of the net that trained.
    public let netName: String
    /// The loss history.
    public let history: [EpochRecord]
    /// The trained model with its calibrated threshold and heatmap calibration.
    public let predictor: AnomalyPredictor
    /// The test metrics, scores and heatmaps.
    public let evaluation: AnomalyEvaluation
    /// The share of test anomalies above the threshold and of nominal test images above it.
    public let detectionRate: Double, falseAlarmRate: Double

    /// Seconds spent training: the sum of the epochs' wall times.
    public var trainingSeconds: Double { history.reduce(0) { $0 + $1.seconds } }
}

/// A recipe's net and trainer for one data set, ready to run: made by
/// ``Recipe/prepare(on:options:)`` so a caller can report the net before training starts.
public final class RecipeTraining {
    /// The recipe.
    public let recipe: Recipe
    /// The data it trains and tests on.
    public let data: OneClassData
    /// The net being trained.
    public let net: any Module
    /// The trainer (restored from the checkpoint when resuming).
    public let trainer: AnomalyTrainer
    /// The run's options.
    public let options: RecipeRunOptions

    init(recipe: Recipe, data: OneClassData, net: any Module, trainer: AnomalyTrainer, options: RecipeRunOptions) {
        self.recipe = recipe
        self.data = data
        self.net = net
        self.trainer = trainer
        self.options = options
    }

    /// Trains (reporting to `callbacks`), evaluates on the test set, and calibrates the
    /// predictor on the nominal training images
    /// (``AnomalyPredictor/calibrate(onNominal:scoreQuantile:lowQuantile:pixelQuantile:maximumHeatmapImages:batchSize:communicator:)``):
    /// the threshold is ``RecipeRunOptions/thresholdQuantile`` of their scores, the heatmap
    /// calibration's pixel threshold ``RecipeRunOptions/pixelThresholdQuantile`` of their
    /// heatmap pixels; all under the `ComputeSettings` in effect when it is called.
    ///
    /// - Throws: ``TrainingError`` and the errors of the data and the evaluation.
    public func run(callbacks: TrainingCallbacks = TrainingCallbacks()) throws -> RecipeOutcome {
        // Training and both evaluations under the settings in effect now.
        try ComputeSettings.withSettings(.current) { () throws -> RecipeOutcome in try trainAndEvaluate(callbacks: callbacks) }
    }

    private func trainAndEvaluate(callbacks: TrainingCallbacks) throws -> RecipeOutcome {
        let history = try trainer.train(callbacks: callbacks)
        let predictor = AnomalyPredictor(
            net: net, objective: trainer.objective, preprocessing: recipe.preprocessing,
            inputSize: recipe.inputSize, inputChannels: recipe.channels)
        let batchSize = options.batchSize(forEvaluating: recipe)
        let evaluation = try predictor.evaluate(data.test, batchSize: batchSize, communicator: options.communicator)
        try predictor.calibrate(
            onNominal: data.train, scoreQuantile: options.thresholdQuantile, pixelQuantile: options.pixelThresholdQuantile, batchSize: batchSize,
            communicator: options.communicator)
        let rates = evaluation.rates(threshold: predictor.threshold ?? .infinity)
        return RecipeOutcome(
            recipe: recipe, netName: try recipe.netName, history: history, predictor: predictor, evaluation: evaluation, detectionRate: rates.detection,
            falseAlarmRate: rates.falseAlarm)
    }
}

extension Recipe {
    /// A fresh net and its trainer on `data` (resumed from the checkpoint when the options say so).
    ///
    /// - Throws: ``RecipeError`` (also for a field out of range, see ``validate()``, an empty
    ///   training or test set, and a first training image that the transforms do not bring to
    ///   the net's input shape), `DatasetError.unreadableSamples(dataset:failures:total:)`
    ///   listing the samples that cannot be read (see ``RecipeRunOptions/checksEverySample``),
    ///   ``TrainingError`` and the errors of the data and the net.
    public func prepare(on data: OneClassData, options: RecipeRunOptions = RecipeRunOptions()) throws -> RecipeTraining {
        try validate()
        try options.validate()
        for (set, name) in [(data.train, "the training set"), (data.test, "the test set")] {
            guard set.count > 0 else {
                throw RecipeError.invalidValue(field: "\(name) of \(data.description)", expected: "at least one image", found: "none")
            }
            if options.checksEverySample { try set.checkEverySample(name: "\(name) of \(data.description)") }
        }
        let net = try makeNet()
        let transform = try trainingTransform(for: data)
        if data.train.count > 0 {
            let first = try transform.apply(data.train.sample(at: 0), seed: training.seed)
            guard first.image.shape == [channels, inputSize.height, inputSize.width] else {
                throw RecipeError.trainingImageShape(sample: first.name, expected: [channels, inputSize.height, inputSize.width], found: first.image.shape)
            }
        }
        let loader = try DataLoader(dataset: data.train, batchSize: training.batchSize, transform: transform, seed: training.seed)
        // A square size is recorded as one number, as before rectangular sizes existed.
        let size = inputSize.height == inputSize.width ? "\(inputSize.height)" : "\(inputSize.height)×\(inputSize.width)"
        let run = ["data": data.description, "normal_class": data.normalClassName, "input_size": size, "channels": "\(channels)"]
        let trainer = try AnomalyTrainer(
            net: net, objective: try makeObjective(), configuration: training, loader: loader,
            checkpointURL: options.checkpointURL, checkpointInterval: options.checkpointInterval, run: run,
            communicator: options.communicator)
        if options.resume, let checkpoint = options.checkpointURL { try trainer.resume(from: checkpoint) }
        return RecipeTraining(recipe: self, data: data, net: net, trainer: trainer, options: options)
    }

    /// ``prepare(on:options:)`` and ``RecipeTraining/run(callbacks:)``: trains a fresh net on
    /// `data`, evaluates it and calibrates its threshold.
    ///
    /// - Throws: As both.
    public func run(on data: OneClassData, options: RecipeRunOptions = RecipeRunOptions(), callbacks: TrainingCallbacks = TrainingCallbacks())
        throws -> RecipeOutcome
    {
        try prepare(on: data, options: options).run(callbacks: callbacks)
    }
}
