import FixtureSupport
import Foundation
import Testing

extension Misuse {
    /// The table: every misuse that the files of this target list.
    static let all: [Misuse] = layers + losses
    static let table = byName(all)
}

@Suite("Misused layers and losses stop with a message that names the layer and what it found")
struct MisuseTests {
    @Test("the misuse stops the program with its message", arguments: Misuse.all.map(\.name))
    func stops(name: String) async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
            Misuse.table[name]?.call()
        }
        let problems = try #require(Misuse.table[name]).problems(withOutput: try #require(result).standardErrorContent)
        #expect(problems.isEmpty, "\(problems)")
    }
}
