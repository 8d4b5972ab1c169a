import NN

/// An error thrown by the Explain module: a map, mask, score list or figure setting that
/// does not fit. Every case says what was expected and what was found.
public enum ExplainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Tensors whose shapes do not fit together (a heatmap and its mask, a batch of maps).
    case shapeMismatch(operation: String, expected: String, found: [[Int]])
    /// A parameter is out of its valid range.
    case invalidArgument(operation: String, message: String)

    /// A net whose receptive field cannot be computed (a layer that is not a
    /// `SpatialModule`, an input too small for it, …).
    case geometry(SpatialGeometryError)

    // MARK: metrics
    /// A metric was given no scores at all.
    case emptyScores(operation: String)
    /// Scores and labels (or maps and masks) of different lengths.
    case countMismatch(operation: String, scores: Int, labels: Int)
    /// A label other than 0 (nominal) or 1 (anomalous), at position `index`.
    case invalidLabel(operation: String, index: Int, label: Int)
    /// A metric that needs both classes found none of class `label` (0 nominal, 1 anomalous).
    case missingClass(operation: String, label: Int)
    /// A NaN score at (flat) position `index`; NaN has no rank.
    case nanScore(operation: String, index: Int)

    // MARK: rendering
    /// A figure, PNG or SVG file could not be encoded or written to `path`; `reason` says why.
    case fileWriteFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, found):
            let shapes = found.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " and ")
            return "\(operation): expected \(expected), found shapes \(shapes)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        case let .geometry(error):
            return error.description
        // MARK: metrics
        case let .emptyScores(operation):
            return "\(operation): expected at least one score, found none"
        case let .countMismatch(operation, scores, labels):
            return "\(operation): expected one label per score, found \(scores) scores and \(labels) labels"
        case let .invalidLabel(operation, index, label):
            return "\(operation): expected labels 0 (nominal) or 1 (anomalous), found \(label) at index \(index)"
        case let .missingClass(operation, label):
            let name = label == 0 ? "nominal (label 0)" : "anomalous (label 1)"
            return "\(operation): expected both classes, found no \(name) element; the metric is undefined for one class"
        case let .nanScore(operation, index):
            return "\(operation): expected scores that are not NaN, found NaN at index \(index)"
        // MARK: rendering
        case let .fileWriteFailed(path, reason):
            return "\(path): cannot write the file: \(reason)"
        }
    }
}
