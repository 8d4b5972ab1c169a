import FixtureSupport
import Foundation
import Testing

extension Misuse {
    /// The table: every misuse that the files of this target list.
    static let all: [Misuse] = core + kernels
    static let table = byName(all)
}

@Suite("Misused operations stop with a message that names the operation and the shapes")
struct MisuseTests {
    @Test("the misuse stops the program with its message", arguments: Misuse.all.map(\.name))
    func stops(name: String) async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
            Misuse.table[name]?.call()
        }
        let problems = try #require(Misuse.table[name]).problems(withOutput: try #require(result).standardErrorContent)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("a child's output without the stop or without an expected text is a problem")
    func problemsAreFound() {
        let misuse = Misuse("probe", message: "add: ", "[2, 3]") {}
        #expect(misuse.problems(withOutput: Array("Fatal error: add: found shapes [2, 3] and [4]".utf8)).isEmpty)
        #expect(misuse.problems(withOutput: Array("Fatal error: add: found shapes [4]".utf8)).count == 1)
        #expect(misuse.problems(withOutput: Array("add: [2, 3] (but no stop)".utf8)).count == 1)
    }
}
