import Explain
import Foundation

/// The charts of the report pages, drawn from the run files as ``LineChart``s.
enum ReportCharts {
    /// ROC curves of one or more methods with the chance diagonal; the legend gives each AUC.
    static func roc(_ curves: [(name: String, curve: ROCCurve)], title: String) -> LineChart {
        var series = curves.enumerated().map { index, entry in
            LineChart.Series(
                name: "\(entry.name) (AUC \(String(format: "%.3f", entry.curve.areaUnderCurve)))",
                xs: entry.curve.falsePositiveRates, ys: entry.curve.truePositiveRates,
                color: LineChart.palette[index % LineChart.palette.count])
        }
        series.append(LineChart.Series(name: "chance", xs: [0, 1], ys: [0, 1], color: RGBColor(grey: 0.55), dashed: true))
        return LineChart(
            series: series, title: title, xLabel: "false positive rate", yLabel: "true positive rate",
            xRange: 0...1, yRange: 0...1, width: 440, height: 460)
    }

    /// PRO curves up to their FPR limit; the legend gives each normalised area.
    static func pro(_ curves: [(name: String, curve: PROCurve)], title: String) -> LineChart {
        let limit = curves.map(\.curve.fprLimit).max() ?? 0.3
        let series = curves.enumerated().map { index, entry in
            LineChart.Series(
                name: "\(entry.name) (AU-PRO \(String(format: "%.3f", entry.curve.normalizedArea)))",
                xs: entry.curve.falsePositiveRates, ys: entry.curve.overlaps,
                color: LineChart.palette[index % LineChart.palette.count])
        }
        return LineChart(
            series: series, title: title, xLabel: "false positive rate (up to \(limit))", yLabel: "per-region overlap",
            xRange: 0...limit, yRange: 0...1, width: 440, height: 460)
    }

    /// The mean batch loss per epoch of one or more runs.
    static func loss(_ histories: [(name: String, history: TrainingHistory)], title: String) -> LineChart {
        let series = histories.enumerated().map { index, entry in
            LineChart.Series(
                name: entry.name, xs: entry.history.rows.map { Double($0.epoch + 1) }, ys: entry.history.rows.map(\.loss),
                color: LineChart.palette[index % LineChart.palette.count])
        }
        return LineChart(series: series, title: title, xLabel: "epoch", yLabel: "mean batch loss", wholeNumberXTicks: true, width: 440, height: 400)
    }

    /// The mean score of the nominal and of the anomalous training samples per epoch (the
    /// anomalous line only where an epoch had anomalies).
    static func trainingScores(_ history: TrainingHistory, title: String) -> LineChart {
        let epochs = history.rows.map { Double($0.epoch + 1) }
        var series = [LineChart.Series(name: "nominal samples", xs: epochs, ys: history.rows.map(\.nominalScore), color: LineChart.palette[0])]
        if history.rows.contains(where: { $0.anomalousScore != 0 }) {
            series.append(LineChart.Series(name: "anomalous samples", xs: epochs, ys: history.rows.map(\.anomalousScore), color: LineChart.palette[3]))
        }
        return LineChart(series: series, title: title, xLabel: "epoch", yLabel: "mean anomaly score", wholeNumberXTicks: true, width: 440, height: 400)
    }

    /// Histograms (as step lines, each class's share of its images per bin) of the nominal
    /// and the anomalous test scores, with the threshold as a dashed vertical line.
    static func testScores(_ table: ScoreTable, threshold: Double?, title: String, bins: Int = 30) -> LineChart? {
        let scores = table.records.map { Double($0.score) }.filter(\.isFinite)
        guard let low = scores.min(), let high = scores.max() else { return nil }
        let width = high > low ? (high - low) / Double(bins) : 1
        var series: [LineChart.Series] = []
        var peak = 0.0
        for (label, name) in [(0, "nominal test images"), (1, "anomalous test images")] {
            let values = table.records.filter { $0.label == label }.map { Double($0.score) }.filter(\.isFinite)
            guard !values.isEmpty else { continue }
            var counts = [Double](repeating: 0, count: bins)
            for value in values { counts[min(bins - 1, max(0, Int((value - low) / width)))] += 1 }
            var xs: [Double] = [], ys: [Double] = []
            for (bin, count) in counts.enumerated() {
                let share = count / Double(values.count)
                peak = max(peak, share)
                xs += [low + Double(bin) * width, low + Double(bin + 1) * width]
                ys += [share, share]
            }
            series.append(
                LineChart.Series(
                    name: name, xs: [low] + xs + [xs.last ?? low], ys: [0] + ys + [0],
                    color: LineChart.palette[label == 0 ? 0 : 3]))
        }
        if let threshold, threshold.isFinite {
            series.append(
                LineChart.Series(
                    name: "threshold", xs: [threshold, threshold], ys: [0, max(peak, 0.01)],
                    color: RGBColor(grey: 0.3), dashed: true))
        }
        // Room above the highest bar, so that it does not run into the frame.
        return LineChart(
            series: series, title: title, xLabel: "anomaly score", yLabel: "share of the class's images",
            yRange: 0...(max(peak, 0.01) * 1.15), width: 440, height: 400)
    }

    /// Writes each chart as SVG to its path in `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    static func write(_ charts: [(path: String, chart: LineChart)], in folder: URL) throws(ReportError) {
        for (path, chart) in charts {
            let svg: String
            do {
                svg = try chart.svg()
            } catch {
                throw .writeFailed(path: folder.appendingPathComponent(path).path, reason: error.description)
            }
            try RunFile.write(Data(svg.utf8), to: path, in: folder)
        }
    }
}
