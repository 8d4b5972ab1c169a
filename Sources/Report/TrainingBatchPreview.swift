import Datasets
import Explain
import Foundation
import TensorCore

/// A picture of training data as the trainer sees it: the nominal samples and the anomalies
/// of one loader batch, after anomaly injection, augmentation and preprocessing (each image
/// min-max scaled for display), with the anomalies' masks where the batch has masks (the
/// pixel-wise loss's ground truth, such as confetti on MVTec-AD).
public enum TrainingBatchPreview {
    /// The figure of `batch`: up to `maximum` nominal and `maximum` anomalous samples in rows
    /// of `perRow`, each row of anomalies followed by their masks when the batch has masks;
    /// `nil` for a batch with neither label 0 nor label 1.
    ///
    /// - Throws: `ExplainError` from the layout.
    public static func figure(_ batch: Batch, perRow: Int = 8, maximum: Int = 16) throws(ExplainError) -> TileGrid? {
        let shown = try HeatmapSamples.displayImages(batch.images)
        let (height, width) = (batch.images.shape[2], batch.images.shape[3])
        var items: [TileGrid.Item] = []
        for (label, title) in [(0, "Nominal samples"), (1, "Anomalies")] {
            let chosen = Array(batch.labels.indices.filter { batch.labels[$0] == label }.prefix(max(0, maximum)))
            guard !chosen.isEmpty else { continue }
            if !items.isEmpty { items.append(.gap(12)) }
            items.append(.title("\(title) (\(chosen.count) of \(batch.labels.filter { $0 == label }.count) in the batch)"))
            for start in stride(from: 0, to: chosen.count, by: max(1, perRow)) {
                let row = Array(chosen[start..<min(start + max(1, perRow), chosen.count)])
                items.append(.row(label: label == 0 ? "nominal" : "anomalous", tiles: row.map { shown[$0] }))
                if label == 1, let masks = batch.masks {
                    var tiles: [Image?] = []
                    for index in row {
                        tiles.append(try ColorMap.grey.image(of: masks.slice(alongAxis: 0, index..<(index + 1)).reshaped(to: [height, width])))
                    }
                    items.append(.row(label: "mask", tiles: tiles))
                }
            }
        }
        guard !items.isEmpty else { return nil }
        return try TileGrid(items: items)
    }

    /// Writes the figure of the first batch of epoch 0 of `loader` (the first batch the
    /// trainer trains on) to `report/training-batch.png` in `folder`.
    ///
    /// - Throws: `DatasetError` from the loader, `ExplainError` and ``ReportError``.
    public static func write(loader: DataLoader, into folder: URL) throws {
        guard loader.batchCount > 0, let grid = try figure(loader.batch(0, epoch: 0)) else { return }
        try RunFile.write(grid.render().pngData(), to: RunFile.trainingBatch, in: folder)
    }
}
