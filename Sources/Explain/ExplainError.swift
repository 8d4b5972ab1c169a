/// An error thrown by the Explain module: a map, mask, score list or figure setting that
/// does not fit. Every case says what was expected and what was found.
public enum ExplainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Tensors whose shapes do not fit together (a heatmap and its mask, a batch of maps).
    case shapeMismatch(operation: String, expected: String, found: [[Int]])
    /// A parameter is out of its valid range.
    case invalidArgument(operation: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, found):
            let shapes = found.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " and ")
            return "\(operation): expected \(expected), found shapes \(shapes)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        }
    }
}
