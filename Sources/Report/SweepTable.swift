import Foundation

/// A sweep's results as the paper reports them, built from its run folders' `metrics.json`:
/// per method, each metric's mean and standard deviation over the seeds of each class, and
/// overall the mean over the classes; written as `results.md` and `results.json`.
///
/// **Which standard deviation.** The official code and the paper report means only (over the
/// seeds of a class, then over the classes). The standard deviations here are **sample**
/// standard deviations (dividing by n − 1) **over seeds**: for a class, of its runs' values;
/// overall, of each seed's mean over the classes, so it says how much the reported mean
/// changes from one seed to the next (not how much the classes differ). Fewer than two seeds
/// give none. The overall standard deviation uses the seeds that have a run of every class in
/// the mean, so a sweep still running shows it only once two seeds have finished every class.
public struct SweepTable: Sendable, Equatable {
    /// A mean and the sample standard deviation over seeds.
    public struct Statistic: Sendable, Equatable {
        /// The mean.
        public var mean: Double
        /// The sample standard deviation (n − 1) over seeds; `nil` with fewer than two seeds.
        public var standardDeviation: Double?
        /// The seeds the standard deviation is over.
        public var seeds: Int

        /// A statistic; see the properties.
        public init(mean: Double, standardDeviation: Double?, seeds: Int) {
            self.mean = mean
            self.standardDeviation = standardDeviation
            self.seeds = seeds
        }

        /// The mean and sample standard deviation of `values` (one per seed); `nil` for none.
        public init?(of values: [Double]) {
            guard !values.isEmpty else { return nil }
            let mean = values.reduce(0, +) / Double(values.count)
            let deviation =
                values.count > 1
                ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : nil
            self.init(mean: mean, standardDeviation: deviation, seeds: values.count)
        }
    }

    /// One run of the sweep and its metrics.
    public struct Run: Sendable, Equatable {
        /// Its class and seed.
        public var point: SweepPoint
        /// Its method.
        public var method: String
        /// Its folder relative to the sweep's.
        public var path: String
        /// Its `metrics.json`, or `nil` while it has not finished.
        public var metrics: [String: Double]?

        /// A run; see the properties.
        public init(point: SweepPoint, method: String, path: String, metrics: [String: Double]?) {
            self.point = point
            self.method = method
            self.path = path
            self.metrics = metrics
        }
    }

    /// One class of one method.
    public struct ClassRow: Sendable, Equatable {
        /// The class.
        public var normalClass: String
        /// Its finished runs.
        public var runs: Int
        /// Each metric's statistic over the class's finished runs.
        public var metrics: [String: Statistic]
    }

    /// One method's table.
    public struct MethodTable: Sendable, Equatable {
        /// The method.
        public var method: String
        /// One row per class of the sweep.
        public var classes: [ClassRow]
        /// Each metric over the classes: the mean of the class means, and the sample standard
        /// deviation over seeds of each seed's mean over the classes.
        public var overall: [String: Statistic]
        /// The classes in the overall mean of each metric.
        public var overallClasses: [String: Int]
    }

    /// The sweep's settings.
    public let settings: SweepSettings
    /// Every run, finished or not, class by class, seed by seed, method by method.
    public let runs: [Run]
    /// One table per method, in the sweep's order.
    public let methods: [MethodTable]

    /// The metrics ``markdown`` shows, where runs have them.
    public static let tableMetrics = ComparisonTable.tableMetrics

    /// The table of `runs` of the sweep `settings`.
    public init(settings: SweepSettings, runs: [Run]) {
        self.settings = settings
        self.runs = runs
        methods = settings.methods.map { method in
            let finished = runs.filter { $0.method == method }.compactMap { run in run.metrics.map { (point: run.point, metrics: $0) } }
            let keys = Set(finished.flatMap(\.metrics.keys)).sorted()
            let rows = settings.classes.map { normalClass in
                let ofClass = finished.filter { $0.point.normalClass == normalClass }
                let statistics = keys.reduce(into: [String: Statistic]()) { result, key in
                    result[key] = Statistic(of: settings.seeds.compactMap { seed in ofClass.first { $0.point.seed == seed }?.metrics[key] })
                }
                return ClassRow(normalClass: normalClass, runs: ofClass.count, metrics: statistics)
            }
            var overall: [String: Statistic] = [:]
            var overallClasses: [String: Int] = [:]
            for key in keys {
                let measured = rows.filter { $0.metrics[key] != nil }
                guard !measured.isEmpty else { continue }
                // Each seed's mean over the classes, from the seeds that have every one of them.
                let seedMeans = settings.seeds.compactMap { seed -> Double? in
                    let values = measured.compactMap { row in
                        finished.first { $0.point == SweepPoint(normalClass: row.normalClass, seed: seed) }?.metrics[key]
                    }
                    return values.count == measured.count ? values.reduce(0, +) / Double(values.count) : nil
                }
                let classMean = measured.reduce(0) { $0 + ($1.metrics[key]?.mean ?? 0) } / Double(measured.count)
                let spread = Statistic(of: seedMeans)
                overall[key] = Statistic(mean: classMean, standardDeviation: spread?.standardDeviation, seeds: seedMeans.count)
                overallClasses[key] = measured.count
            }
            return MethodTable(method: method, classes: rows, overall: overall, overallClasses: overallClasses)
        }
    }

    /// The finished runs.
    public var finishedRuns: Int { runs.filter { $0.metrics != nil }.count }

    /// A statistic as `0.8550 ± 0.0123` (the mean alone without a standard deviation), `–` for none.
    public static func format(_ statistic: Statistic?) -> String {
        guard let statistic else { return "–" }
        let mean = String(format: "%.4f", statistic.mean)
        return statistic.standardDeviation.map { "\(mean) ± \(String(format: "%.4f", $0))" } ?? mean
    }

    /// How the statistics are computed, in one sentence for the table's readers.
    public static let statisticsNote =
        "Mean ± sample standard deviation (n − 1) over seeds; the mean row is the mean over classes of the class means, "
        + "its ± the sample standard deviation over seeds of each seed's mean over the classes."

    /// `results.md`: a heading, the note on the statistics, and per method a table with a row
    /// per class (its finished runs and ``tableMetrics``) and the overall mean.
    public var markdown: String {
        let seeds = settings.seeds.map(String.init).joined(separator: ", ")
        var lines = [
            "# \(settings.command): \(settings.classes.count) classes × \(settings.seeds.count) seeds",
            "", "Seeds \(seeds); \(finishedRuns) of \(runs.count) runs finished. \(Self.statisticsNote)",
        ]
        for table in methods {
            let keys = Self.tableMetrics.filter { key in table.overall[key] != nil }
            lines += [
                "", "## \(table.method)", "",
                "| class | runs | " + keys.joined(separator: " | ") + " |",
                "|---|---|" + String(repeating: "---|", count: keys.count),
            ]
            for row in table.classes {
                lines.append("| \(row.normalClass) | \(row.runs) | " + keys.map { Self.format(row.metrics[$0]) }.joined(separator: " | ") + " |")
            }
            let total = table.classes.reduce(0) { $0 + $1.runs }
            lines.append("| mean | \(total) | " + keys.map { Self.format(table.overall[$0]) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `results.json`: the settings' command, classes and seeds, the note on the statistics,
    /// per method its class rows (`class`, `runs`, `metrics`) and `overall`, each metric as
    /// `mean`, `std` (`null` for none) and `seeds` (overall also `classes`), and every run with
    /// its `class`, `seed`, `method`, `folder` and `metrics` (`null` while unfinished).
    public func json() throws(ReportError) -> Data {
        func statistics(_ values: [String: Statistic], classes: [String: Int] = [:]) -> [String: Any] {
            var objects: [String: Any] = [:]
            for (key, value) in values {
                var object: [String: Any] = ["mean": value.mean, "std": value.standardDeviation ?? NSNull(), "seeds": value.seeds]
                object["classes"] = classes[key]
                objects[key] = object
            }
            return objects
        }
        let object: [String: Any] = [
            "command": settings.command,
            "classes": settings.classes,
            "seeds": settings.seeds.map { NSNumber(value: $0) },
            "statistics": Self.statisticsNote,
            "methods": methods.map { table -> [String: Any] in
                [
                    "method": table.method,
                    "classes": table.classes.map { ["class": $0.normalClass, "runs": $0.runs, "metrics": statistics($0.metrics)] as [String: Any] },
                    "overall": statistics(table.overall, classes: table.overallClasses),
                ]
            },
            "runs": runs.map { run -> [String: Any] in
                [
                    "class": run.point.normalClass, "seed": NSNumber(value: run.point.seed), "method": run.method, "folder": run.path,
                    "metrics": run.metrics ?? NSNull(),
                ]
            },
        ]
        do {
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        } catch {
            throw .writeFailed(path: RunFile.sweepResults, reason: error.localizedDescription)
        }
    }

    /// Writes `results.md` and `results.json` into `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        try RunFile.write(Data(markdown.utf8), to: RunFile.sweepTable, in: folder)
        try RunFile.write(try json(), to: RunFile.sweepResults, in: folder)
    }
}
