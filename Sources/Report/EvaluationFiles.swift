import Datasets
import FCDD
import Foundation

/// Everything `fcdd train` and `fcdd evaluate` write about one evaluation, for people and for
/// the report: `metrics.json`, `scores.csv`, `curves.json`, `heatmaps.png` (the paper's
/// Figure 1 layout), the gallery's pictures in `report/gallery/` and `report/run.json`.
///
/// ```swift
/// let outcome = try recipe.run(on: data)
/// try EvaluationFiles(evaluation: outcome.evaluation, test: data.test, threshold: outcome.predictor.threshold,
///                     display: HeatmapDisplay(quantile: recipe.displayQuantile), title: "FCDD on my data", command: "my tool")
///     .write(metrics: outcome.evaluation.metrics, into: folder)
/// try RunReport(folder: folder).write()
/// ```
public struct EvaluationFiles {
    /// The evaluation.
    public var evaluation: AnomalyEvaluation
    /// The test set it scored (for the masks of the pictures).
    public var test: any ImageDataset
    /// The model's decision threshold, if it has one.
    public var threshold: Float?
    /// How the pictures scale heatmaps.
    public var display: HeatmapDisplay
    /// The run's title, above the figure and the report.
    public var title: String
    /// The command that writes the files, such as `fcdd evaluate`.
    public var command: String

    /// Files of `evaluation`; see the properties.
    public init(evaluation: AnomalyEvaluation, test: any ImageDataset, threshold: Float?, display: HeatmapDisplay, title: String, command: String) {
        self.evaluation = evaluation
        self.test = test
        self.threshold = threshold
        self.display = display
        self.title = title
        self.command = command
    }

    /// The gallery's test images (``GallerySelection/choose(_:threshold:extremes:misclassified:)``).
    public var gallery: GallerySelection {
        GallerySelection.choose(ScoreTable(evaluation, threshold: threshold).records, threshold: threshold.map(Double.init))
    }

    /// Writes the files into `folder` (created if needed), `metrics` as `metrics.json`.
    ///
    /// - Throws: ``ReportError``, and `ExplainError` and `DatasetError` from the pictures.
    public func write(metrics: [String: Double], into folder: URL) throws {
        try MetricsFile.write(metrics, into: folder)
        try ScoreTable(evaluation, threshold: threshold).write(into: folder)
        try EvaluationCurves(evaluation).write(into: folder)
        if let figure = try evaluation.explanationFigure(test: test, display: display, title: title) {
            try RunFile.write(figure.render().pngData(), to: RunFile.figure, in: folder)
        }
        let gallery = gallery
        try evaluation.writeGalleryPictures(gallery, test: test, display: display, into: folder)
        try RunDescription(title: title, command: command, heatmapDisplay: display.description, gallery: gallery).write(into: folder)
    }
}
