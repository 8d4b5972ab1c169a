import FCDD
import Foundation

/// `history.csv`: one row per training epoch with its learning rate, mean batch loss, mean
/// anomaly score of the nominal and of the anomalous training samples, wall time and the part
/// of it spent waiting for data and in the training steps:
/// `epoch,learning_rate,loss,nominal_score,anomalous_score,seconds,data_seconds,step_seconds`,
/// epochs counted from 0. Files of earlier runs, without the last two columns, read with 0
/// for them.
public struct TrainingHistory: Sendable, Equatable {
    /// One epoch.
    public struct Row: Sendable, Equatable {
        /// The epoch (from 0).
        public var epoch: Int
        /// The learning rate used.
        public var learningRate: Double
        /// Mean batch loss.
        public var loss: Double
        /// Mean score of the nominal training samples (0 when the epoch had none).
        public var nominalScore: Double
        /// Mean score of the anomalous training samples (0 when the epoch had none, as for
        /// the autoencoder, which trains on nominal samples only).
        public var anomalousScore: Double
        /// Wall time of the epoch in seconds.
        public var seconds: Double
        /// Seconds of ``seconds`` spent waiting for the loader's batches (`EpochRecord.dataSeconds`).
        public var dataSeconds: Double
        /// Seconds of ``seconds`` spent in the training steps (`EpochRecord.stepSeconds`).
        public var stepSeconds: Double

        /// A row; see the properties.
        public init(
            epoch: Int, learningRate: Double, loss: Double, nominalScore: Double, anomalousScore: Double, seconds: Double,
            dataSeconds: Double = 0, stepSeconds: Double = 0
        ) {
            self.epoch = epoch
            self.learningRate = learningRate
            self.loss = loss
            self.nominalScore = nominalScore
            self.anomalousScore = anomalousScore
            self.seconds = seconds
            self.dataSeconds = dataSeconds
            self.stepSeconds = stepSeconds
        }
    }

    /// The epochs in order.
    public var rows: [Row]

    /// The columns, in the file's order.
    static let header = ["epoch", "learning_rate", "loss", "nominal_score", "anomalous_score", "seconds", "data_seconds", "step_seconds"]
    /// The columns of files written before the epoch time was split.
    static let earlierHeader = Array(header.prefix(6))

    /// A history of `rows`.
    public init(rows: [Row]) {
        self.rows = rows
    }

    /// The trainer's records.
    public init(_ records: [EpochRecord]) {
        rows = records.map {
            Row(
                epoch: $0.epoch, learningRate: Double($0.learningRate), loss: Double($0.loss),
                nominalScore: Double($0.nominalScore), anomalousScore: Double($0.anomalousScore), seconds: $0.seconds,
                dataSeconds: $0.dataSeconds, stepSeconds: $0.stepSeconds)
        }
    }

    /// The file's text.
    public var csv: String {
        let lines =
            [Self.header.joined(separator: ",")]
            + rows.map {
                "\($0.epoch),\(Float($0.learningRate)),\(Float($0.loss)),\(Float($0.nominalScore)),\(Float($0.anomalousScore)),\($0.seconds),"
                    + "\($0.dataSeconds),\($0.stepSeconds)"
            }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``csv`` to `history.csv` in `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        try RunFile.write(Data(csv.utf8), to: RunFile.history, in: folder)
    }

    /// The history in `folder`'s `history.csv`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when the header or a
    ///   row is not as ``csv`` writes them.
    public static func read(from folder: URL) throws(ReportError) -> TrainingHistory? {
        guard let data = try RunFile.read(RunFile.history, in: folder) else { return nil }
        let path = folder.appendingPathComponent(RunFile.history).path
        guard let text = String(data: data, encoding: .utf8), let table = CSV.rows(text), let header = table.first else {
            throw .unreadableFile(path: path, expected: "UTF-8 comma-separated values with a header", found: "no readable table")
        }
        guard header == Self.header || header == Self.earlierHeader else {
            throw .unreadableFile(path: path, expected: "the header " + Self.header.joined(separator: ","), found: header.joined(separator: ","))
        }
        var rows: [Row] = []
        for (number, fields) in table.dropFirst().enumerated() {
            let values = fields.dropFirst().compactMap(Double.init)
            guard fields.count == header.count, let epoch = Int(fields[0]), values.count == header.count - 1 else {
                throw .unreadableFile(
                    path: path, expected: "an epoch number and \(header.count - 1) numbers per row",
                    found: "row \(number + 2): \(fields.joined(separator: ","))")
            }
            let split = values.count > 5 ? (values[5], values[6]) : (0, 0)
            rows.append(
                Row(
                    epoch: epoch, learningRate: values[0], loss: values[1], nominalScore: values[2], anomalousScore: values[3], seconds: values[4],
                    dataSeconds: split.0, stepSeconds: split.1))
        }
        return TrainingHistory(rows: rows)
    }
}
