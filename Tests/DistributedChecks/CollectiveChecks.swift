import DistributedTraining
import Foundation
import NN
import TensorCore

/// The collectives against values computed by hand: with `W` processes, rank `r`
/// contributes `r + 1` times a pattern, so every sum is `W(W + 1)/2` times it.
func collectiveChecks(_ log: CheckLog) {
    let communicator = log.communicator
    let (rank, size) = (communicator.rank, communicator.worldSize)
    let triangle = Float(size * (size + 1) / 2)

    log.check("the communicator has the launcher's rank and size") {
        let launch = try LaunchEnvironment(environment: ProcessInfo.processInfo.environment)
        log.expect(
            launch?.worldSize ?? 1 == size && launch?.rank ?? 0 == rank,
            "launcher \(String(describing: launch)), communicator rank \(rank) of \(size)")
        log.expect(size == 1 || communicator is MPICommunicator, "expected MPI for \(size) processes, found \(type(of: communicator))")
    }

    log.check("all-reduce sums every element over the processes") {
        // Beyond one MPI chunk is not tested (4 GiB); several thousand values are.
        var values = (0..<5000).map { Float(rank + 1) * Float($0 % 7 + 1) }
        try communicator.allReduceSum(&values)
        let expected = (0..<5000).map { triangle * Float($0 % 7 + 1) }
        log.expect(values == expected, "all-reduce: first values \(values.prefix(8)), expected \(expected.prefix(8))")
    }

    log.check("broadcast from every root gives every process the root's values") {
        for root in 0..<size {
            var values = (0..<5).map { Float(rank * 10 + $0) }
            try communicator.broadcast(&values, from: root)
            log.expect(values == (0..<5).map { Float(root * 10 + $0) }, "broadcast from \(root): \(values)")
            let bytes = try communicator.broadcast(bytes: (0..<(100 + rank)).map { UInt8(($0 + rank) % 256) }, from: root)
            log.expect(bytes == (0..<(100 + root)).map { UInt8(($0 + root) % 256) }, "bytes from \(root): \(bytes.count) bytes")
        }
        var values: [Float] = [1]
        log.expect((try? communicator.broadcast(&values, from: size)) == nil, "a broadcast from rank \(size) of \(size) was accepted")
    }

    log.check("all-gather collects parts of different lengths in rank order") {
        let parts = try communicator.allGather([Float](repeating: Float(rank), count: rank + 1))
        log.expect(parts == (0..<size).map { [Float](repeating: Float($0), count: $0 + 1) }, "gathered \(parts)")
        try communicator.barrier()
    }

    log.check("a failure on the last process reaches every process") {
        struct LastProcessFailed: Error {}
        do {
            _ = try communicator.collectively("the check") { () throws -> Int in
                if rank == size - 1 { throw LastProcessFailed() }
                return rank
            }
            log.expect(false, "collectively: no error")
        } catch is LastProcessFailed {
            log.expect(rank == size - 1, "collectively: process \(rank) got the last process's own error")
        } catch let error as CommunicationError {
            log.expect(error == .peerFailed(operation: "the check", ranks: [size - 1]), "collectively: \(error)")
        }
    }

    log.check("agreement passes on equal records and names the processes that differ") {
        try communicator.requireAgreement(on: ["same": "1"], what: "options")
        do {
            try communicator.requireAgreement(on: ["same": "1", "rank": "\(rank)"], what: "options")
            log.expect(size == 1, "differing records were accepted")
        } catch let error as CommunicationError {
            let expected = (1..<size).map { "rank: 0 on process 0, \($0) on process \($0)" }
            log.expect(error == .disagreement(what: "options", differences: expected), "agreement: \(error)")
        }
    }

    log.check("gradients are summed in buckets, with the scalars, and the state is broadcast from rank 0") {
        var generator = SeededGenerator(seed: 100 + UInt64(rank))
        let net = Sequential(Linear(4, 3, using: &generator), Linear(3, 2, using: &generator))
        var gradients = net.trainableParameters.reduce(into: [String: Tensor]()) { result, entry in
            result[entry.name] = Tensor(shape: entry.parameter.value.shape, repeating: Float(rank + 1))
        }
        var scalars: [Float] = [Float(rank), 1]
        try communicator.allReduceSum(gradients: &gradients, of: net, carrying: &scalars, bucketCapacity: 5)
        log.expect(gradients.values.allSatisfy { $0.scalars.allSatisfy { $0 == triangle } }, "summed gradients \(gradients.mapValues(\.scalars))")
        log.expect(scalars == [Float(size * (size - 1) / 2), Float(size)], "summed scalars \(scalars)")
        try communicator.broadcastState(of: net, bucketCapacity: 5)
        var zeroGenerator = SeededGenerator(seed: 100)
        let rankZero = Sequential(Linear(4, 3, using: &zeroGenerator), Linear(3, 2, using: &zeroGenerator))
        log.expect(net.stateDict().mapValues(\.scalars) == rankZero.stateDict().mapValues(\.scalars), "the broadcast state differs from rank 0's")
    }
}
