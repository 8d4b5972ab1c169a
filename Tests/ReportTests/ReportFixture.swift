import Datasets
import FCDD
import Foundation
import Report
import TensorCore

/// A fresh temporary directory path (not created).
func temporaryDirectory(_ name: String = "report") -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-\(name)-\(UUID().uuidString)", isDirectory: true)
}

/// The names in the fixture that must reach the page only escaped: an anomaly folder and file
/// names holding markup, quotes, an ampersand and URL delimiters.
enum TrickyNames {
    static let anomalyFolder = #"<img src=x onerror=alert(1)> & "spots""#
    static let files = ["0 <b>bold", "1 'quote' & \"double\"", "2 #hash?query%20", "3 plain", "4 ünïcødé", "5 a,comma"]
}

/// A real run folder, built once per test process: FCDD_CNN28 trained for two epochs on a
/// small image folder with masks (the anomalies a bright square each), evaluated, and written
/// with the files `fcdd train` writes (a small `config.json` by hand), then its report.
enum ReportFixture {
    /// The run folder, or the error that building it threw.
    static let run: Result<URL, any Error> = Result { try makeRun() }

    /// The run folder; throws what building it threw.
    static func folder() throws -> URL { try run.get() }

    /// A copy of the run folder that a test may change.
    static func copy() throws -> URL {
        let copy = temporaryDirectory("report-copy")
        try FileManager.default.copyItem(at: try folder(), to: copy)
        return copy
    }

    /// Writes the image folder: `good/` with 16 textured grey 28×28 images and the anomaly
    /// folder with the tricky file names, each with a `{name}_mask.png`.
    static func writeImages() throws -> URL {
        let root = temporaryDirectory("report-data")
        var random = SeededGenerator(seed: 3)
        let groups = [("good", (0..<16).map { "\($0)" }), (TrickyNames.anomalyFolder, TrickyNames.files)]
        for (folder, names) in groups {
            let directory = root.appendingPathComponent(folder, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, name) in names.enumerated() {
                let size = 28
                var pixels = (0..<(size * size)).map { _ in 0.3 + 0.2 * random.nextUnitFloat() }
                var mask = [Float](repeating: 0, count: size * size)
                if folder != "good" {
                    let (top, left) = (2 + index * 3, 3 + index * 3)
                    for y in top..<(top + 7) {
                        for x in left..<(left + 7) {
                            pixels[y * size + x] = 1
                            mask[y * size + x] = 1
                        }
                    }
                }
                try Image(width: size, height: size, channels: 1, pixels: pixels).writePNG(to: directory.appendingPathComponent("\(name).png"))
                try Image(width: size, height: size, channels: 1, pixels: mask).writePNG(to: directory.appendingPathComponent("\(name)_mask.png"))
            }
        }
        return root
    }

    private static func makeRun() throws -> URL {
        let root = try writeImages()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try OneClassData.load(.imageFolder(root: root, normalFolder: "good", testFraction: 0.25, maskPattern: "{name}_mask.png", seed: 1))
        var recipe = try Recipe.paper(for: data, net: .cnn28, imageSize: 28)
        recipe.training.epochs = 2
        recipe.training.batchSize = 4
        let training = try recipe.prepare(on: data, options: RecipeRunOptions(evaluationBatchSize: 8, checksEverySample: false))
        let outcome = try training.run()
        let folder = temporaryDirectory("report-run")
        var metrics = outcome.evaluation.metrics
        metrics["threshold"] = outcome.predictor.threshold.map(Double.init)
        metrics["test_detection_rate"] = outcome.detectionRate
        metrics["test_false_alarm_rate"] = outcome.falseAlarmRate
        try TrainingHistory(outcome.history).write(into: folder)
        try TrainingBatchPreview.write(loader: training.trainer.loader, into: folder)
        try EvaluationFiles(
            evaluation: outcome.evaluation, test: data.test, threshold: outcome.predictor.threshold,
            display: HeatmapDisplay(for: outcome.predictor, quantile: recipe.displayQuantile), title: "FCDD on <the> \"tricky\" & folder",
            command: "the report tests"
        ).write(metrics: metrics, into: folder)
        let configuration =
            #"{"dataset": "folder", "data": "\#(TrickyNames.anomalyFolder.replacingOccurrences(of: "\"", with: "\\\""))", "training": {"epochs": 2, "nesterov": true, "seed": 18446744073709551615}}"#
        try Data(configuration.utf8).write(to: folder.appendingPathComponent(RunFile.configuration))
        try RunReport(folder: folder).write()
        return folder
    }
}
