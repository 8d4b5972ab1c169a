import Foundation
import Testing

/// A call that breaks an operation's precondition, and the message it must stop with.
///
/// Tensor operations stop the program on arguments that do not fit (see `TensorError`), so
/// each misuse runs in a child process (an exit test) and the test reads what it printed.
/// Cases are registered by name in a table (``Misuse/all``) because an exit test may capture
/// only values that can be encoded, such as the name.
struct Misuse: Sendable, CustomTestStringConvertible {
    /// What is wrong, e.g. "conv2d: rank-3 input"; unique in the table.
    let name: String
    /// Text the message must contain: the operation's name and what it expected or found.
    let message: [String]
    /// The call that must stop; it builds its own operands.
    let call: @Sendable () -> Void

    init(_ name: String, message: String..., call: @escaping @Sendable () -> Void) {
        self.name = name
        self.message = message
        self.call = call
    }

    var testDescription: String { name }

    /// Every misuse of this test target, by name.
    static let byName: [String: Misuse] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}

@Suite("Misused operations stop with a message that names the operation and the shapes")
struct MisuseTests {
    @Test("every table entry has a unique name")
    func uniqueNames() {
        #expect(Misuse.byName.count == Misuse.all.count)
    }

    @Test("the misuse stops the program with its message", arguments: Misuse.all.map(\.name))
    func stops(name: String) async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
            Misuse.byName[name]?.call()
        }
        let printed = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        let misuse = try #require(Misuse.byName[name])
        #expect(printed.contains("Fatal error: "), "\(name): \(printed)")
        for expected in misuse.message {
            #expect(printed.contains(expected), "\(name): expected “\(expected)” in \(printed)")
        }
    }
}

extension Misuse {
    /// The table: every misuse that the files of this target list.
    static let all: [Misuse] = core + kernels
}
