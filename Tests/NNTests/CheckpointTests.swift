import Foundation
import NN
import TensorCore
import Testing

// Model files and training checkpoints: bit-exact round trips, resuming gives exactly the
// run that was never interrupted, and every mismatch or corruption throws a typed error
// before anything is changed.

@Suite("Model files and training checkpoints")
struct CheckpointTests {
    /// A small conv net with batch norm (so there are buffers) and a linear head.
    static func makeNet(seed: UInt64) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        return Sequential(
            Conv2d(1, 3, kernelSize: 3, padding: 1, using: &generator),
            BatchNorm2d(3, epsilon: 1e-4),
            LeakyReLU(),
            MaxPool2d(kernelSize: 2),
            Flatten(),
            Linear(3 * 2 * 2, 2, using: &generator))
    }

    static let input = batches(count: 1, seed: 99)[0]

    static func batches(count: Int, seed: UInt64) -> [Tensor] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Tensor.randomNormal(shape: [4, 1, 4, 4], using: &generator) }
    }

    static func trainingStep(_ net: Sequential, _ optimizer: inout some Optimizer, _ batch: Tensor) throws {
        let loss = Loss.crossEntropy(net(batch), labels: [0, 1, 1, 0])
        try optimizer.step(net, gradients: net.gradients(of: loss))
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-tests-\(UUID().uuidString)-\(name)")
    }

    static func bits(_ state: [String: Tensor]) -> [String: [UInt32]] {
        state.mapValues { $0.scalars.map(\.bitPattern) }
    }

    @Test("a saved model loads bit-exactly into a differently initialised one")
    func modelRoundTrip() throws {
        let net = try Self.makeNet(seed: 1)
        var optimizer = try SGD(learningRate: 0.1, momentum: 0.9)
        for _ in 0..<3 { try Self.trainingStep(net, &optimizer, Self.input) }
        let url = Self.temporaryURL("model.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.save(to: url, metadata: ["note": "test"])

        let other = try Self.makeNet(seed: 2)
        #expect(Self.bits(other.stateDict()) != Self.bits(net.stateDict()))
        let report = try other.load(contentsOf: url)
        #expect(report.isComplete)
        #expect(Self.bits(other.stateDict()) == Self.bits(net.stateDict()))
        net.eval()
        other.eval()
        #expect(other(Self.input).scalars == net(Self.input).scalars)
    }

    @Test("resuming from a checkpoint reproduces the uninterrupted run exactly", arguments: ["SGD", "Adam"])
    func resumeIsExact(_ kind: String) throws {
        let batches = Self.batches(count: 6, seed: 7)
        func run<O: Optimizer>(_ makeOptimizer: () throws -> O) throws {
            let net = try Self.makeNet(seed: 5)
            var optimizer = try makeOptimizer()
            for batch in batches[..<3] { try Self.trainingStep(net, &optimizer, batch) }
            optimizer.learningRate *= 0.5  // as a schedule would
            let url = Self.temporaryURL("train.safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            try TrainingCheckpoint(model: net, optimizer: optimizer, epoch: 3, userMetadata: ["run": "a"]).write(to: url)
            for batch in batches[3...] { try Self.trainingStep(net, &optimizer, batch) }

            let resumedNet = try Self.makeNet(seed: 77)
            var resumedOptimizer = try makeOptimizer()
            let checkpoint = try TrainingCheckpoint(contentsOf: url)
            #expect(checkpoint.epoch == 3)
            #expect(checkpoint.userMetadata == ["run": "a"])
            try checkpoint.restore(model: resumedNet, optimizer: &resumedOptimizer)
            #expect(resumedOptimizer.learningRate == optimizer.learningRate)
            for batch in batches[3...] { try Self.trainingStep(resumedNet, &resumedOptimizer, batch) }
            #expect(Self.bits(resumedNet.stateDict()) == Self.bits(net.stateDict()))
            #expect(Self.bits(resumedOptimizer.state) == Self.bits(optimizer.state))
        }
        if kind == "SGD" {
            try run { try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3) }
        } else {
            try run { try Adam(learningRate: 0.01, weightDecay: 1e-3) }
        }
    }

    @Test("restoring refuses another optimiser type, another model, or a plain weights file, and changes nothing")
    func restoreMismatches() throws {
        let net = try Self.makeNet(seed: 1)
        var adam = try Adam()
        try Self.trainingStep(net, &adam, Self.input)
        let checkpoint = TrainingCheckpoint(model: net, optimizer: adam, epoch: 1)

        let target = try Self.makeNet(seed: 3)
        let before = Self.bits(target.stateDict())
        var sgd = try SGD(learningRate: 0.1, momentum: 0.9)
        #expect(throws: CheckpointError.self) { try checkpoint.restore(model: target, optimizer: &sgd) }
        #expect(sgd.state.isEmpty && sgd.learningRate == 0.1)

        var generator = SeededGenerator(seed: 4)
        let wider = Sequential(Conv2d(1, 4, kernelSize: 3, padding: 1, using: &generator))
        var freshAdam = try Adam(learningRate: 0.5)
        do {
            try checkpoint.restore(model: wider, optimizer: &freshAdam)
            Issue.record("restoring into a different model should throw")
        } catch {
            // The optimiser state names parameters the model state has, so the model check fails.
            guard case .stateDict = error else { Issue.record("unexpected error \(error)"); return }
        }
        #expect(freshAdam.learningRate == 0.5 && freshAdam.state.isEmpty)
        #expect(Self.bits(target.stateDict()) == before)

        let url = Self.temporaryURL("weights.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.save(to: url)
        #expect {
            _ = try TrainingCheckpoint(contentsOf: url)
        } throws: { error in
            guard case let .invalidCheckpoint(file, reason)? = error as? CheckpointError else { return false }
            return file == url.path && reason.contains("format")
        }
    }

    @Test("optimizer state for an unknown parameter or of the wrong shape is refused on restore")
    func optimizerStateValidation() throws {
        let net = try Self.makeNet(seed: 1)
        var sgd = try SGD(learningRate: 0.1, momentum: 0.9)
        try Self.trainingStep(net, &sgd, Self.input)
        var checkpoint = TrainingCheckpoint(model: net, optimizer: sgd, epoch: 1)
        checkpoint.optimizerState["0.weight.momentum_buffer"] = Tensor.zeros(shape: [2])
        var fresh = try SGD(learningRate: 0.1, momentum: 0.9)
        #expect(
            throws: CheckpointError.optimizer(
                file: "checkpoint in memory", .stateShapeMismatch(key: "0.weight.momentum_buffer", expected: [3, 1, 3, 3], found: [2]))
        ) {
            try checkpoint.restore(model: try Self.makeNet(seed: 2), optimizer: &fresh)
        }
        checkpoint.optimizerState = ["9.weight.momentum_buffer": Tensor(1)]
        #expect(throws: CheckpointError.self) { try checkpoint.restore(model: try Self.makeNet(seed: 2), optimizer: &fresh) }
    }

    @Test("truncated or corrupt checkpoint files throw file errors naming the file")
    func corruptFiles() throws {
        let net = try Self.makeNet(seed: 1)
        let url = Self.temporaryURL("ckpt.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint(model: net, optimizer: try SGD(learningRate: 0.1), epoch: 2).write(to: url)
        let bytes = try Data(contentsOf: url)
        for cut in [0, 5, 8, 40, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(cut).write(to: url)
            #expect {
                _ = try TrainingCheckpoint(contentsOf: url)
            } throws: { error in
                guard case .file? = error as? CheckpointError else { return false }
                return "\(error)".contains(url.path) || "\(error)".contains(url.lastPathComponent)
            }
        }
        #expect(throws: CheckpointError.self) { try net.load(contentsOf: url) }
        let missing = Self.temporaryURL("missing.safetensors")
        #expect(throws: CheckpointError.self) { _ = try TrainingCheckpoint(contentsOf: missing) }
    }

    @Test("malformed checkpoint metadata is reported")
    func malformedMetadata() throws {
        let url = Self.temporaryURL("meta.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let base = ["format": TrainingCheckpoint.format, "format_version": "1", "epoch": "3", "learning_rate": "0.1", "optimizer": "SGD"]
        for (key, value) in [("epoch", "-1"), ("epoch", "three"), ("learning_rate", "nan"), ("format_version", "2"), ("optimizer", "")] {
            var metadata = base
            metadata[key] = value
            try SafeTensors(tensors: ["model.w": Tensor(1)], metadata: metadata).write(to: url)
            #expect(throws: CheckpointError.self, "\(key) = \(value)") { _ = try TrainingCheckpoint(contentsOf: url) }
        }
        try SafeTensors(tensors: ["stray": Tensor(1)], metadata: base).write(to: url)
        #expect(throws: CheckpointError.invalidCheckpoint(file: url.path, reason: "tensor stray is neither model.* nor optimizer.*")) {
            _ = try TrainingCheckpoint(contentsOf: url)
        }
    }
}
