import Foundation
import Synchronization
import Testing

@testable import Datasets

@Suite("The budget shared by images decoded at once")
struct DecodingBudgetTests {
    @Test("threads that reserve at once never hold more than the budget together, and all finish")
    func concurrentReservationsStayWithinTheBudget() async throws {
        let budget = DecodingBudget()
        let maximum = 1000
        let holding = Mutex(0)
        let mostHeld = Mutex(0)
        // 8 threads × 6 reservations of 300 to 700 bytes: at most three of 300 fit at once.
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<6 {
                let bytes = 300 + 100 * ((thread + round) % 5)
                let result = try? budget.withReservation(of: bytes, maximum: maximum, file: "t\(thread)", describing: "test") {
                    () throws(DatasetError) -> Int in
                    let now = holding.withLock { held in
                        held += bytes
                        return held
                    }
                    mostHeld.withLock { $0 = max($0, now) }
                    Thread.sleep(forTimeInterval: 0.001)
                    holding.withLock { $0 -= bytes }
                    return bytes
                }
                #expect(result == bytes)
            }
        }
        #expect(mostHeld.withLock { $0 } <= maximum)
        #expect(budget.peakBytes <= maximum && budget.peakBytes >= 700)
        // Everything was returned: a reservation of the whole budget is granted at once.
        #expect(try budget.withReservation(of: maximum, maximum: maximum, file: "all", describing: "test") { () throws(DatasetError) in 1 } == 1)
    }

    @Test("a reservation larger than the whole budget is refused before it reserves anything")
    func oversizedReservation() throws {
        let budget = DecodingBudget()
        var thrown: DatasetError?
        do {
            _ = try budget.withReservation(of: 11, maximum: 10, file: "big.png", describing: "an image") { () throws(DatasetError) in 0 }
        } catch {
            thrown = error
        }
        guard case let .limitExceeded(file, limit, maximum, found)? = thrown else {
            Issue.record("expected limitExceeded, got \(String(describing: thrown))")
            return
        }
        #expect(file == "big.png" && limit == .decodingBytes && maximum == 10 && found.contains("11 bytes"))
        #expect(budget.peakBytes == 0)
    }
}
