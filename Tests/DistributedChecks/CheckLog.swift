import Foundation
import NN

/// The checks' outcome on one process: a failure is printed at once with the process's rank;
/// every process goes on with the next check, so that all of them still call the same
/// collectives in the same order.
final class CheckLog {
    let communicator: any Communicator
    private(set) var failures = 0

    init(communicator: any Communicator) { self.communicator = communicator }

    /// Records a failure unless `condition` holds.
    func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        failures += 1
        print("[process \(communicator.rank)] FAIL: \(message())")
    }

    /// Runs one check; an error it throws is a failure. Rank 0 prints its name and time.
    func check(_ name: String, _ body: () throws -> Void) {
        let start = Date()
        let before = failures
        do {
            try body()
        } catch {
            expect(false, "\(name): unexpected error \(error)")
        }
        if communicator.rank == 0 {
            print("\(failures == before ? "ok" : "FAILED") \(name) (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
        }
    }

    /// The failures of all processes together.
    func totalFailures() throws -> Int {
        var count = [Float(failures)]
        try communicator.allReduceSum(&count)
        return Int(count[0])
    }
}
