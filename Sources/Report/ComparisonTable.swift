import FCDD
import Foundation
import TensorCore

/// `fcdd compare`'s table of methods: `comparison.json` (a list of objects with `method`,
/// `net` and the method's metrics) and `comparison.md` (image AUC, and pixel AUC and AU-PRO
/// where a method has them, one row per method).
public struct ComparisonTable: Sendable, Equatable {
    /// One method.
    public struct Row: Sendable, Equatable {
        /// The method's name, also the name of its run folder beside the table (`fcdd`, `hsc`, `ae`).
        public var method: String
        /// The net it trained.
        public var net: String
        /// Its metrics, as in its `metrics.json`'s evaluation part.
        public var metrics: [String: Double]

        /// A row; see the properties.
        public init(method: String, net: String, metrics: [String: Double]) {
            self.method = method
            self.net = net
            self.metrics = metrics
        }
    }

    /// The methods in order.
    public var rows: [Row]

    /// The metrics ``markdown`` shows, where a method has them.
    public static let tableMetrics = ["image_auroc", "pixel_auroc", "pixel_aupro"]

    /// A table of `rows`.
    public init(rows: [Row]) {
        self.rows = rows
    }

    /// One row per outcome: its objective, net and evaluation metrics.
    public init(_ outcomes: [RecipeOutcome]) {
        rows = outcomes.map { Row(method: $0.recipe.objective.rawValue, net: $0.netName, metrics: $0.evaluation.metrics) }
    }

    /// The metrics of ``tableMetrics`` that some method has.
    public var shownMetrics: [String] {
        Self.tableMetrics.filter { key in rows.contains { $0.metrics[key] != nil } }
    }

    /// `comparison.md`'s text.
    public var markdown: String {
        let keys = shownMetrics
        var lines = ["| method | net | " + keys.joined(separator: " | ") + " |", "|---|---|" + String(repeating: "---|", count: keys.count)]
        for row in rows {
            lines.append(
                "| \(row.method) | \(row.net) | " + keys.map { row.metrics[$0].map { String(format: "%.4f", $0) } ?? "–" }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `comparison.md` and `comparison.json` into `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        var list: [[String: Any]] = []
        for row in rows {
            var object: [String: Any] = ["method": row.method, "net": row.net]
            for (key, value) in row.metrics { object[key] = value }
            list.append(object)
        }
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys])
        } catch {
            throw .writeFailed(path: folder.appendingPathComponent(RunFile.comparison).path, reason: error.localizedDescription)
        }
        try RunFile.write(Data(markdown.utf8), to: RunFile.comparisonTable, in: folder)
        try RunFile.write(data, to: RunFile.comparison, in: folder)
    }

    /// The table in `folder`'s `comparison.json`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when it is not a list of
    ///   objects with a `method` (a plain folder name), a `net` and numbers.
    public static func read(from folder: URL) throws(ReportError) -> ComparisonTable? {
        guard let data = try RunFile.read(RunFile.comparison, in: folder) else { return nil }
        let path = folder.appendingPathComponent(RunFile.comparison).path
        let expected = "a JSON list of objects with a method (a folder name), a net and numbers"
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case let .array(items) = value else {
            throw .unreadableFile(path: path, expected: expected, found: "other text")
        }
        var rows: [Row] = []
        for (number, item) in items.enumerated() {
            guard case let .object(fields) = item, case let .string(method)? = fields["method"], case let .string(net)? = fields["net"],
                !method.isEmpty, method != ".", method != "..", !method.contains("/")
            else {
                throw .unreadableFile(path: path, expected: expected, found: "item \(number): \(item.text)")
            }
            var metrics: [String: Double] = [:]
            for (key, field) in fields where key != "method" && key != "net" {
                switch field {
                case let .number(value): metrics[key] = value
                case let .integer(value): metrics[key] = Double(value)
                case let .unsigned(value): metrics[key] = Double(value)
                default: throw .unreadableFile(path: path, expected: expected, found: "\(key) of \(method): \(field.text)")
                }
            }
            rows.append(Row(method: method, net: net, metrics: metrics))
        }
        return ComparisonTable(rows: rows)
    }
}
