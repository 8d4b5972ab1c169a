import Foundation
import TensorCore

/// The names of the files in a run folder (relative paths), as `fcdd train`, `fcdd evaluate`
/// and `fcdd compare` write them and the report reads them.
///
/// The report's own files live in the ``assets`` sub-folder: the charts (SVG) it draws each
/// time it is built, and the pictures (PNG) that only the run can draw because they need the
/// model's heatmaps or the training data.
public enum RunFile {
    /// The metrics, a JSON object of numbers (``MetricsFile``).
    public static let metrics = "metrics.json"
    /// One row per test image: name, label, score, decision (``ScoreTable``).
    public static let scores = "scores.csv"
    /// One row per epoch: loss and mean nominal and anomalous score (``TrainingHistory``).
    public static let history = "history.csv"
    /// The options and training configuration of `fcdd train`.
    public static let configuration = "config.json"
    /// The ROC, pixel ROC and PRO curves of the evaluation (``EvaluationCurves``).
    public static let curves = "curves.json"
    /// The paper's Figure 1 layout of test images and heatmaps (``EvaluationFiles``).
    public static let figure = "heatmaps.png"
    /// The trained model.
    public static let model = "model.safetensors"
    /// The report page.
    public static let report = "report.html"
    /// The folder of the report's charts and pictures.
    public static let assets = "report"
    /// What the run was and which test images the gallery shows (``RunDescription``).
    public static let description = "report/run.json"
    /// One batch of the training data as the net saw it (``TrainingBatchPreview``).
    public static let trainingBatch = "report/training-batch.png"
    /// The folder of the gallery's pictures, one `<test index>.png` per shown test image.
    public static let gallery = "report/gallery"
    /// `fcdd compare`'s table of the methods' metrics (``ComparisonTable``).
    public static let comparison = "comparison.json"
    /// `fcdd compare`'s table as Markdown.
    public static let comparisonTable = "comparison.md"
    /// `fcdd compare`'s heatmaps of the methods side by side.
    public static let comparisonFigure = "comparison.png"
    /// A sweep's settings: its classes, seeds, methods and the options every run shares (``SweepSettings``).
    public static let sweep = "sweep.json"
    /// A sweep's table: mean and standard deviation per class and overall, and every run's metrics (``SweepTable``).
    public static let sweepResults = "results.json"
    /// A sweep's table as Markdown.
    public static let sweepTable = "results.md"

    /// The gallery picture of test image `index`.
    public static func galleryPicture(_ index: Int) -> String {
        "\(gallery)/\(index).png"
    }

    /// Writes `data` to `path` inside `folder` atomically, creating the folders on the way.
    static func write(_ data: Data, to path: String, in folder: URL) throws(ReportError) {
        let url = folder.appendingPathComponent(path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: url.deletingLastPathComponent().path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw .writeFailed(path: url.path, reason: "\(error.operation) failed: \(error.reason)")
        }
    }

    /// The contents of `path` inside `folder`, or `nil` when there is no such file.
    static func read(_ path: String, in folder: URL) throws(ReportError) -> Data? {
        let url = folder.appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else { throw .unreadableFile(path: url.path, expected: "a file", found: "a folder") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, expected: "a readable file", found: error.localizedDescription)
        }
    }

    /// Whether `path` inside `folder` is a file.
    static func exists(_ path: String, in folder: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
