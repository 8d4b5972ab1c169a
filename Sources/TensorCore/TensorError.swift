/// An error thrown by a tensor operation whose arguments came from outside the library
/// (shapes from configuration, data from files, axes chosen by a caller).
///
/// Every case names the operation and says what was expected and what was found, so the
/// message alone tells a user how to fix the call.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The shapes of the operands do not fit together.
    case shapeMismatch(op: String, expected: String, found: [[Int]])
    /// An argument (axis, index, size, count) is out of its valid range.
    case invalidArgument(op: String, message: String)
    /// A gradient was requested for something that does not record gradients.
    case notDifferentiable(message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, found):
            let shapes = found.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
            return "\(op): expected \(expected), found shapes \(shapes.joined(separator: " and "))"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .notDifferentiable(message):
            return "gradients: \(message)"
        }
    }
}

/// Formats a shape the way error messages print it, e.g. `[2, 3]`.
func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
