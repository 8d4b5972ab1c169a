import FCDD
import Foundation
import TensorCore

/// A ``TrainingRun`` ready to train into its folder, made by
/// ``TrainingRun/prepare(on:into:resume:)``: the net and trainer are built (and restored from
/// the checkpoint when resuming), the folder exists, and nothing of the run is in it yet.
/// Dropping it without ``train(callbacks:)`` leaves the folder as it was (and the checkpoint,
/// if training wrote one).
public final class PreparedTrainingRun {
    /// The run.
    public let run: TrainingRun
    /// The data it trains and tests on.
    public let data: OneClassData
    /// The run folder.
    public let folder: URL
    /// The net and trainer.
    public let training: RecipeTraining
    /// The staged outputs, published at the end of ``train(callbacks:)``; `nil` on the
    /// processes other than 0 of a data-parallel run, which write nothing.
    private let outputs: StagedDirectory?

    init(run: TrainingRun, data: OneClassData, folder: URL, training: RecipeTraining, outputs: StagedDirectory?) {
        self.run = run
        self.data = data
        self.folder = folder
        self.training = training
        self.outputs = outputs
    }

    /// The epochs of the checkpoint that training continues from, or `nil` for a fresh run.
    public var resumedEpochs: Int? {
        training.options.resume ? training.trainer.history.count : nil
    }

    /// The run's title: objective, net, data and normal class.
    public var title: String {
        "\(run.recipe.objective.rawValue.uppercased()) \((try? run.recipe.netName) ?? run.recipe.net.rawValue), \(data.description), nominal: \(data.normalClassName)"
    }

    /// Trains the remaining epochs (reporting to `callbacks`; a callback that says stop ends
    /// training early, and the shorter run is evaluated and written), evaluates on the test
    /// set, calibrates the threshold and heatmap scale on the nominal training images, writes
    /// every file with `report.html` and publishes them into the folder together (process 0
    /// alone when several train together; `metrics.json` records `world_size`).
    ///
    /// - Throws: The errors of `RecipeTraining.run(callbacks:)`, ``ReportError`` and the
    ///   errors of writing the model and the pictures; then nothing is published.
    @discardableResult
    public func train(callbacks: TrainingCallbacks = TrainingCallbacks()) throws -> RecipeOutcome {
        let outcome = try training.run(callbacks: callbacks)
        guard let outputs else { return outcome }
        let predictor = outcome.predictor
        var metrics = outcome.evaluation.metrics
        metrics["epochs"] = Double(outcome.history.count)
        metrics["train_seconds"] = outcome.trainingSeconds
        metrics["threshold"] = predictor.threshold.map(Double.init)
        metrics["pixel_threshold"] = predictor.pixelThreshold.map(Double.init)
        metrics["test_detection_rate"] = outcome.detectionRate
        metrics["test_false_alarm_rate"] = outcome.falseAlarmRate
        metrics["world_size"] = Double(training.options.communicator.worldSize)
        if let configuration = run.configuration { try AtomicFile.write(configuration, to: outputs.url(for: RunFile.configuration)) }
        try TrainingHistory(outcome.history).write(into: outputs.staging)
        var metadata = run.modelMetadata
        metadata["display_quantile"] = String(run.recipe.displayQuantile)
        try predictor.save(to: outputs.url(for: RunFile.model), metadata: metadata)
        try TrainingBatchPreview.write(loader: training.trainer.loader, into: outputs.staging)
        try EvaluationFiles(
            evaluation: outcome.evaluation, test: data.test, threshold: predictor.threshold,
            display: HeatmapDisplay(for: predictor, quantile: run.recipe.displayQuantile), title: title, command: run.command
        )
        .write(metrics: metrics, into: outputs.staging)
        try RunReport(folder: outputs.staging).write()
        try outputs.publish()
        return outcome
    }
}
