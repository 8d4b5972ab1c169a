import FCDD
import Foundation
import Report

/// Writes a line to standard output at once (`print` is fully buffered when the output is
/// a file, so a log of a long run would show nothing until the end).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Prints the test metrics that exist, such as `test image_auroc 0.9123`.
func sayMetrics(_ evaluation: AnomalyEvaluation) {
    let line = evaluation.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }
    say("test " + (line.isEmpty ? "metrics undefined (one class only)" : line.joined(separator: ", ")))
}

/// Prints what a run trains: the data, the objective and net, its size and epochs, and the
/// checkpoint it continues from.
func sayStart(_ prepared: PreparedTrainingRun) {
    let (data, recipe) = (prepared.data, prepared.run.recipe)
    say(
        "\(data.description): \(data.train.count) nominal training images, \(data.test.count) test images"
            + (data.realAnomalies.map { ", \($0.count) real anomalies for training" } ?? "")
            + "; \(recipe.objective) with \((try? recipe.netName) ?? recipe.net.rawValue), \(recipe.inputSize.height)×\(recipe.inputSize.width)×\(recipe.channels), "
            + "\(prepared.training.net.parameterCount) parameters, \(recipe.training.epochs) epochs"
            + (prepared.resumedEpochs.map { "; continuing after epoch \($0) from \(TrainingRun.checkpointURL(in: prepared.folder).path)" } ?? ""))
}

/// Prints a trained run's test metrics, its threshold with its detection and false-alarm
/// rates, and its heatmap calibration.
func sayOutcome(_ outcome: RecipeOutcome, thresholdQuantile: Double) {
    sayMetrics(outcome.evaluation)
    say(
        "threshold \(outcome.predictor.threshold ?? .infinity) (\(thresholdQuantile) quantile of nominal training scores): "
            + "\(String(format: "%.1f", 100 * outcome.detectionRate))% of test anomalies flagged, \(String(format: "%.1f", 100 * outcome.falseAlarmRate))% false alarms"
    )
    if let calibration = outcome.predictor.heatmapCalibration {
        say(
            "heatmap scale \(calibration.low)…\(calibration.high), pixel threshold \(calibration.pixelThreshold) (\(calibration.pixelQuantile) quantile of the pixels of \(calibration.images) nominal training heatmaps)"
        )
    }
}

extension TrainingProgress {
    /// `epoch 2/40  loss 0.1234`, for progress bars.
    var summary: String {
        "epoch \(epoch + 1)/\(epochs)  loss \(String(format: "%.4f", loss))"
    }
}
