import Explain
import FCDD
import Foundation
import Testing

@testable import Report

@Suite("Run report: structure")
struct RunReportStructureTests {
    @Test("the page has every section, links only to files that exist, and its SVG charts are well-formed")
    func sectionsAndLinks() throws {
        let folder = try ReportFixture.folder()
        let html = try String(contentsOf: folder.appendingPathComponent(RunFile.report), encoding: .utf8)
        for id in ["metrics", "curves", "training", "training-batch", "figure", "gallery", "configuration", "files"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        for tag in ["section", "figure", "div", "table", "select", "p", "script", "style"] {
            let balance = PageChecks.balance(of: tag, in: html)
            #expect(balance.opened == balance.closed && balance.opened > 0, "<\(tag)>: \(balance)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"))
        // The recipe run calibrated the model, so its pictures use its fixed heatmap scale.
        #expect(html.contains("the model&#39;s fixed scale") || html.contains("the model's fixed scale"))
        // Self-contained: nothing from the network, no external scripts, styles or fonts.
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<link") && !html.contains("<script src"))
        #expect(!html.contains("@import") && !html.contains("url("))

        let sources = PageChecks.attributeValues("src", in: html)
        let links = PageChecks.attributeValues("href", in: html)
        #expect(sources.count > 10)
        for link in sources + links {
            guard let target = PageChecks.target(of: link, in: folder) else { continue }
            #expect(FileManager.default.fileExists(atPath: target.path), "\(link) → \(target.path)")
        }
        for chart in ["roc", "pixel-roc", "pro", "test-scores", "loss", "training-scores"] {
            let path = "\(RunFile.assets)/\(chart).svg"
            #expect(sources.contains(path), "\(path) is shown")
            let data = try Data(contentsOf: folder.appendingPathComponent(path))
            #expect(PageChecks.svgProblem(data) == nil, "\(path): \(PageChecks.svgProblem(data) ?? "")")
        }
        // Every gallery picture of the selection is a card, in the selection's order.
        let description = try #require(try RunDescription.read(from: folder))
        let gallery = try #require(description.gallery)
        #expect(gallery.indices.count == 10 && gallery.summary.hasPrefix("All 10 test images"))
        #expect(sources.filter { $0.hasPrefix(RunFile.gallery) } == gallery.indices.map(RunFile.galleryPicture))
        #expect(html.components(separatedBy: "class=\"card").count - 1 == 10)
    }

    @Test("file names, folder names and titles reach the page and the charts only escaped")
    func escaping() throws {
        let folder = try ReportFixture.folder()
        let html = try String(contentsOf: folder.appendingPathComponent(RunFile.report), encoding: .utf8)
        #expect(!html.contains("<img src=x") && !html.contains("<b>bold"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;spots&quot;"))
        #expect(html.contains("0 &lt;b&gt;bold.png"))
        #expect(html.contains("1 &#39;quote&#39; &amp; &quot;double&quot;.png"))
        #expect(html.contains("<title>FCDD on &lt;the&gt; &quot;tricky&quot; &amp; folder</title>"))
        // The names come back whole from the attributes (the gallery's title attributes).
        let titles = Set(PageChecks.attributeValues("title", in: html).map { URL(fileURLWithPath: $0).lastPathComponent })
        for name in TrickyNames.files { #expect(titles.contains("\(name).png"), "\(name)") }
        // Links percent-encode what a URL would read as a query, a fragment or an escape.
        #expect(PageChecks.attributeValues("href", in: html).allSatisfy { !$0.contains("?") && !$0.dropFirst().contains("#") })
        #expect(HTMLPage.link("javascript:alert(1)/report.html") == "javascript%3Aalert(1)/report.html", "a colon cannot start a scheme")
        #expect(HTMLPage.link("a b/#1?&.png") == "a%20b/%231%3F&amp;.png")
        let scores = try #require(try ScoreTable.read(from: folder))
        #expect(Set(scores.records.map { URL(fileURLWithPath: $0.name).deletingPathExtension().lastPathComponent }).isSuperset(of: TrickyNames.files))
    }

    @Test("the run's files read back as written: metrics, scores, history, curves, description")
    func runFiles() throws {
        let folder = try ReportFixture.folder()
        let report = try RunReport(folder: folder)
        #expect(report.title == "FCDD on <the> \"tricky\" & folder")
        #expect(report.history?.rows.count == 2)
        let curves = try #require(report.curves)
        let image = try #require(curves.imageROC), pixel = try #require(curves.pixelROC), pro = try #require(curves.pro)
        #expect(image.areaUnderCurve == report.metrics["image_auroc"])
        #expect(pixel.areaUnderCurve == report.metrics["pixel_auroc"] && pro.normalizedArea == report.metrics["pixel_aupro"])
        #expect(image.thresholds.first == .infinity && pro.fprLimit == 0.3)
        #expect(report.scores?.records.count == 10 && report.scores?.records.allSatisfy { $0.flagged != nil } == true)
        #expect(report.configuration.contains { $0.key == "training.seed" && $0.value == "18446744073709551615" })
        #expect(report.configuration.contains { $0.key == "training.nesterov" && $0.value == "true" })
        #expect(report.configuration.contains { $0.key == "training.epochs" && $0.value == "2" })
        // The written curves file reads back to the same curves, written again to the same bytes.
        let copy = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: copy) }
        try curves.write(into: copy)
        #expect(try EvaluationCurves.read(from: copy) == curves)
        #expect(try Data(contentsOf: copy.appendingPathComponent(RunFile.curves)) == Data(contentsOf: folder.appendingPathComponent(RunFile.curves)))
    }

    @Test("rows with commas, quotes and line breaks in names survive scores.csv; histories survive history.csv")
    func tables() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = [
            ScoreRecord(name: "plain.png", label: 0, score: 0.25, flagged: false),
            ScoreRecord(name: "a,b.png", label: 1, score: 1.5e-7, flagged: true),
            ScoreRecord(name: "say \"hi\", twice\nplease.png", label: 1, score: -3, flagged: false),
            ScoreRecord(name: "", label: 0, score: .infinity, flagged: true),
        ]
        try ScoreTable(records: records).write(into: folder)
        #expect(try ScoreTable.read(from: folder)?.records == records)
        let undecided = records.map { ScoreRecord(name: $0.name, label: $0.label, score: $0.score, flagged: nil) }
        try ScoreTable(records: undecided).write(into: folder)
        #expect(try ScoreTable.read(from: folder)?.records == undecided)
        #expect(records.map(\.isMisclassified) == [false, false, true, true])

        let history = TrainingHistory(rows: [.init(epoch: 0, learningRate: 0.01, loss: 1.5, nominalScore: 0.25, anomalousScore: 2, seconds: 1.25)])
        try history.write(into: folder)
        #expect(try TrainingHistory.read(from: folder) == history)
        try MetricsFile.write(["image_auroc": 0.75, "epochs": 3], into: folder)
        #expect(try MetricsFile.read(from: folder) == ["image_auroc": 0.75, "epochs": 3])
        #expect(throws: ReportError.self) { try MetricsFile.write(["threshold": .infinity], into: folder) }
    }

    @Test("gallery names are shown from the folder where they start to differ")
    func galleryNames() throws {
        #expect(RunReport.commonFolder(of: ["/d/tiles/MT_Free/Imgs/a.jpg", "/d/tiles/MT_Crack/Imgs/b.jpg"]) == "/d/tiles/")
        #expect(RunReport.commonFolder(of: ["/d/x/a1.png", "/d/x/a2.png"]) == "/d/x/")
        #expect(RunReport.commonFolder(of: ["Fashion-MNIST/test[1]", "Fashion-MNIST/test[10]"]) == "Fashion-MNIST/")
        #expect(RunReport.commonFolder(of: ["a.png", "b.png"]) == "" && RunReport.commonFolder(of: []) == "")
        let html = try String(contentsOf: try ReportFixture.folder().appendingPathComponent(RunFile.report), encoding: .utf8)
        #expect(html.contains(">good/"), "nominal test images show their folder")
    }

    @Test("the gallery shows the highest and lowest scores and the misclassified ones farthest from the threshold")
    func gallerySelection() {
        // Scores 0...99; label 1 from 50 on; threshold 59.5 flags 60...99, so 50...59 are
        // missed anomalies, and nominal 40...49 are flagged with a lower threshold below.
        let records = (0..<100).map { ScoreRecord(name: "\($0)", label: $0 >= 50 ? 1 : 0, score: Float($0), flagged: $0 >= 60) }
        let selection = GallerySelection.choose(records, threshold: 59.5, extremes: 5, misclassified: 4)
        #expect(selection.indices == [99, 98, 97, 96, 95, 53, 52, 51, 50, 4, 3, 2, 1, 0])
        #expect(
            selection.summary
                == "The 5 highest- and 5 lowest-scoring of 100 test images and the 4 of 10 misclassified ones farthest from the threshold (threshold 59.5): 14 pictures."
        )
        let all = GallerySelection.choose(records, threshold: 59.5, extremes: 5, misclassified: 10)
        #expect(all.indices.count == 20 && all.summary.contains("and all 10 misclassified ones"))
        let small = GallerySelection.choose(Array(records.prefix(6)), threshold: nil, extremes: 5)
        #expect(small.indices == [5, 4, 3, 2, 1, 0] && small.summary == "All 6 test images, none misclassified: 6 pictures.")
        let undecided = records.map { ScoreRecord(name: $0.name, label: $0.label, score: $0.score, flagged: nil) }
        #expect(
            GallerySelection.choose(undecided, threshold: nil, extremes: 2).summary == "The 2 highest- and 2 lowest-scoring of 100 test images: 4 pictures.")
    }
}

@Suite("Run report: missing and broken files")
struct RunReportFileTests {
    @Test("missing optional files leave their sections out; the page still links only to what exists")
    func missingFiles() throws {
        let folder = try ReportFixture.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in [RunFile.history, RunFile.curves, RunFile.configuration, RunFile.figure, RunFile.assets, RunFile.report] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        let page = try ReportWriter.write(folder: folder)
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<section id=\"metrics\">") && html.contains("<section id=\"files\">"))
        // The score distribution still comes from scores.csv; the rest is gone.
        #expect(html.contains("<section id=\"curves\">") && html.contains("test-scores.svg") && !html.contains("roc.svg"))
        for id in ["training", "training-batch", "figure", "gallery", "configuration"] { #expect(!html.contains("<section id=\"\(id)\">"), "\(id)") }
        #expect(html.contains("Not in this folder, so left out"))
        for link in PageChecks.attributeValues("src", in: html) + PageChecks.attributeValues("href", in: html) {
            guard let target = PageChecks.target(of: link, in: folder) else { continue }
            #expect(FileManager.default.fileExists(atPath: target.path), "\(link)")
        }
        // Only metrics.json: a page with the metrics.
        for name in [RunFile.scores, RunFile.model, "checkpoint.safetensors"] { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent(RunFile.assets))
        let bare = try String(contentsOf: try ReportWriter.write(folder: folder), encoding: .utf8)
        #expect(bare.contains("Image ROC AUC") && !bare.contains("<img"))
    }

    @Test("a folder that is not a run, and files that are not what their writer writes, are typed errors")
    func errors() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        #expect(throws: ReportError.notARunFolder(path: folder.path, found: ["notes.txt"])) { try ReportWriter.write(folder: folder) }
        let missing = folder.appendingPathComponent("nowhere")
        #expect(throws: ReportError.notARunFolder(path: missing.path, found: ["nothing: no such folder"])) { try ReportWriter.write(folder: missing) }
        #expect(
            ReportError.notARunFolder(path: "/r", found: []).description.contains(
                "expected metrics.json (written by fcdd train and fcdd evaluate) or comparison.json"))

        func readError(_ file: String, _ contents: String) -> ReportError? {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(file))
            try? Data(contents.utf8).write(to: folder.appendingPathComponent(file))
            do {
                _ = try RunReport(folder: folder)
                return nil
            } catch {
                return error
            }
        }
        #expect(
            readError(RunFile.metrics, "{\"image_auroc\": \"high\"}")?.description.contains(
                "metrics.json: expected a JSON object of numbers, found a value of another type than Double at image_auroc") == true)
        #expect(readError(RunFile.metrics, "not json") != nil)
        _ = readError(RunFile.metrics, "{\"image_auroc\": 0.5}")
        #expect(readError(RunFile.scores, "name,label,score\nx.png,2,0.5\n")?.description.contains("row 2: x.png,2,0.5") == true)
        #expect(readError(RunFile.scores, "file,score\n")?.description.contains("found file,score") == true)
        #expect(readError(RunFile.scores, "name,label,score\n\"open,0,1\n") != nil)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(RunFile.scores))
        #expect(readError(RunFile.history, "epoch,loss\n0,1\n")?.description.contains("history.csv: expected the header epoch,learning_rate") == true)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(RunFile.history))
        let badCurve = #"{"image_roc": {"auc": 0.5, "false_positive_rates": [0, 2], "true_positive_rates": [0, 1], "thresholds": [null, 1]}}"#
        #expect(readError(RunFile.curves, badCurve)?.description.contains("image_roc: rates in [0, 1]") == true)
        let shortCurve = #"{"pro": {"fpr_limit": 0.3, "normalized_area": 0.5, "false_positive_rates": [0, 1], "overlaps": [0], "thresholds": [null, 1]}}"#
        #expect(readError(RunFile.curves, shortCurve)?.description.contains("pro: at least two points") == true)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(RunFile.curves))
        #expect(readError(RunFile.configuration, "[1, 2]")?.description.contains("config.json: expected a JSON object") == true)
    }
}
