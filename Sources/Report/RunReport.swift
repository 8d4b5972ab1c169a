import Explain
import Foundation
import TensorCore

/// The report of one run folder (`fcdd train` or `fcdd evaluate`, or any folder with a
/// `metrics.json`): a self-contained `report.html` beside the run's files, with the metrics,
/// the ROC, pixel ROC and PRO curves, the loss and the mean scores per epoch, the score
/// distributions, a training batch with its anomalies, the Figure 1 layout, a gallery of test
/// images with their heatmaps sorted by score (filterable to the misclassified ones), the
/// configuration and links to the files.
///
/// Everything is read from the folder's files, so a report can be built again at any time
/// (`fcdd report FOLDER`); a file that is missing leaves its section out. The charts are SVG
/// files drawn into `report/` each time; the pictures (PNG) are the run's own.
///
/// ```swift
/// let report = try RunReport(folder: URL(fileURLWithPath: "fcdd-output"))
/// let page = try report.write()          // fcdd-output/report.html
/// ```
public struct RunReport: Sendable {
    /// The run folder.
    public let folder: URL
    /// `metrics.json`.
    public let metrics: [String: Double]
    /// `report/run.json`, if written.
    public let runDescription: RunDescription?
    /// `config.json` flattened to dotted keys and their values as text, sorted; empty without one.
    public let configuration: [(key: String, value: String)]
    /// `history.csv`, if written.
    public let history: TrainingHistory?
    /// `curves.json`, if written.
    public let curves: EvaluationCurves?
    /// `scores.csv`, if written.
    public let scores: ScoreTable?

    /// Reads the run files of `folder`.
    ///
    /// - Throws: ``ReportError/notARunFolder(path:found:)`` without a `metrics.json`, and
    ///   ``ReportError/unreadableFile(path:expected:found:)`` for a file that is not what its
    ///   writer writes.
    public init(folder: URL) throws(ReportError) {
        guard let metrics = try MetricsFile.read(from: folder) else {
            throw .notARunFolder(path: folder.path, found: Self.listing(of: folder))
        }
        self.folder = folder
        self.metrics = metrics
        runDescription = try RunDescription.read(from: folder)
        configuration = try Self.readConfiguration(in: folder)
        history = try TrainingHistory.read(from: folder)
        curves = try EvaluationCurves.read(from: folder)
        scores = try ScoreTable.read(from: folder)
    }

    /// Up to five names in `folder`, sorted, and how many more there are, for errors.
    static func listing(of folder: URL) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return Array(names.prefix(5)) + (names.count > 5 ? ["and \(names.count - 5) more"] : [])
    }

    /// `config.json` flattened: nested objects as dotted keys, lists as comma-separated values.
    private static func readConfiguration(in folder: URL) throws(ReportError) -> [(key: String, value: String)] {
        guard let data = try RunFile.read(RunFile.configuration, in: folder) else { return [] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case .object = value else {
            throw .unreadableFile(path: folder.appendingPathComponent(RunFile.configuration).path, expected: "a JSON object", found: "other text")
        }
        return value.flattened()
    }

    /// The run's title: ``RunDescription/title``, else the objective, net, data and normal
    /// class of `config.json`, else the folder's name.
    public var title: String {
        if let title = runDescription?.title { return title }
        let values = Dictionary(configuration, uniquingKeysWith: { first, _ in first })
        if let objective = values["objective"], let net = values["net"], let dataset = values["dataset"] {
            return "\(objective.uppercased()) \(net), \(dataset)" + (values["normalClass"].map { ", nominal: \($0)" } ?? "")
        }
        return "Run \(folder.lastPathComponent)"
    }

    /// The decision threshold of `metrics.json`, if any.
    public var threshold: Double? { metrics["threshold"].flatMap { $0.isFinite ? $0 : nil } }

    /// The charts the report draws, as paths in the folder and charts.
    public func charts() -> [(path: String, chart: LineChart)] {
        var charts: [(path: String, chart: LineChart)] = []
        if let curve = curves?.imageROC {
            charts.append(("\(RunFile.assets)/roc.svg", ReportCharts.roc([("image level", curve)], title: "Image-level ROC")))
        }
        if let curve = curves?.pixelROC {
            charts.append(("\(RunFile.assets)/pixel-roc.svg", ReportCharts.roc([("pixel level", curve)], title: "Pixel-level ROC")))
        }
        if let curve = curves?.pro {
            charts.append(("\(RunFile.assets)/pro.svg", ReportCharts.pro([("PRO", curve)], title: "Per-region overlap")))
        }
        if let scores, let chart = ReportCharts.testScores(scores, threshold: threshold, title: "Test scores") {
            charts.append(("\(RunFile.assets)/test-scores.svg", chart))
        }
        if let history, !history.rows.isEmpty {
            charts.append(("\(RunFile.assets)/loss.svg", ReportCharts.loss([("loss", history)], title: "Training loss")))
            charts.append(("\(RunFile.assets)/training-scores.svg", ReportCharts.trainingScores(history, title: "Mean training scores")))
        }
        return charts
    }

    /// The page's HTML; it shows the charts of ``charts()`` from their files, and only the
    /// pictures that exist in the folder.
    public func html() -> String {
        let charts = charts().map(\.path)
        var sections: [(id: String, heading: String, body: String)] = []
        var missing: [String] = []
        sections.append(("metrics", "Metrics", metricsTable()))

        let curveCharts = charts.filter { ["roc.svg", "pixel-roc.svg", "pro.svg", "test-scores.svg"].contains(($0 as NSString).lastPathComponent) }
        if curveCharts.isEmpty {
            missing.append("curves (\(RunFile.curves), \(RunFile.scores))")
        } else {
            let captions = [
                "roc.svg": "Image-level ROC: true against false positive rate over all score thresholds.",
                "pixel-roc.svg": "Pixel-level ROC over every pixel of every test image, at each image's own size.",
                "pro.svg": "Mean per-region overlap against the false positive rate of nominal pixels, up to the AU-PRO's limit.",
                "test-scores.svg": "Distribution of the test scores per class" + (threshold == nil ? "." : ", with the decision threshold."),
            ]
            sections.append(
                (
                    "curves", "Detection and localisation",
                    "<div class=\"charts\">\n"
                        + curveCharts.map { path in
                            HTMLPage.figure(
                                path, caption: captions[(path as NSString).lastPathComponent] ?? "", alt: "chart \((path as NSString).lastPathComponent)")
                        }.joined(separator: "\n") + "\n</div>"
                ))
        }

        let trainingCharts = charts.filter { ["loss.svg", "training-scores.svg"].contains(($0 as NSString).lastPathComponent) }
        if trainingCharts.isEmpty {
            missing.append("training history (\(RunFile.history))")
        } else {
            let seconds = history?.rows.reduce(0) { $0 + $1.seconds } ?? 0
            sections.append(
                (
                    "training", "Training",
                    "<p class=\"note\">\(history?.rows.count ?? 0) epoch\(history?.rows.count == 1 ? "" : "s") in \(String(format: "%.1f", seconds)) s. "
                        + "The scores are the means over each epoch's training batches, anomalies included, in training mode.</p>\n<div class=\"charts\">\n"
                        + trainingCharts.map {
                            HTMLPage.figure(
                                $0,
                                caption: $0.hasSuffix("loss.svg")
                                    ? "Mean batch loss per epoch." : "Mean anomaly score of the nominal and the anomalous training samples per epoch.",
                                alt: "chart \(($0 as NSString).lastPathComponent)")
                        }.joined(separator: "\n")
                        + "\n</div>"
                ))
        }

        if RunFile.exists(RunFile.trainingBatch, in: folder) {
            sections.append(
                (
                    "training-batch", "A training batch",
                    "<p class=\"note\">The first batch of the first epoch as the net sees it: anomalies injected, augmented and preprocessed (each image min-max scaled for display), with the masks of the pixel-wise loss where there are masks.</p>\n"
                        + HTMLPage.figure(
                            RunFile.trainingBatch, caption: "Nominal samples and anomalies of one training batch.", alt: "training batch", className: "picture")
                ))
        } else {
            missing.append("training batch (\(RunFile.trainingBatch))")
        }

        if RunFile.exists(RunFile.figure, in: folder) {
            sections.append(
                (
                    "figure", "Heatmaps (the paper's Figure 1 layout)",
                    HTMLPage.figure(
                        RunFile.figure,
                        caption:
                            "Nominal and anomalous test images, their heatmaps (\(runDescription?.heatmapDisplay ?? "scaled together")) and the ground truth where masks exist.",
                        alt: "heatmap figure", className: "picture")
                ))
        } else {
            missing.append("heatmap figure (\(RunFile.figure))")
        }

        if let gallery = galleryHTML() {
            sections.append(("gallery", "Test images by score", gallery))
        } else {
            missing.append("gallery (\(RunFile.gallery), \(RunFile.scores))")
        }

        if !configuration.isEmpty {
            sections.append(("configuration", "Configuration", HTMLPage.table(configuration.map { (HTMLPage.text($0.key), HTMLPage.text($0.value)) })))
        } else {
            missing.append("configuration (\(RunFile.configuration))")
        }
        sections.append(("files", "Files", filesHTML(missing: missing)))

        let subtitle =
            "<p class=\"subtitle\">" + (runDescription.map { "Written by <code>\(HTMLPage.text($0.command))</code>. " } ?? "")
            + "All files the page shows are beside it in its folder.</p>"
        return HTMLPage.document(title: title, subtitle: subtitle, sections: sections)
    }

    /// The metrics table, the known metrics first with readable names.
    func metricsTable() -> String {
        HTMLPage.table(MetricNames.rows(metrics).map { (HTMLPage.text($0.name), HTMLPage.text($0.value)) })
    }

    /// The gallery section's body, or `nil` without a selection, scores or pictures.
    private func galleryHTML() -> String? {
        guard let selection = runDescription?.gallery, let scores else { return nil }
        let shown = selection.indices.filter { scores.records.indices.contains($0) && RunFile.exists(RunFile.galleryPicture($0), in: folder) }
        guard !shown.isEmpty else { return nil }
        let hasDecisions = scores.records.contains { $0.flagged != nil }
        let wrong = shown.filter { scores.records[$0].isMisclassified == true }.count
        var html = "<p class=\"note\">\(HTMLPage.text(selection.summary))"
        if shown.count < selection.indices.count { html += " \(selection.indices.count - shown.count) of their pictures are missing from the folder." }
        html += " Each picture shows the input and its heatmap over it (\(HTMLPage.text(runDescription?.heatmapDisplay ?? "scaled together")))"
        html +=
            "; a white outline marks the ground truth where the data set has masks. All scores are in <a href=\"\(HTMLPage.link(RunFile.scores))\">\(RunFile.scores)</a>.</p>\n"
        html += "<div class=\"controls\"><label>Show <select id=\"gallery-filter\">"
        html += "<option value=\"all\">all</option>"
        if hasDecisions { html += "<option value=\"misclassified\">misclassified only (\(wrong))</option>" }
        html += "<option value=\"nominal\">nominal only</option><option value=\"anomalous\">anomalous only</option></select></label>"
        html +=
            "<label>Order <select id=\"gallery-order\"><option value=\"descending\">highest score first</option><option value=\"ascending\">lowest score first</option></select></label>"
        html += "<span id=\"gallery-count\">\(shown.count) pictures</span></div>\n<div class=\"gallery\" id=\"gallery-cards\">\n"
        let prefix = Self.commonFolder(of: scores.records.map(\.name))
        for index in shown {
            let record = scores.records[index]
            let short = String(record.name.dropFirst(prefix.count))
            let misclassified = record.isMisclassified == true
            html +=
                "<figure class=\"card\(misclassified ? " misclassified" : "")\" data-index=\"\(index)\" data-label=\"\(record.label)\" data-score=\"\(record.score)\" data-misclassified=\"\(misclassified)\">"
            html += "<img src=\"\(HTMLPage.link(RunFile.galleryPicture(index)))\" alt=\"\(HTMLPage.text("test image \(short) and its heatmap"))\">"
            html += "<figcaption><span class=\"name\" title=\"\(HTMLPage.text(record.name))\">\(HTMLPage.text(short))</span>"
            html += "<span>score \(HTMLPage.score(record.score))</span>"
            html += "<span class=\"tag label-\(record.label)\">\(record.label == 1 ? "anomalous" : "nominal")</span>"
            if let flagged = record.flagged { html += "<span class=\"tag\">\(flagged ? "flagged" : "passed")</span>" }
            if misclassified { html += "<span class=\"tag wrong\">misclassified</span>" }
            html += "</figcaption></figure>\n"
        }
        return html + "</div>"
    }

    /// The longest folder path (ending in `/`) that every name starts with, so that the
    /// gallery can show names from where they differ (`MT_Blowhole/Imgs/exp1_num_4.jpg`
    /// rather than the data set's whole path); empty when they share none.
    static func commonFolder(of names: [String]) -> String {
        guard var prefix = names.first.map({ Substring($0) }) else { return "" }
        for name in names.dropFirst() {
            prefix = prefix.prefix(zip(prefix, name).prefix { $0 == $1 }.count)
        }
        guard let slash = prefix.lastIndex(of: "/") else { return "" }
        return String(prefix[...slash])
    }

    /// Links to the run's files that exist, and what the page leaves out.
    private func filesHTML(missing: [String]) -> String {
        let files = [
            RunFile.metrics, RunFile.scores, RunFile.curves, RunFile.history, RunFile.configuration, RunFile.model, RunFile.figure, RunFile.trainingBatch,
            RunFile.description,
        ]
        .filter { RunFile.exists($0, in: folder) }
        var html = "<ul>\n" + files.map { "<li><a href=\"\(HTMLPage.link($0))\">\(HTMLPage.text($0))</a></li>" }.joined(separator: "\n") + "\n</ul>"
        if !missing.isEmpty {
            html +=
                "\n<p class=\"note\">Not in this folder, so left out: \(HTMLPage.text(missing.joined(separator: "; "))). Rebuild the page with <code>fcdd report FOLDER</code>.</p>"
        }
        return html
    }

    /// Draws the charts into `report/` and writes `report.html`, each file atomically;
    /// returns the page's URL.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    @discardableResult
    public func write() throws(ReportError) -> URL {
        try ReportCharts.write(charts(), in: folder)
        try RunFile.write(Data(html().utf8), to: RunFile.report, in: folder)
        return folder.appendingPathComponent(RunFile.report)
    }
}
