import Foundation

/// `metrics.json`: a JSON object from metric names (`image_auroc`, `pixel_auroc`,
/// `pixel_aupro`, `threshold`, `test_detection_rate`, ...) to numbers, keys sorted.
public enum MetricsFile {
    /// Writes `metrics` to `path` (``RunFile/metrics`` by default) in `folder`, atomically.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` for a value JSON cannot
    ///   hold (NaN or infinite), ``ReportError/writeFailed(path:reason:)``.
    public static func write(_ metrics: [String: Double], into folder: URL, as path: String = RunFile.metrics) throws(ReportError) {
        if let (name, value) = metrics.first(where: { !$0.value.isFinite }) {
            throw .unreadableFile(path: folder.appendingPathComponent(path).path, expected: "finite metrics", found: "\(name) = \(value)")
        }
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
        } catch {
            throw .writeFailed(path: folder.appendingPathComponent(path).path, reason: error.localizedDescription)
        }
        try RunFile.write(data, to: path, in: folder)
    }

    /// The metrics in `folder`'s `metrics.json`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when it is not a JSON
    ///   object of numbers.
    public static func read(from folder: URL) throws(ReportError) -> [String: Double]? {
        guard let data = try RunFile.read(RunFile.metrics, in: folder) else { return nil }
        do {
            return try JSONDecoder().decode([String: Double].self, from: data)
        } catch {
            throw .unreadableFile(
                path: folder.appendingPathComponent(RunFile.metrics).path, expected: "a JSON object of numbers", found: ReportError.problem(error))
        }
    }
}
