import Foundation
import Report
import Testing

@Suite("Comparison report")
struct ComparisonReportTests {
    /// A comparison folder: the fixture run copied as the `fcdd` and `hsc` methods, and an
    /// `ae` row without a folder.
    private func comparisonFolder() throws -> URL {
        let folder = temporaryDirectory("comparison")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let run = try ReportFixture.folder()
        for method in ["fcdd", "hsc"] { try FileManager.default.copyItem(at: run, to: folder.appendingPathComponent(method)) }
        let metrics = try #require(try MetricsFile.read(from: run))
        try ComparisonTable(rows: [
            .init(method: "fcdd", net: "FCDD_CNN28", metrics: metrics),
            .init(method: "hsc", net: "CNN28", metrics: metrics.mapValues { $0 / 2 }),
            .init(method: "ae", net: "AE28", metrics: ["image_auroc": 0.5]),
        ]).write(into: folder)
        return folder
    }

    @Test("the methods side by side: one table, curves of all methods in one chart, each method's charts and report")
    func sideBySide() throws {
        let folder = try comparisonFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try ReportWriter.write(folder: folder)
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<title>FCDD, HSC and AE compared</title>"))
        #expect(html.contains("<th>FCDD</th><th>HSC</th><th>AE</th>"))
        #expect(html.contains("<td>FCDD_CNN28</td><td>CNN28</td><td>AE28</td>"))
        #expect(html.contains("No run folder with a metrics.json for ae, so left out."))
        for link in ["fcdd/report.html", "hsc/report.html", "report/roc.svg", "report/pro.svg", "report/hsc-loss.svg", "fcdd/heatmaps.png"] {
            #expect(html.contains("\"\(link)\""), "\(link)")
        }
        for link in PageChecks.attributeValues("src", in: html) + PageChecks.attributeValues("href", in: html) {
            guard let target = PageChecks.target(of: link, in: folder) else { continue }
            #expect(FileManager.default.fileExists(atPath: target.path), "\(link)")
        }
        let roc = try Data(contentsOf: folder.appendingPathComponent("report/roc.svg"))
        #expect(PageChecks.svgProblem(roc) == nil)
        let text = String(decoding: roc, as: UTF8.self)
        #expect(text.contains("FCDD (AUC") && text.contains("HSC (AUC") && !text.contains("AE (AUC"))
        // The methods' own reports were written too.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("hsc/report.html").path))
        #expect(try ComparisonTable.read(from: folder)?.rows.map(\.method) == ["fcdd", "hsc", "ae"])
    }

    @Test("a comparison table naming a method outside its folder is refused")
    func methodOutsideTheFolder() throws {
        let folder = temporaryDirectory("comparison")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"[{"method": "../elsewhere", "net": "x", "image_auroc": 0.5}]"#.utf8).write(to: folder.appendingPathComponent(RunFile.comparison))
        #expect(throws: ReportError.self) { try ReportWriter.write(folder: folder) }
        try Data(#"[{"method": "fcdd", "net": "x", "image_auroc": "high"}]"#.utf8).write(to: folder.appendingPathComponent(RunFile.comparison))
        #expect(throws: ReportError.self) { try ComparisonReport(folder: folder) }
    }
}
