import Datasets
import Explain
import Foundation

/// What `fcdd compare` writes beside its methods' run folders: `comparison.json` and
/// `comparison.md` (``ComparisonTable``), `comparison.png` (the same anomalous test images
/// under each method's heatmaps, each method's maps scaled with the same procedure, with the
/// ground truth where masks exist) and `report.html` (``ComparisonReport``).
///
/// ```swift
/// let outcomes = try [ReferenceObjective.fcdd, .hsc, .ae].map { objective in
///     try TrainingRun(recipe: Recipe.paper(for: data, objective: objective), command: "my study")
///         .prepare(on: data, into: folder.appendingPathComponent(objective.rawValue)).train()
/// }
/// try ComparisonFiles(methods: outcomes.map(ComparedMethod.init), test: data.test, title: "T-shirts").write(into: folder)
/// ```
public struct ComparisonFiles {
    /// The methods, in the table's order; each one's run folder is `<folder>/<name>`.
    public var methods: [ComparedMethod]
    /// The test set they were evaluated on (for the masks of the figure).
    public var test: any ImageDataset
    /// The figure's title.
    public var title: String
    /// Anomalous test images in the figure, spread over the test set.
    public var columns: Int

    /// Files of `methods`; see the properties.
    public init(methods: [ComparedMethod], test: any ImageDataset, title: String, columns: Int = 10) {
        self.methods = methods
        self.test = test
        self.title = title
        self.columns = columns
    }

    /// The table of the methods' evaluation metrics.
    public var table: ComparisonTable {
        ComparisonTable(rows: methods.map { ComparisonTable.Row(method: $0.name, net: $0.net, metrics: $0.evaluation.metrics) })
    }

    /// Writes the table, the figure (when the test set has anomalies) and the page into
    /// `folder`, each file atomically.
    ///
    /// - Throws: ``ReportError``, and `ExplainError` and `DatasetError` from the figure.
    public func write(into folder: URL) throws {
        try table.write(into: folder)
        if let figure = try figure() {
            try RunFile.write(try figure.render().pngData(), to: RunFile.comparisonFigure, in: folder)
        }
        try ComparisonReport(folder: folder).write()
    }

    /// `comparison.png`, or `nil` without methods or anomalous test images.
    ///
    /// - Throws: `ExplainError`, and `DatasetError` for a mask that cannot be read.
    public func figure() throws -> TileGrid? {
        guard let first = methods.first else { return nil }
        let chosen = TestSamples.spreadAnomalies(first.evaluation.labels, count: columns)
        guard !chosen.isEmpty else { return nil }
        let inputs = try HeatmapSamples.displayImages(first.evaluation.images.gathered(atIndices: chosen, alongAxis: 0))
        let heatmaps = try methods.map { method in
            (
                name: method.name.uppercased(),
                heatmaps: try HeatmapDisplay(quantile: method.displayQuantile).normalize(method.evaluation.heatmaps.gathered(atIndices: chosen, alongAxis: 0))
            )
        }
        let (height, width) = (first.evaluation.heatmaps.shape[1], first.evaluation.heatmaps.shape[2])
        return try HeatmapFigure.comparison(
            inputs: inputs, methods: heatmaps, groundTruth: try TestSamples.groundTruth(test, at: chosen, height: height, width: width),
            title: title)
    }
}
