import ArgumentParser
import Datasets
import Explain
import FCDD
import Foundation
import Report
import TensorCore

/// `fcdd evaluate`: measures a model written by `fcdd train` on a test set.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a trained model on a test set: image AUC, and pixel AUC and AU-PRO where masks exist.",
        discussion: """
            Give the data options the model was trained with (the same --seed and \
            --test-fraction for folder data, the same --supervised-anomalies) to see the same \
            test set. Writes metrics.json, scores.csv, curves.json, heatmaps.png and report.html to --output.
            """)

    @Option(help: ArgumentHelp("A directory written by `fcdd train`, or its model.safetensors.", valueName: "path"))
    var model: String

    @OptionGroup var data: DataOptions

    @OptionGroup var compute: ComputeOptions

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String = "fcdd-evaluation"

    func validate() throws {
        if data.normalClass == DataOptions.allClasses || data.normalClasses.count > 1 {
            throw ValidationError("fcdd evaluate measures one model on one normal class, found --normal-class \(data.normalClass).")
        }
    }

    func run() async throws {
        try compute.run(evaluate)
    }

    private func evaluate() throws {
        let predictor = try AnomalyPredictor(contentsOf: ModelLocation.file(model))
        let loaded = try data.load()
        let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
        // The outputs appear together at the end; the folder is made (and checked) first.
        let outputs = try StagedDirectory(publishingTo: outputDirectory)
        var bar = ProgressBar()
        let evaluation = try predictor.evaluate(loaded.test, batchSize: predictor.inputSize.height > 64 ? 16 : 250) { done, total in
            bar.update(done: done, total: total, detail: "\(done)/\(total) images", force: done == total)
        }
        bar.finish()
        sayMetrics(evaluation)
        var metrics = evaluation.metrics
        if let threshold = predictor.threshold {
            let rates = evaluation.rates(threshold: threshold)
            metrics["threshold"] = Double(threshold)
            metrics["test_detection_rate"] = rates.detection
            metrics["test_false_alarm_rate"] = rates.falseAlarm
            say(
                "threshold \(threshold): \(String(format: "%.1f", 100 * rates.detection))% of test anomalies flagged, \(String(format: "%.1f", 100 * rates.falseAlarm))% false alarms"
            )
        }
        let quantile = predictor.metadata["display_quantile"].flatMap(Double.init) ?? 0.97
        try EvaluationFiles(
            evaluation: evaluation, test: loaded.test, threshold: predictor.threshold, display: HeatmapDisplay(for: predictor, quantile: quantile),
            title: "\(predictor.objective.name.uppercased()) \(predictor.metadata["net"] ?? ""), \(loaded.description), nominal: \(loaded.normalClassName)",
            command: "fcdd evaluate"
        ).write(metrics: metrics, into: outputs.staging)
        try RunReport(folder: outputs.staging).write()
        try outputs.publish()
        say("wrote metrics.json, scores.csv, curves.json, heatmaps.png and report.html to \(outputDirectory.path)")
    }
}

/// Where a model is: a directory written by `fcdd train` or the model file itself.
enum ModelLocation {
    /// `path`, or `path/model.safetensors` when `path` is a directory.
    static func file(_ path: String) -> URL {
        var url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url.appendPathComponent("model.safetensors")
        }
        return url
    }
}
