import FCDD
import Foundation

/// One row of `scores.csv`: a test image, its label, its anomaly score and, where the model
/// has a threshold, its decision.
public struct ScoreRecord: Sendable, Equatable {
    /// The image's name (its file path for image folders and MVTec-AD).
    public var name: String
    /// 0 nominal, 1 anomalous.
    public var label: Int
    /// The anomaly score.
    public var score: Float
    /// Whether the score is above the threshold (flagged as anomalous); `nil` without one.
    public var flagged: Bool?

    /// A row; see the properties.
    public init(name: String, label: Int, score: Float, flagged: Bool?) {
        self.name = name
        self.label = label
        self.score = score
        self.flagged = flagged
    }

    /// Whether the decision differs from the label; `nil` without a decision.
    public var isMisclassified: Bool? { flagged.map { $0 != (label == 1) } }
}

/// `scores.csv`: `name,label,score` and, with a threshold, `anomalous` (`true` or `false`),
/// one row per test image in the test set's order; names are quoted as RFC 4180 says when
/// they hold a comma, a quote or a line break.
public struct ScoreTable: Sendable, Equatable {
    /// The rows, in test-set order.
    public var records: [ScoreRecord]

    /// A table of `records`.
    public init(records: [ScoreRecord]) {
        self.records = records
    }

    /// The rows of an evaluation, decided with `threshold` (score above it: anomalous) when
    /// there is one.
    public init(_ evaluation: AnomalyEvaluation, threshold: Float?) {
        records = evaluation.scores.indices.map { index in
            ScoreRecord(
                name: evaluation.names[index], label: evaluation.labels[index], score: evaluation.scores[index],
                flagged: threshold.map { evaluation.scores[index] > $0 })
        }
    }

    /// The file's text.
    public var csv: String {
        let hasDecisions = records.contains { $0.flagged != nil }
        var lines = ["name,label,score" + (hasDecisions ? ",anomalous" : "")]
        for record in records {
            lines.append("\(CSV.field(record.name)),\(record.label),\(record.score)" + (hasDecisions ? ",\(record.flagged ?? false)" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``csv`` to `scores.csv` in `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        try RunFile.write(Data(csv.utf8), to: RunFile.scores, in: folder)
    }

    /// The table in `folder`'s `scores.csv`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when the header or a
    ///   row is not as ``csv`` writes them.
    public static func read(from folder: URL) throws(ReportError) -> ScoreTable? {
        guard let data = try RunFile.read(RunFile.scores, in: folder) else { return nil }
        let path = folder.appendingPathComponent(RunFile.scores).path
        guard let text = String(data: data, encoding: .utf8), let rows = CSV.rows(text), let header = rows.first else {
            throw .unreadableFile(path: path, expected: "UTF-8 comma-separated values with a header", found: "no readable table")
        }
        guard header == ["name", "label", "score"] || header == ["name", "label", "score", "anomalous"] else {
            throw .unreadableFile(path: path, expected: "the header name,label,score[,anomalous]", found: header.joined(separator: ","))
        }
        var records: [ScoreRecord] = []
        for (number, row) in rows.dropFirst().enumerated() {
            let decision = row.count == 4 ? Bool(row[3]) : nil
            guard row.count == header.count, let label = Int(row[1]), label == 0 || label == 1,
                let score = Float(row[2]), !score.isNaN, row.count == 3 || decision != nil
            else {
                throw .unreadableFile(
                    path: path, expected: "rows of a name, a label 0 or 1, a score and true or false as the header says",
                    found: "row \(number + 2): \(row.joined(separator: ","))")
            }
            records.append(ScoreRecord(name: row[0], label: label, score: score, flagged: decision))
        }
        return ScoreTable(records: records)
    }
}
