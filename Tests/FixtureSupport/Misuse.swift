/// A call that breaks an operation's precondition, and the text of the message it must stop
/// with.
///
/// Tensor operations, layers and losses stop the program on arguments that do not fit (see
/// `TensorError`), so each test target runs its misuses in child processes (exit tests) and
/// reads what they printed. Cases are looked up by name because an exit test may capture only
/// values that can be encoded, such as the name.
public struct Misuse: Sendable {
    /// What is wrong, e.g. "conv2d: rank-3 input"; unique within a test target's table.
    public let name: String
    /// Texts the message must contain: the operation's name and what it expected or found.
    public let message: [String]
    /// The call that must stop; it builds its own operands.
    public let call: @Sendable () -> Void

    /// A misuse named `name` whose message contains every text of `message`.
    public init(_ name: String, message: String..., call: @escaping @Sendable () -> Void) {
        self.name = name
        self.message = message
        self.call = call
    }

    /// The misuses of a table by name; traps on duplicate names.
    public static func byName(_ table: [Misuse]) -> [String: Misuse] {
        Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
    }

    /// What is wrong with `standardError`, the output of the child process that ran ``call``:
    /// empty when it shows a stop (`Fatal error: `) with every text of ``message``.
    public func problems(withOutput standardError: [UInt8]) -> [String] {
        let printed = String(decoding: standardError, as: UTF8.self)
        return (["Fatal error: "] + message).filter { !printed.contains($0) }.map { "\(name): expected “\($0)” in \(printed)" }
    }
}
