import FixtureSupport
import Foundation
import NN
import TensorCore
import Testing

// Optimiser trajectories against PyTorch: the same problem (w [4, 3], b [3], the loss
// mean((x·w + b − y)²) + 0.5·Σw⁴ / |w|, so momentum matters) run for 30 steps in float32
// by torch.optim and by ours, compared after every step; schedules stepped once per
// "epoch" of five steps; frozen parameters must not move. Plus the schedules' learning
// rates over 40 epochs and clip_grad_norm_.

@Suite("Optimizers, schedules and clipping against PyTorch")
struct OptimizerFixtureTests {
    static let tolerance = FixtureTolerance(absolute: 2e-6, relative: 2e-5, matchesNonFinite: false)

    @Test("trajectory", arguments: NNFixtures.names(\.optimizers, \.name))
    func trajectory(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.optimizers, \.name, name)
        let hyper = AttributeReader(op: name, values: testCase.hyper)
        #expect(try hyper.bool("maximize") == false)
        var optimizer: any Optimizer
        switch testCase.optimizer {
        case "sgd":
            optimizer = try SGD(
                learningRate: try hyper.float("lr"), momentum: try hyper.float("momentum"),
                dampening: try hyper.float("dampening"), nesterov: try hyper.bool("nesterov"),
                weightDecay: try hyper.float("weight_decay"))
        case "adam", "adamw":
            let betas = try hyper.floats("betas")
            optimizer = try Adam(
                learningRate: try hyper.float("lr"), betas: (betas[0], betas[1]), epsilon: try hyper.float("eps"),
                weightDecay: try hyper.float("weight_decay"),
                weightDecayMode: testCase.optimizer == "adamw" ? .decoupled : .coupled,
                amsgrad: try hyper.bool("amsgrad"))
        default:
            throw FixtureError("unknown optimizer \(testCase.optimizer)")
        }
        try hyper.requireAllUsed()
        let schedule = try testCase.schedule.map { try NNFixtures.schedule($0.schedule, $0.attrs) }
        let initialRate = optimizer.learningRate

        let w = Parameter(try #require(testCase.initial["w"]).tensor(), trainable: !testCase.frozen.contains("w"))
        let b = Parameter(try #require(testCase.initial["b"]).tensor(), trainable: !testCase.frozen.contains("b"))
        let parameters = [(name: "w", parameter: w), (name: "b", parameter: b)]
        let (x, y) = (try testCase.x.tensor(), try testCase.y.tensor())
        #expect(testCase.steps.count >= 20)

        for (index, expected) in testCase.steps.enumerated() {
            if let schedule { optimizer.learningRate = schedule.learningRate(atEpoch: index / 5, initial: initialRate) }
            #expect(Self.tolerance.matches(optimizer.learningRate, expected.lr), "step \(index): lr \(optimizer.learningRate), expected \(expected.lr)")
            let fit = (Tensor.matmul(x, w.value) + b.value - y).squared().mean()
            let loss = fit + 0.5 * w.value.pow(4).sum() / Float(w.value.scalarCount)
            let lossValue = loss.item()
            #expect(Self.tolerance.matches(lossValue, expected.loss), "step \(index): loss \(lossValue), expected \(expected.loss)")
            let trainable = parameters.filter { $0.parameter.isTrainable }
            let gradients = loss.gradients(wrt: trainable.map(\.parameter.value))
            try optimizer.step(parameters, gradients: Dictionary(uniqueKeysWithValues: zip(trainable.map(\.name), gradients)))
            try expectClose(w.value, expected.w, Self.tolerance, "\(name) w after step \(index + 1)")
            try expectClose(b.value, expected.b, Self.tolerance, "\(name) b after step \(index + 1)")
        }
        for frozen in testCase.frozen {
            #expect(!optimizer.state.keys.contains { $0.hasPrefix(frozen + ".") }, "a frozen parameter got optimizer state")
        }
    }

    @Test("schedule", arguments: NNFixtures.names(\.schedules, \.name))
    func schedule(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.schedules, \.name, name)
        let schedule = try NNFixtures.schedule(testCase.schedule, testCase.attrs)
        #expect(testCase.lrs.count == testCase.epochs)
        for (epoch, expected) in testCase.lrs.enumerated() {
            let rate = schedule.learningRate(atEpoch: epoch, initial: testCase.base_lr)
            #expect(Self.tolerance.matches(rate, expected), "epoch \(epoch): \(rate), expected \(expected)")
        }
    }

    @Test("gradient clipping", arguments: NNFixtures.names(\.clipping, \.name))
    func clipping(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.clipping, \.name, name)
        let names = testCase.gradients.indices.map { "g\($0)" }
        var gradients = Dictionary(uniqueKeysWithValues: zip(names, try testCase.gradients.map { try $0.tensor() }))
        let norm = clipGradientNorm(&gradients, maxNorm: testCase.max_norm, normType: testCase.norm_type)
        #expect(Self.tolerance.matches(norm, testCase.total_norm), "total norm \(norm), expected \(testCase.total_norm)")
        for (index, expected) in testCase.clipped.enumerated() {
            try expectClose(try #require(gradients[names[index]]), expected, Self.tolerance, "\(name) gradient \(index)")
        }
    }
}
