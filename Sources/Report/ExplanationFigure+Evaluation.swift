import Datasets
import Explain
import FCDD
import Foundation
import TensorCore

extension AnomalyEvaluation {
    /// The paper's Figure 1 layout of this evaluation: 8 nominal and 8 anomalous test images
    /// (the anomalies spread over the test set, so over defect types), their heatmaps scaled
    /// together by `display` and, where the data set has masks, the ground truth; `nil` when
    /// the test set is empty.
    ///
    /// - Parameters:
    ///   - test: The test set the evaluation scored, for the masks.
    ///   - display: How the heatmaps are scaled to colours.
    ///   - title: The figure's title.
    /// - Throws: `ExplainError` and `DatasetError` from the rendering and the masks.
    public func explanationFigure(test: any ImageDataset, display: HeatmapDisplay, title: String) throws -> TileGrid? {
        let columns = 8
        let nominal = Array(labels.indices.filter { labels[$0] == 0 }.prefix(columns))
        let anomalous = TestSamples.spreadAnomalies(labels, count: columns)
        let chosen = nominal + anomalous
        guard !chosen.isEmpty else { return nil }
        let normalized = try display.normalize(heatmaps.gathered(atIndices: chosen, alongAxis: 0))
        let shown = try HeatmapSamples.displayImages(images.gathered(atIndices: chosen, alongAxis: 0))
        let truth = try TestSamples.groundTruth(test, at: anomalous, height: heatmaps.shape[1], width: heatmaps.shape[2])
        return try HeatmapFigure.explanation(
            nominal: Array(shown[..<nominal.count]), anomalous: Array(shown[nominal.count...]),
            heatmaps: normalized.slice(alongAxis: 0, nominal.count..<chosen.count), groundTruth: truth,
            nominalHeatmaps: nominal.isEmpty ? nil : normalized.slice(alongAxis: 0, 0..<nominal.count), title: title)
    }
}
