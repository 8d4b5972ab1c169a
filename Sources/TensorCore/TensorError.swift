/// What is wrong with the arguments of a tensor operation: shapes that do not fit together,
/// an axis or index out of range, a gradient asked of something that does not record one.
///
/// Every case names the operation and says what was expected and what was found, so the
/// message alone tells a user how to fix the call.
///
/// Tensor operations do not throw. Their arguments are code, not input, so a misuse stops the
/// program with this message, as `Array` does for an index out of range: `a + b` reads like
/// the formula. Where shapes come from outside (a file, a configuration), check them first:
/// ``Tensor/init(checkedShape:scalars:)``, ``Tensor/checkedReshaped(to:)``,
/// ``Tensor/checkedStack(_:alongAxis:)``, ``Tensor/checkedConcatenate(_:alongAxis:)`` and
/// ``Tensor/broadcastShape(_:_:)`` throw this error instead of stopping.
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

extension TensorError {
    /// Stops the program with this error's message, as a tensor operation called with
    /// arguments that do not fit does (see ``TensorError``): for layers and losses that check
    /// their own arguments the same way. Unlike `preconditionFailure`, the message is printed
    /// in optimised builds too.
    public func trap() -> Never {
        fatalError(description)
    }
}

/// Stops the program with `error`'s message (``TensorError/trap()``).
func stop(_ error: TensorError) -> Never {
    error.trap()
}

/// The value of `body`, or a stop with its error: how an operation that has a checked
/// (throwing) variant applies the same checks.
@inline(__always)
func orStop<T>(_ body: () throws(TensorError) -> T) -> T {
    do {
        return try body()
    } catch {
        stop(error)
    }
}

/// Formats a shape the way error messages print it, e.g. `[2, 3]`.
func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
