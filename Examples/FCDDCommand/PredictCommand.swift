import ArgumentParser
import Datasets
import Explain
import FCDD
import Foundation
import TensorCore

/// `fcdd predict`: scores image files with a model written by `fcdd train`.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score PNG or JPEG images with a trained model; write a CSV and heatmap overlays.",
        discussion: """
            The model's own preprocessing, input size and heatmap σ (stored in model.safetensors) \
            are applied; images of other sizes or channel counts are converted and resized. \
            Writes scores.csv (file, score, decision when a threshold is given, overlay) and one \
            <name>-heatmap.png overlay per image to --output (<name>-2-heatmap.png and so on \
            for images of the same name in different folders).
            """)

    @Option(help: ArgumentHelp("A directory written by `fcdd train`, or its model.safetensors.", valueName: "path"))
    var model: String

    @Option(parsing: .unconditional, help: "Scores above this are reported anomalous (e.g. a quantile of nominal validation scores).")
    var threshold: Float?

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String = "fcdd-predictions"

    @OptionGroup var compute: ComputeOptions

    @Argument(help: ArgumentHelp("Images to score (PNG or JPEG).", valueName: "image"))
    var images: [String]

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image to score.") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a finite number, found \(threshold).") }
    }

    func run() async throws {
        try compute.run(predict)
    }

    private func predict() throws {
        let predictor = try AnomalyPredictor(contentsOf: ModelLocation.file(model))
        if let threshold { predictor.threshold = threshold }
        let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
        let outputs = try StagedDirectory(publishingTo: outputDirectory)
        var rows = ["file,score" + (predictor.threshold == nil ? "" : ",anomalous") + ",overlay"]
        var usedNames: Set<String> = []
        for path in images {
            let image = try Image(contentsOf: URL(fileURLWithPath: path))
            let prediction = try predictor.predict(image: image)
            let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            var (overlayName, copy) = ("\(stem)-heatmap.png", 1)
            while usedNames.contains(overlayName) {
                copy += 1
                overlayName = "\(stem)-\(copy)-heatmap.png"
            }
            usedNames.insert(overlayName)
            rows.append("\(path),\(prediction.score)" + (prediction.isAnomalous.map { ",\($0)" } ?? "") + ",\(overlayName)")
            say("\(path): score \(String(format: "%.4f", prediction.score))" + (prediction.isAnomalous.map { $0 ? "  anomalous" : "  nominal" } ?? ""))
            let shown = try Image(tensor: image.converted(toChannels: predictor.inputChannels).tensor())
            let resized = try Resize(height: predictor.inputSize.height, width: predictor.inputSize.width)
                .apply(DatasetSample(image: shown.tensor(), label: 0, name: path), seed: 0).image
            let heatmap = try HeatmapNormalization.local(quantile: 0.97).normalize(prediction.heatmap.unsqueezed(axis: 0)).squeezed(axis: 0)
            let overlay = try Image(tensor: resized).overlaying(heatmap: heatmap)
            try overlay.writePNG(to: outputs.url(for: overlayName), bitDepth: 8)
        }
        try AtomicFile.write(Data((rows.joined(separator: "\n") + "\n").utf8), to: outputs.url(for: "scores.csv"))
        try outputs.publish()
        say("wrote scores.csv and \(images.count) heatmap overlays to \(outputDirectory.path)")
    }
}
