import Foundation

/// Builds the report of any folder the `fcdd` command writes: a sweep (with a `sweep.json`)
/// gets its runs' and comparisons' reports, its table and its page; a comparison folder (with a
/// `comparison.json`) its methods' reports and its own; any other folder with a
/// `metrics.json` a run report.
public enum ReportWriter {
    /// Writes `folder`'s `report.html` (and, for a comparison, each method's; for a sweep,
    /// each finished run's and comparison's and the table); returns its URL.
    ///
    /// - Throws: ``ReportError/notARunFolder(path:found:)`` for a folder with neither file,
    ///   and the other ``ReportError``s of reading and writing.
    @discardableResult
    public static func write(folder: URL) throws(ReportError) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notARunFolder(
                path: folder.path, found: FileManager.default.fileExists(atPath: folder.path) ? ["a file, not a folder"] : ["nothing: no such folder"])
        }
        if RunFile.exists(RunFile.sweep, in: folder) {
            let sweep = try SweepReport(folder: folder)
            for point in sweep.settings.points {
                let pair = folder.appendingPathComponent(point.path, isDirectory: true)
                if RunFile.exists(RunFile.metrics, in: pair) || RunFile.exists(RunFile.comparison, in: pair) { try write(folder: pair) }
            }
            return try sweep.write()
        }
        guard RunFile.exists(RunFile.comparison, in: folder) else { return try RunReport(folder: folder).write() }
        let comparison = try ComparisonReport(folder: folder)
        for (_, run) in comparison.runs { try run.write() }
        return try comparison.write()
    }
}
