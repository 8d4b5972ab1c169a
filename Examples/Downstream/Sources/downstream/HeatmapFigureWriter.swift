import Datasets
import Explain
import FCDD
import Foundation

/// Renders the FCDD paper's Figure 1 layout from an evaluation with the library's figure
/// API: nominal test images and their heatmaps, then anomalous test images and theirs.
enum HeatmapFigureWriter {
    /// Writes the figure of `evaluation` to `url` (PNG): `perRow` nominal and `perRow`
    /// anomalous test images picked at equidistant ranks of their scores (from the most
    /// nominal to the most anomalous), heatmaps normalised together with the
    /// Fashion-MNIST display quantile.
    ///
    /// - Throws: `ExplainError` when the evaluation lacks a label or the figure cannot be
    ///   laid out, `DatasetError` when the file cannot be written.
    static func write(_ evaluation: AnomalyEvaluation, title: String, perRow: Int = 8, to url: URL) throws {
        let nominal = try SampleSelection.scoreRanks(scores: evaluation.scores, labels: evaluation.labels, label: 0, count: perRow).indices
        let anomalous = try SampleSelection.scoreRanks(scores: evaluation.scores, labels: evaluation.labels, label: 1, count: perRow).indices
        let chosen = nominal + anomalous
        let heatmaps = try HeatmapNormalization.semiGlobal(for: .fashionMNIST)
            .normalize(evaluation.heatmaps.gathered(atIndices: chosen, alongAxis: 0))
        let images = try HeatmapSamples.displayImages(evaluation.images.gathered(atIndices: chosen, alongAxis: 0))
        let figure = try HeatmapFigure.explanation(
            nominal: Array(images[..<nominal.count]), anomalous: Array(images[nominal.count...]),
            heatmaps: heatmaps.slice(alongAxis: 0, nominal.count..<chosen.count),
            nominalHeatmaps: heatmaps.slice(alongAxis: 0, 0..<nominal.count), title: title)
        try figure.writePNG(to: url)
    }
}
