import Explain
import Foundation

/// The report of an `fcdd compare` folder: the methods side by side. Its `report.html` has the
/// table of their metrics, their ROC, pixel ROC and PRO curves in one chart each, per method
/// the loss, the training and test scores and the Figure 1 layout, `comparison.png`, and links
/// to each method's own report (with its gallery).
///
/// It reads `comparison.json` and each method's run folder beside it (`fcdd/`, `hsc/`, `ae/`);
/// a method folder that is missing or not a run leaves that method's parts out.
public struct ComparisonReport: Sendable {
    /// The comparison folder.
    public let folder: URL
    /// `comparison.json`.
    public let table: ComparisonTable
    /// The method runs that could be read, in the table's order.
    public let runs: [(method: String, run: RunReport)]

    /// Reads `folder`'s table and its methods' runs.
    ///
    /// - Throws: ``ReportError/notARunFolder(path:found:)`` without a `comparison.json`,
    ///   ``ReportError/unreadableFile(path:expected:found:)`` for a file that is not what its
    ///   writer writes.
    public init(folder: URL) throws(ReportError) {
        guard let table = try ComparisonTable.read(from: folder) else {
            throw .notARunFolder(path: folder.path, found: RunReport.listing(of: folder))
        }
        self.folder = folder
        self.table = table
        var runs: [(method: String, run: RunReport)] = []
        for row in table.rows {
            let runFolder = folder.appendingPathComponent(row.method, isDirectory: true)
            guard RunFile.exists(RunFile.metrics, in: runFolder) else { continue }
            runs.append((row.method, try RunReport(folder: runFolder)))
        }
        self.runs = runs
    }

    /// The charts the report draws, as paths in the folder and charts: the curves of all
    /// methods together, then each method's training and test-score charts.
    public func charts() -> [(path: String, chart: LineChart)] {
        var charts: [(path: String, chart: LineChart)] = []
        let imageROC = runs.compactMap { entry in entry.run.curves?.imageROC.map { (name: entry.method.uppercased(), curve: $0) } }
        if !imageROC.isEmpty { charts.append(("\(RunFile.assets)/roc.svg", ReportCharts.roc(imageROC, title: "Image-level ROC"))) }
        let pixelROC = runs.compactMap { entry in entry.run.curves?.pixelROC.map { (name: entry.method.uppercased(), curve: $0) } }
        if !pixelROC.isEmpty { charts.append(("\(RunFile.assets)/pixel-roc.svg", ReportCharts.roc(pixelROC, title: "Pixel-level ROC"))) }
        let pro = runs.compactMap { entry in entry.run.curves?.pro.map { (name: entry.method.uppercased(), curve: $0) } }
        if !pro.isEmpty { charts.append(("\(RunFile.assets)/pro.svg", ReportCharts.pro(pro, title: "Per-region overlap"))) }
        for (method, run) in runs {
            let name = method.uppercased()
            if let history = run.history, !history.rows.isEmpty {
                charts.append(("\(RunFile.assets)/\(method)-loss.svg", ReportCharts.loss([(name, history)], title: "\(name): training loss")))
                charts.append(("\(RunFile.assets)/\(method)-training-scores.svg", ReportCharts.trainingScores(history, title: "\(name): mean training scores")))
            }
            if let scores = run.scores, let chart = ReportCharts.testScores(scores, threshold: run.threshold, title: "\(name): test scores") {
                charts.append(("\(RunFile.assets)/\(method)-test-scores.svg", chart))
            }
        }
        return charts
    }

    /// The page's HTML; it shows the charts of ``charts()`` from their files, and only the
    /// pictures and method reports that exist.
    public func html() -> String {
        let charts = Set(charts().map(\.path))
        var sections: [(id: String, heading: String, body: String)] = []

        let header = ["metric"] + table.rows.map { $0.method.uppercased() }
        let keys = MetricNames.known.map(\.key).filter { key in table.rows.contains { $0.metrics[key] != nil } }
        var body = "<table>\n<thead><tr>" + header.map { "<th>\(HTMLPage.text($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        body += "<tr><th scope=\"row\">net</th>" + table.rows.map { "<td>\(HTMLPage.text($0.net))</td>" }.joined() + "</tr>\n"
        for key in keys {
            let name = MetricNames.rows([key: 0]).first?.name ?? key
            body +=
                "<tr><th scope=\"row\">\(HTMLPage.text(name))</th>"
                + table.rows.map { row in
                    "<td>\(HTMLPage.text(row.metrics[key].map { MetricNames.rows([key: $0]).first?.value ?? "" } ?? "–"))</td>"
                }.joined() + "</tr>\n"
        }
        body += "</tbody>\n</table>"
        sections.append(("metrics", "Metrics", body))

        let overlays = ["roc.svg", "pixel-roc.svg", "pro.svg"].map { "\(RunFile.assets)/\($0)" }.filter(charts.contains)
        if !overlays.isEmpty {
            sections.append(
                (
                    "curves", "Detection and localisation",
                    "<div class=\"charts\">\n"
                        + overlays.map { HTMLPage.figure($0, caption: "All methods on the same test set.", alt: "chart \(($0 as NSString).lastPathComponent)") }
                        .joined(separator: "\n")
                        + "\n</div>"
                ))
        }

        var columns = "<div class=\"columns\">\n"
        for (method, run) in runs {
            let name = method.uppercased()
            columns += "<div class=\"method\">\n<h3>\(HTMLPage.text(name)) (\(HTMLPage.text(table.rows.first { $0.method == method }?.net ?? "")))</h3>\n"
            if RunFile.exists(RunFile.report, in: run.folder) {
                columns += "<p><a href=\"\(HTMLPage.link("\(method)/\(RunFile.report)"))\">Its report, with the gallery of test images</a></p>\n"
            }
            for chart in ["loss", "training-scores", "test-scores"] {
                let path = "\(RunFile.assets)/\(method)-\(chart).svg"
                if charts.contains(path) { columns += HTMLPage.figure(path, caption: "", alt: "\(name) \(chart) chart") + "\n" }
            }
            if RunFile.exists(RunFile.figure, in: run.folder) {
                columns +=
                    HTMLPage.figure(
                        "\(method)/\(RunFile.figure)", caption: "\(name): heatmaps in the Figure 1 layout.", alt: "\(name) heatmaps", className: "picture")
                    + "\n"
            }
            columns += "</div>\n"
        }
        columns += "</div>"
        if !runs.isEmpty { sections.append(("methods", "Methods side by side", columns)) }

        if RunFile.exists(RunFile.comparisonFigure, in: folder) {
            sections.append(
                (
                    "comparison", "Heatmaps of the same test images",
                    HTMLPage.figure(
                        RunFile.comparisonFigure,
                        caption: "The same anomalous test images under each method's heatmaps, each method's scaled with the same procedure.",
                        alt: "comparison figure", className: "picture")
                ))
        }
        let files = [RunFile.comparison, RunFile.comparisonTable, RunFile.comparisonFigure].filter { RunFile.exists($0, in: folder) }
        let missing = table.rows.map(\.method).filter { method in !runs.contains { $0.method == method } }
        var filesHTML = "<ul>\n" + files.map { "<li><a href=\"\(HTMLPage.link($0))\">\(HTMLPage.text($0))</a></li>" }.joined(separator: "\n") + "\n</ul>"
        if !missing.isEmpty {
            filesHTML += "\n<p class=\"note\">No run folder with a \(RunFile.metrics) for \(HTMLPage.text(missing.joined(separator: ", "))), so left out.</p>"
        }
        sections.append(("files", "Files", filesHTML))
        var subtitle = "<p class=\"subtitle\">Written by <code>fcdd compare</code>"
        if let first = runs.first { subtitle += "; the first method's run: \(HTMLPage.text(first.run.title))" }
        subtitle += ".</p>"
        let names = table.rows.map { $0.method.uppercased() }
        let title = names.count > 1 ? "\(names.dropLast().joined(separator: ", ")) and \(names.last ?? "") compared" : "Comparison \(folder.lastPathComponent)"
        return HTMLPage.document(title: title, subtitle: subtitle, sections: sections)
    }

    /// Draws the charts into `report/` and writes `report.html`, each file atomically;
    /// returns the page's URL. The methods' own reports are not written (``ReportWriter``
    /// writes both).
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    @discardableResult
    public func write() throws(ReportError) -> URL {
        try ReportCharts.write(charts(), in: folder)
        try RunFile.write(Data(html().utf8), to: RunFile.report, in: folder)
        return folder.appendingPathComponent(RunFile.report)
    }
}
