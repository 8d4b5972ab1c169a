import Datasets
import Explain
import FCDD
import Foundation
import TensorCore

/// What `fcdd train` and `fcdd evaluate` write about an evaluation: metrics, per-image
/// scores and the heatmap figure.
enum Report {
    /// Prints the metrics that exist.
    static func printMetrics(_ evaluation: AnomalyEvaluation) {
        let line = evaluation.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }
        say("test " + (line.isEmpty ? "metrics undefined (one class only)" : line.joined(separator: ", ")))
    }

    /// `metrics.json`, sorted keys.
    static func writeMetrics(_ metrics: [String: Double], to url: URL) throws {
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys]), to: url)
    }

    /// `scores.csv`: name, label, score and, with a threshold, the decision.
    static func writeScores(_ evaluation: AnomalyEvaluation, threshold: Float?, to url: URL) throws {
        var rows = ["name,label,score" + (threshold == nil ? "" : ",anomalous")]
        for index in evaluation.scores.indices {
            let name = evaluation.names[index].contains(",") ? "\"\(evaluation.names[index])\"" : evaluation.names[index]
            rows.append("\(name),\(evaluation.labels[index]),\(evaluation.scores[index])" + (threshold.map { ",\(evaluation.scores[index] > $0)" } ?? ""))
        }
        try AtomicFile.write(Data((rows.joined(separator: "\n") + "\n").utf8), to: url)
    }

    /// The paper's Figure 1 layout: 8 nominal and 8 anomalous test images (anomalies spread
    /// over the test set, so over defect types), their heatmaps with one semi-global
    /// normalisation and, where the data set has masks, the ground truth.
    static func writeFigure(_ evaluation: AnomalyEvaluation, test: any ImageDataset, quantile: Double, title: String, to url: URL) throws {
        let columns = 8
        let nominal = Array(evaluation.labels.indices.filter { evaluation.labels[$0] == 0 }.prefix(columns))
        let anomalous = spreadAnomalies(evaluation.labels, count: columns)
        let chosen = nominal + anomalous
        guard !chosen.isEmpty else { return }
        let normalized = try HeatmapNormalization.semiGlobal(quantile: quantile)
            .normalize(evaluation.heatmaps.gathered(atIndices: chosen, alongAxis: 0))
        let images = try HeatmapSamples.displayImages(evaluation.images.gathered(atIndices: chosen, alongAxis: 0))
        let truth = try groundTruth(test, at: anomalous, height: evaluation.heatmaps.shape[1], width: evaluation.heatmaps.shape[2])
        let figure = try HeatmapFigure.explanation(
            nominal: Array(images[..<nominal.count]), anomalous: Array(images[nominal.count...]),
            heatmaps: normalized.slice(alongAxis: 0, nominal.count..<chosen.count), groundTruth: truth,
            nominalHeatmaps: nominal.isEmpty ? nil : normalized.slice(alongAxis: 0, 0..<nominal.count), title: title)
        try figure.writePNG(to: url)
    }

    /// Up to `count` anomalous samples spread evenly over the test set (so over defect types).
    static func spreadAnomalies(_ labels: [Int], count: Int) -> [Int] {
        let anomalies = labels.indices.filter { labels[$0] == 1 }
        let stride = max(1, anomalies.count / count)
        return Array(Swift.stride(from: 0, to: anomalies.count, by: stride).map { anomalies[$0] }.prefix(count))
    }

    /// The masks of samples `indices` resized (nearest) to `height × width`, `[M, H, W]`;
    /// `nil` when the data set has no masks or `indices` is empty.
    static func groundTruth(_ test: any ImageDataset, at indices: [Int], height: Int, width: Int) throws -> Tensor? {
        guard let first = indices.first, try test.sample(at: first).mask != nil else { return nil }
        let resize = try Resize(height: height, width: width, interpolation: .nearest)
        return try Tensor.concatenate(indices.map { index in
            let sample = try test.sample(at: index)
            return try resize.apply(DatasetSample(image: sample.mask!, label: 1, name: sample.name), seed: 0).image
        })
    }
}
