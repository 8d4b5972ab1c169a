import Datasets
import Explain
import Foundation
import TensorCore

/// Writes the study's outputs into a directory: `clever-hans.md` (the numbers as a Markdown
/// table), `clever-hans.json` (``StudyResult``) and `clever-hans.png` (held-back
/// watermarked anomalies with each method's heatmap and the watermark box).
enum StudyReport {
    /// The file names, without a directory.
    static let markdownFile = "clever-hans.md", jsonFile = "clever-hans.json", figureFile = "clever-hans.png"

    /// Writes the three files into `directory` (created if needed), each atomically.
    ///
    /// - Throws: File-system errors, and the errors of encoding and drawing.
    static func write(_ result: StudyResult, outcomes: [MethodOutcome], data: StudyData, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(markdown(result).utf8), to: directory.appendingPathComponent(markdownFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(result), to: directory.appendingPathComponent(jsonFile))
        try figure(
            outcomes, data: data, columns: result.settings.columns,
            title: "Held-back watermarked \(result.anomalousClassName) images; Truth: the watermark box"
        )
        .writePNG(to: directory.appendingPathComponent(figureFile))
    }

    /// The numbers as two Markdown tables, heatmap mass and detection, one row per method,
    /// with a line on the data above them.
    static func markdown(_ result: StudyResult) -> String {
        func number(_ value: Double) -> String { String(format: "%.3f", value) }
        func box(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
        let (train, test) = (result.train, result.test)
        var lines = [
            "Nominal: \(result.nominalClassNames.joined(separator: ", ")); anomalous: \(result.anomalousClassName), "
                + "\(number(result.settings.watermarkedFraction)) of them watermarked (alpha \(result.settings.watermarkAlpha), box x,y,w,h = \(box(result.watermarkBox)), "
                + "neighbourhood \(box(result.neighbourhood))). Training: \(train.nominal) nominal, \(train.watermarked) watermarked and \(train.clean) clean anomalies; "
                + "held back: \(test.nominal) nominal, \(test.watermarked) watermarked and \(test.clean) clean anomalies. \(result.settings.epochs) epochs.",
            "",
            "Share of heatmap mass in the watermark box and in its neighbourhood (held-back anomalies):",
            "",
            "| method | box, watermarked (mean / median) | box, clean (mean / median) | box, uniform | neighbourhood, watermarked | neighbourhood, clean | neighbourhood, uniform |",
            "|---|---|---|---|---|---|---|",
        ]
        for method in result.methods {
            lines.append(
                "| \(method.method) | \(number(method.massShareWatermarked)) / \(number(method.medianMassShareWatermarked)) | "
                    + "\(number(method.massShareClean)) / \(number(method.medianMassShareClean)) | \(number(result.uniformShare)) | "
                    + "\(number(method.neighbourhoodShareWatermarked)) | \(number(method.neighbourhoodShareClean)) | \(number(result.neighbourhoodUniformShare)) |"
            )
        }
        lines += [
            "",
            "Image ROC AUC of the held-back nominal images against:",
            "",
            "| method | net | watermarked anomalies | clean anomalies | all anomalies | themselves watermarked | train s |",
            "|---|---|---|---|---|---|---|",
        ]
        for method in result.methods {
            lines.append(
                "| \(method.method) | \(method.net) | \(number(method.aucWatermarked)) | \(number(method.aucClean)) | \(number(method.aucAll)) | "
                    + "\(number(method.aucWatermarkOnNominal)) | \(Int(method.trainSeconds.rounded())) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first `columns` held-back watermarked anomalies: the inputs, each method's
    /// heatmaps (normalised semi-globally per method with the CIFAR-10 display quantile)
    /// and the watermark box as the ground truth, under `title`.
    ///
    /// - Throws: The errors of gathering, normalising and drawing.
    static func figure(_ outcomes: [MethodOutcome], data: StudyData, columns: Int, title: String) throws -> TileGrid {
        let chosen = Array(data.test.indices(of: .watermarked).prefix(columns))
        guard let first = outcomes.first, !chosen.isEmpty else {
            throw ExplainError.invalidArgument(operation: "StudyReport.figure", message: "expected a method and a held-back watermarked anomaly, found none")
        }
        let images = first.evaluation.images.gathered(atIndices: chosen, alongAxis: 0)
        let methods = try outcomes.map { outcome in
            (
                name: outcome.result.method,
                heatmaps: try HeatmapNormalization.semiGlobal(for: .cifar10).normalize(outcome.evaluation.heatmaps.gathered(atIndices: chosen, alongAxis: 0))
            )
        }
        let (height, width) = (images.shape[2], images.shape[3])
        return try HeatmapFigure.comparison(
            inputs: try HeatmapSamples.displayImages(images, display: .clamped), methods: methods,
            groundTruth: data.test.watermark.boxMasks(count: chosen.count, imageHeight: height, imageWidth: width),
            title: title)
    }
}
