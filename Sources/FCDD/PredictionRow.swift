import Foundation

/// One image's line in a prediction table, as `fcdd predict` writes it to `predictions.csv`
/// and `predictions.jsonl`: the image's path, its score, the decision and the threshold that
/// gave it, the outputs written for it, and the error for an image that could not be scored.
public struct PredictionRow: Sendable, Equatable, Codable {
    /// The image's path as given (`ImageInput.path`).
    public var path: String
    /// The anomaly score; `nil` when the image could not be scored.
    public var score: Float?
    /// `score > threshold`; `nil` without a threshold or a score.
    public var isAnomalous: Bool?
    /// The decision threshold in effect; `nil` for none.
    public var threshold: Float?
    /// The heatmap overlay written for the image, relative to the output folder.
    public var overlay: String?
    /// The binary mask written for the image, relative to the output folder.
    public var mask: String?
    /// Why the image could not be scored; `nil` when it was.
    public var error: String?

    /// A row; see the properties.
    public init(
        path: String, score: Float? = nil, isAnomalous: Bool? = nil, threshold: Float? = nil, overlay: String? = nil, mask: String? = nil,
        error: String? = nil
    ) {
        self.path = path
        self.score = score
        self.isAnomalous = isAnomalous
        self.threshold = threshold
        self.overlay = overlay
        self.mask = mask
        self.error = error
    }

    /// The decision as written: `anomalous`, `nominal`, or `nil` (empty in CSV, `null` in JSON).
    public var decision: String? { isAnomalous.map { $0 ? "anomalous" : "nominal" } }

    /// The CSV header of ``csvRecord``.
    public static let csvHeader = "path,score,decision,threshold,overlay,mask,error"

    /// The row as a CSV record (RFC 4180: fields holding a comma, a quote or a line break are
    /// quoted, quotes doubled); numbers as Swift prints them, which read back to the same
    /// `Float`; missing values empty.
    public var csvRecord: String {
        [path, score.map { "\($0)" }, decision, threshold.map { "\($0)" }, overlay, mask, error]
            .map { Self.csvField($0 ?? "") }.joined(separator: ",")
    }

    /// The row as one line of JSON (no line break inside), every key present (`null` for a
    /// missing value), keys sorted.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and finite numbers always encode; scores are finite or the image has none.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private enum CodingKeys: String, CodingKey {
        case path, score, decision, threshold, overlay, mask, error
    }

    /// Writes every key, `null` for missing values, the decision as `anomalous` or `nominal`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(score, forKey: .score)
        try container.encode(decision, forKey: .decision)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(overlay, forKey: .overlay)
        try container.encode(mask, forKey: .mask)
        try container.encode(error, forKey: .error)
    }

    /// Reads a row written by ``encode(to:)``.
    ///
    /// - Throws: `DecodingError` for a missing path or a decision other than `anomalous`,
    ///   `nominal` or `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        score = try container.decodeIfPresent(Float.self, forKey: .score)
        switch try container.decodeIfPresent(String.self, forKey: .decision) {
        case "anomalous": isAnomalous = true
        case "nominal": isAnomalous = false
        case nil: isAnomalous = nil
        case let other?:
            throw DecodingError.dataCorruptedError(forKey: .decision, in: container, debugDescription: "expected anomalous, nominal or null, found \(other)")
        }
        threshold = try container.decodeIfPresent(Float.self, forKey: .threshold)
        overlay = try container.decodeIfPresent(String.self, forKey: .overlay)
        mask = try container.decodeIfPresent(String.self, forKey: .mask)
        error = try container.decodeIfPresent(String.self, forKey: .error)
    }
}
