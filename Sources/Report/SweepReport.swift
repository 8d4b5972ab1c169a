import Foundation

/// The page of a sweep's folder: its table (mean ± standard deviation per class and overall,
/// per method), every run with its metrics and a link to its own report (and, with several
/// methods, to each pair's comparison), the sweep's settings and links to `results.md`,
/// `results.json` and `sweep.json`. Built from the run folders, so it can be built again at
/// any time (`fcdd report SWEEP_FOLDER`); runs not finished yet show as such.
public struct SweepReport: Sendable {
    /// The sweep's folder.
    public let folder: URL
    /// Its `sweep.json`.
    public let settings: SweepSettings
    /// Its table, from the run folders.
    public let table: SweepTable

    /// Reads the sweep in `folder`: its settings and its runs' metrics.
    ///
    /// - Throws: ``ReportError/notARunFolder(path:found:)`` without a `sweep.json`, and
    ///   ``ReportError/unreadableFile(path:expected:found:)`` for a file that is not what its
    ///   writer writes.
    public init(folder: URL) throws(ReportError) {
        guard let settings = try SweepSettings.read(from: folder) else {
            throw .notARunFolder(path: folder.path, found: RunReport.listing(of: folder))
        }
        try self.init(sweep: Sweep(folder: folder, settings: settings))
    }

    /// The report of `sweep` as its folders are now.
    init(sweep: Sweep) throws(ReportError) {
        folder = sweep.folder
        settings = sweep.settings
        table = try sweep.table()
    }

    /// The page's HTML.
    public func html() -> String {
        var sections: [(id: String, heading: String, body: String)] = []
        var results = "<p class=\"note\">\(HTMLPage.text(SweepTable.statisticsNote))</p>\n"
        for method in table.methods {
            if table.methods.count > 1 { results += "<h3>\(HTMLPage.text(method.method.uppercased()))</h3>\n" }
            let keys = SweepTable.tableMetrics.filter { method.overall[$0] != nil }
            results +=
                "<table class=\"sweep\">\n<thead><tr><th>class</th><th>runs</th>"
                + keys.map { "<th>\(HTMLPage.text(Self.name(of: $0)))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in method.classes {
                results +=
                    "<tr><th scope=\"row\">\(HTMLPage.text(row.normalClass))</th><td>\(row.runs)</td>"
                    + keys.map { "<td>\(HTMLPage.text(SweepTable.format(row.metrics[$0])))</td>" }.joined() + "</tr>\n"
            }
            results +=
                "<tr><th scope=\"row\">mean over classes</th><td>\(method.classes.reduce(0) { $0 + $1.runs })</td>"
                + keys.map { "<td><strong>\(HTMLPage.text(SweepTable.format(method.overall[$0])))</strong></td>" }.joined() + "</tr>\n"
            results += "</tbody>\n</table>\n"
            if keys.isEmpty { results += "<p class=\"note\">No run of \(HTMLPage.text(method.method)) has finished yet.</p>\n" }
        }
        sections.append(("results", "Results", results))
        sections.append(("runs", "Runs", runsHTML()))

        var settingsRows = [
            ("command", settings.command), ("classes", settings.classes.joined(separator: ", ")),
            ("seeds", settings.seeds.map(String.init).joined(separator: ", ")), ("methods", settings.methods.joined(separator: ", ")),
        ]
        settingsRows += settings.options.keys.sorted().map { ($0, settings.options[$0] ?? "") }
        sections.append(
            (
                "settings", "Settings",
                "<p class=\"note\">Every run of the sweep shares these options; running the sweep again with them continues it.</p>\n"
                    + HTMLPage.table(settingsRows.map { (HTMLPage.text($0.0), HTMLPage.text($0.1)) })
            ))

        let files = [RunFile.sweepTable, RunFile.sweepResults, RunFile.sweep].filter { RunFile.exists($0, in: folder) }
        sections.append(
            (
                "files", "Files",
                "<ul>\n" + files.map { "<li><a href=\"\(HTMLPage.link($0))\">\(HTMLPage.text($0))</a></li>" }.joined(separator: "\n") + "\n</ul>"
            ))

        let subtitle =
            "<p class=\"subtitle\">Written by <code>\(HTMLPage.text(settings.command))</code>: \(table.finishedRuns) of \(table.runs.count) runs finished"
            + " (\(HTMLPage.text(settings.methods.joined(separator: ", "))), classes \(HTMLPage.text(settings.classes.joined(separator: ", "))), seeds "
            + "\(settings.seeds.map(String.init).joined(separator: ", "))). Each run's own report is linked below.</p>"
        return HTMLPage.document(
            title: "Sweep: \(settings.command), \(settings.classes.count) classes × \(settings.seeds.count) seeds",
            subtitle: subtitle, sections: sections)
    }

    /// The table of runs: class, seed, method, the main metrics and links to the reports.
    private func runsHTML() -> String {
        let keys = SweepTable.tableMetrics.filter { key in table.runs.contains { $0.metrics?[key] != nil } }
        let compares = settings.methods.count > 1
        var html =
            "<table class=\"sweep-runs\">\n<thead><tr><th>class</th><th>seed</th>" + (compares ? "<th>method</th>" : "")
            + keys.map { "<th>\(HTMLPage.text(Self.name(of: $0)))</th>" }.joined() + "<th>report</th></tr></thead>\n<tbody>\n"
        for run in table.runs {
            html += "<tr><th scope=\"row\">\(HTMLPage.text(run.point.normalClass))</th><td>\(run.point.seed)</td>"
            if compares { html += "<td>\(HTMLPage.text(run.method))</td>" }
            let runFolder = folder.appendingPathComponent(run.path, isDirectory: true)
            guard let metrics = run.metrics else {
                let checkpoint = FileManager.default.fileExists(atPath: TrainingRun.checkpointURL(in: runFolder).path)
                html += "<td colspan=\"\(keys.count + 1)\" class=\"note\">not finished" + (checkpoint ? "; continues from its checkpoint" : "") + "</td></tr>\n"
                continue
            }
            html += keys.map { key in "<td>\(metrics[key].map { String(format: "%.4f", $0) } ?? "–")</td>" }.joined()
            var links: [String] = []
            if RunFile.exists(RunFile.report, in: runFolder) {
                links.append("<a href=\"\(HTMLPage.link("\(run.path)/\(RunFile.report)"))\">run</a>")
            }
            if compares, RunFile.exists(RunFile.report, in: folder.appendingPathComponent(run.point.path, isDirectory: true)) {
                links.append("<a href=\"\(HTMLPage.link("\(run.point.path)/\(RunFile.report)"))\">comparison</a>")
            }
            html += "<td>\(links.joined(separator: " · "))</td></tr>\n"
        }
        return html + "</tbody>\n</table>"
    }

    /// The readable name of metric `key`.
    private static func name(of key: String) -> String {
        MetricNames.rows([key: 0]).first?.name ?? key
    }

    /// Writes `results.md`, `results.json` and `report.html`, each file atomically; returns
    /// the page's URL. The runs' own reports are not written (``ReportWriter`` writes them too).
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    @discardableResult
    public func write() throws(ReportError) -> URL {
        try table.write(into: folder)
        try RunFile.write(Data(html().utf8), to: RunFile.report, in: folder)
        return folder.appendingPathComponent(RunFile.report)
    }
}
