import FixtureSupport
import Foundation
import Testing

extension Misuse {
    /// The table: every misuse that the files of this target list.
    static let all: [Misuse] = fcdd
    static let table = byName(all)
}

@Suite("Misused FCDD nets, losses and noise stop with a message that names the operation and what it found")
struct MisuseTests {
    @Test("the misuse stops the program with its message", arguments: Misuse.all.map(\.name))
    func stops(name: String) async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
            Misuse.table[name]?.call()
        }
        let printed = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        let misuse = try #require(Misuse.table[name])
        #expect(printed.contains("Fatal error: "), "\(name): \(printed)")
        for expected in misuse.message {
            #expect(printed.contains(expected), "\(name): expected “\(expected)” in \(printed)")
        }
    }
}
