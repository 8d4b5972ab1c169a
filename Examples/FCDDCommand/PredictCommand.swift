import ArgumentParser
import Datasets
import Explain
import FCDD
import Foundation
import TensorCore

/// `fcdd predict`: scores image files and folders with a model written by `fcdd train`.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score PNG or JPEG images and folders of them with a trained model; write tables, heatmap overlays and masks.",
        discussion: """
            The model's own preprocessing, input size and heatmap σ (stored in model.safetensors) \
            are applied; images of other sizes or channel counts are converted and resized. A folder \
            gives every .png, .jpg and .jpeg file below it (hidden ones skipped), sorted by path. \
            Writes to --output: predictions.csv and predictions.jsonl (one row per image: path, \
            score, decision, threshold, overlay, mask, error) and, mirroring the input tree, one \
            <name>-heatmap.png overlay per image at the image's own resolution (and with --masks a \
            <name>-mask.png), a folder's images under the folder's name (a second root of the same \
            name gets -2). Heatmaps are shown on the scale fixed when the model was trained, so \
            normal images stay blue; models written before that are scaled per image. A file that \
            cannot be read does not stop the run: its row names the error, the other images are \
            written, and the command lists the unreadable files and exits with status 1.
            """)

    @Option(help: ArgumentHelp("A directory written by `fcdd train`, or its model.safetensors.", valueName: "path"))
    var model: String

    @Option(parsing: .unconditional, help: "Scores above this are reported anomalous (default: the threshold stored with the model).")
    var threshold: Float?

    @Flag(help: "Also write a binary anomaly mask per image (<name>-mask.png, white where the heatmap exceeds the pixel threshold).")
    var masks = false

    @Option(parsing: .unconditional, help: "Heatmap pixels above this are anomalous in masks (default: the pixel threshold stored with the model).")
    var pixelThreshold: Float?

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String = "fcdd-predictions"

    @OptionGroup var compute: ComputeOptions

    @OptionGroup(title: "Memory limits for reading files")
    var limits: LimitOptions

    @Argument(help: ArgumentHelp("Images (PNG or JPEG) and folders of them to score.", valueName: "path"))
    var paths: [String]

    /// Lists longer than this show a progress line instead of a line per image.
    static let longList = 20
    /// Unreadable files listed at the end, at most.
    static let listedFailures = 20

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one image or folder to score.") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a finite number, found \(threshold).") }
        if let pixelThreshold, !pixelThreshold.isFinite { throw ValidationError("--pixel-threshold must be a finite number, found \(pixelThreshold).") }
    }

    func run() async throws {
        try compute.run(predict)
    }

    private func predict() throws {
        limits.apply()
        let predictor = try AnomalyPredictor(contentsOf: ModelLocation.file(model))
        if let threshold { predictor.threshold = threshold }
        if masks, pixelThreshold == nil, predictor.pixelThreshold == nil {
            throw ValidationError(
                "--masks needs a pixel threshold: \(model) has no heatmap calibration (it was written before fcdd stored one); give --pixel-threshold or train the model again."
            )
        }
        let inputs = try ImageInput.expand(paths.map { URL(fileURLWithPath: $0) })
        let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
        let outputs = try StagedDirectory(publishingTo: outputDirectory)
        say(describe(predictor, images: inputs.count))

        var rows: [PredictionRow] = [], failures: [DatasetError] = []
        var bar = ProgressBar()
        let start = ContinuousClock.now
        for (index, result) in predictor.predictions(of: inputs).enumerated() {
            var row = result.row
            switch result.outcome {
            case let .success(scored):
                do {
                    let overlay = try predictor.overlay(of: scored.prediction, on: scored.image)
                    let overlayPath = result.input.outputStem + "-heatmap.png"
                    try overlay.writePNG(to: outputs.url(forNestedFile: overlayPath), bitDepth: 8)
                    row.overlay = overlayPath
                    if masks {
                        let mask = try predictor.mask(
                            of: scored.prediction, size: Size2D(scored.image.height, scored.image.width), pixelThreshold: pixelThreshold)
                        let maskPath = result.input.outputStem + "-mask.png"
                        try mask.writePNG(to: outputs.url(forNestedFile: maskPath), bitDepth: 8)
                        row.mask = maskPath
                    }
                } catch let error as ExplainError {
                    // A heatmap that cannot be shown (not finite) is the image's problem, not the run's.
                    row.error = "\(error)"
                    failures.append(.unreadableFile(file: result.input.path, reason: "its heatmap cannot be shown: \(error)"))
                }
            case let .failure(error):
                failures.append(error as? DatasetError ?? .unreadableFile(file: result.input.path, reason: "\(error)"))
            }
            rows.append(row)
            let done = index + 1
            if inputs.count <= Self.longList {
                say(Self.line(row))
            } else {
                let rate = Double(done) / max((ContinuousClock.now - start).seconds, 1e-9)
                bar.update(
                    done: done, total: inputs.count, detail: "\(done)/\(inputs.count) images, \(String(format: "%.1f", rate)) images/s",
                    force: done == inputs.count || done * 10 / inputs.count != index * 10 / inputs.count)
            }
        }
        if inputs.count > Self.longList { bar.finish() }
        let csv = ([PredictionRow.csvHeader] + rows.map(\.csvRecord)).joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(csv.utf8), to: outputs.url(for: "predictions.csv"))
        try AtomicFile.write(Data(rows.map { $0.jsonLine + "\n" }.joined().utf8), to: outputs.url(for: "predictions.jsonl"))
        try outputs.publish()

        let seconds = (ContinuousClock.now - start).seconds
        let scored = rows.filter { $0.score != nil }
        let anomalous = predictor.threshold == nil ? "" : ", \(scored.filter { $0.isAnomalous == true }.count) anomalous"
        say(
            "scored \(scored.count) of \(rows.count) images in \(String(format: "%.1f", seconds)) s "
                + "(\(String(format: "%.1f", Double(rows.count) / max(seconds, 1e-9))) images/s)\(anomalous); wrote predictions.csv, predictions.jsonl, "
                + "\(rows.filter { $0.overlay != nil }.count) overlays" + (masks ? " and \(rows.filter { $0.mask != nil }.count) masks" : "")
                + " to \(outputDirectory.path)")
        if !failures.isEmpty {
            throw DatasetError.unreadableSamples(
                dataset: "the \(rows.count) images given (their rows name the errors)", failures: Array(failures.prefix(Self.listedFailures)),
                total: failures.count)
        }
    }

    /// The line announcing the run: the images, the threshold and the heatmap scale.
    private func describe(_ predictor: AnomalyPredictor, images: Int) -> String {
        let threshold = predictor.threshold.map { "threshold \($0)" + (self.threshold == nil ? "" : " (--threshold)") } ?? "no threshold (scores only)"
        let scale =
            predictor.heatmapCalibration.map { calibration in
                "heatmaps on the model's fixed scale \(calibration.low)…\(calibration.high), pixel threshold \(pixelThreshold ?? calibration.pixelThreshold)"
            } ?? "heatmaps scaled per image (the model has no heatmap calibration)"
        return "\(images) image\(images == 1 ? "" : "s"); \(threshold); \(scale)"
    }

    /// A row as printed for short lists.
    private static func line(_ row: PredictionRow) -> String {
        guard let score = row.score else { return "\(row.path): \(row.error ?? "not scored")" }
        return "\(row.path): score \(String(format: "%.4f", score))" + (row.decision.map { "  \($0)" } ?? "")
            + (row.error.map { "  (\($0))" } ?? "")
    }
}
