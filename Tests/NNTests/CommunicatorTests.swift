import Foundation
import TensorCore
import Testing

@testable import NN

// The communicator protocol's single-process implementation and the module helpers of
// data-parallel training (buckets, broadcasts, failure and agreement checks). The MPI
// implementation runs under mpirun in CI (Tests/DistributedChecks).

/// Rank 0 of two processes whose peer (rank 1) adds ones to every sum, and whose
/// broadcasts from rank 1 bring `peerValue` in every float: the transport of a second
/// process, in memory, recording the sizes of the sums.
private final class OnesPeerCommunicator: Communicator, @unchecked Sendable {
    let peerValue: Float
    private(set) var sumSizes: [Int] = []
    init(peerValue: Float) { self.peerValue = peerValue }

    var rank: Int { 0 }
    var worldSize: Int { 2 }
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicationError) {
        sumSizes.append(values.count)
        for index in values.indices { values[index] += 1 }
    }
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws(CommunicationError) {
        guard root == 1 else { return }
        let floats = bytes.bindMemory(to: Float.self)
        for index in floats.indices { floats[index] = peerValue }
    }
    func allGather(_ bytes: [UInt8]) throws(CommunicationError) -> [[UInt8]] { [bytes, bytes] }
    func barrier() throws(CommunicationError) {}
}

@Suite("Communicators and data-parallel helpers")
struct CommunicatorTests {
    static func makeNet() -> Sequential {
        var generator = SeededGenerator(seed: 3)
        return Sequential(Conv2d(1, 2, kernelSize: 3, using: &generator), BatchNorm2d(2), Flatten(), Linear(8, 3, using: &generator))
    }

    @Test("a single process is rank 0 of 1, and its collectives leave the data as it is")
    func singleProcess() throws {
        let communicator = SingleProcessCommunicator()
        #expect(communicator.rank == 0 && communicator.worldSize == 1)
        var values: [Float] = [1, -2, 3.5]
        try communicator.allReduceSum(&values)
        try communicator.broadcast(&values, from: 0)
        #expect(values == [1, -2, 3.5])
        #expect(try communicator.broadcast(bytes: [7, 8, 9], from: 0) == [7, 8, 9])
        #expect(try communicator.allGather(values) == [values])
        try communicator.barrier()
        #expect(throws: CommunicationError.invalidArgument(operation: "broadcast", message: "expected root 0 of a single process, found 1")) {
            try communicator.broadcast(&values, from: 1)
        }
        try communicator.requireAgreement(on: ["seed": "1"], what: "options")
    }

    @Test("collectively returns the value or rethrows the process's own error")
    func collectively() throws {
        let communicator = SingleProcessCommunicator()
        #expect(try communicator.collectively("adding") { 2 + 3 } == 5)
        #expect(throws: CocoaError(.fileNoSuchFile)) { try communicator.collectively("reading") { throw CocoaError(.fileNoSuchFile) } }
    }

    @Test("a peer's failure reaches the processes where the body succeeded")
    func peerFailure() throws {
        // The peer's flag: the ones it adds mark rank 1 (and, in this fake, rank 0) failed.
        let error = #expect(throws: CommunicationError.self) { try OnesPeerCommunicator(peerValue: 0).collectively("writing") { 1 } }
        #expect(error == .peerFailed(operation: "writing", ranks: [0, 1]))
        #expect(error?.description.contains("processes 0, 1 failed in writing") == true)
    }

    @Test("buckets are consecutive runs within the capacity, an oversized tensor alone")
    func buckets() {
        #expect(SingleProcessCommunicator.buckets(of: [3, 4, 2, 10, 1, 1], capacity: 7) == [0..<2, 2..<3, 3..<4, 4..<6])
        #expect(SingleProcessCommunicator.buckets(of: [3, 4], capacity: 100) == [0..<2])
        #expect(SingleProcessCommunicator.buckets(of: [], capacity: 5).isEmpty)
        #expect(SingleProcessCommunicator.buckets(of: [5, 5, 5], capacity: 1) == [0..<1, 1..<2, 2..<3])
    }

    @Test(
        "gradients are summed in buckets in parameter order, missing ones as zeros, the scalars in the last bucket",
        arguments: [1, 20, 40, defaultBucketCapacity])
    func gradientSum(capacity: Int) throws {
        let net = Self.makeNet()
        var generator = SeededGenerator(seed: 9)
        var gradients = net.trainableParameters.dropFirst().reduce(into: [String: Tensor]()) { result, entry in
            result[entry.name] = Tensor.randomNormal(shape: entry.parameter.value.shape, using: &generator)
        }
        let original = gradients
        var scalars: [Float] = [0.5, 2]
        let communicator = OnesPeerCommunicator(peerValue: 0)
        try communicator.allReduceSum(gradients: &gradients, of: net, carrying: &scalars, bucketCapacity: capacity)
        #expect(scalars == [1.5, 3])
        let counts = net.trainableParameters.map(\.parameter.value.scalarCount)
        #expect(communicator.sumSizes.reduce(0, +) == counts.reduce(0, +) + 2)
        #expect(communicator.sumSizes.dropLast().allSatisfy { $0 <= max(capacity, counts.max()!) })
        for (name, parameter) in net.trainableParameters {
            let summed = try #require(gradients[name])
            #expect(summed.shape == parameter.value.shape)
            let expected = original[name].map { $0 + 1 } ?? Tensor(shape: parameter.value.shape, repeating: 1)
            #expect(summed.scalars == expected.scalars, "\(name)")
        }
    }

    @Test("a gradient of the wrong shape is refused before anything is sent")
    func gradientShape() {
        let net = Self.makeNet()
        var gradients = ["0.weight": Tensor.zeros(shape: [3])]
        var scalars: [Float] = []
        let communicator = OnesPeerCommunicator(peerValue: 0)
        #expect(throws: CommunicationError.self) { try communicator.allReduceSum(gradients: &gradients, of: net, carrying: &scalars) }
        #expect(communicator.sumSizes.isEmpty)
    }

    @Test("broadcasting the state copies the root's parameters and buffers, in any bucket size", arguments: [1, 7, defaultBucketCapacity])
    func broadcastState(capacity: Int) throws {
        let net = Self.makeNet()
        try OnesPeerCommunicator(peerValue: 0.25).broadcastState(of: net, from: 1, bucketCapacity: capacity)
        for (name, tensor) in net.stateDict() {
            #expect(tensor.scalars.allSatisfy { $0 == 0.25 }, "\(name)")
        }
        // From this process's own rank nothing changes.
        let other = Self.makeNet()
        let before = other.stateDict()
        try OnesPeerCommunicator(peerValue: 0.25).broadcastState(of: other, from: 0)
        #expect(other.stateDict().mapValues(\.scalars) == before.mapValues(\.scalars))
    }

    @Test("agreement passes on equal records and names every differing field")
    func agreement() throws {
        /// Process 1 of two whose rank 0 holds `zero`.
        final class Gathering: Communicator, @unchecked Sendable {
            let zero: [UInt8]
            init(zero: [UInt8]) { self.zero = zero }
            var rank: Int { 1 }
            var worldSize: Int { 2 }
            func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicationError) {}
            func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws(CommunicationError) {}
            func allGather(_ bytes: [UInt8]) throws(CommunicationError) -> [[UInt8]] { [zero, bytes] }
            func barrier() throws(CommunicationError) {}
        }
        let record = ["seed": "1", "data": "fashion-mnist class 0"]
        // The encoding of rank 0's record, as the all-gather carries it: sorted "key\0value\0" pairs.
        let zero = Array("data\0fashion-mnist class 0\0seed\02\0extra\0x\0".utf8)
        let error = #expect(throws: CommunicationError.self) { try Gathering(zero: zero).requireAgreement(on: record, what: "options") }
        #expect(error == .disagreement(what: "options", differences: ["extra: x on process 0, (none) on process 1", "seed: 2 on process 0, 1 on process 1"]))
        try Gathering(zero: Array("data\0fashion-mnist class 0\0seed\01\0".utf8)).requireAgreement(on: record, what: "options")
    }
}
