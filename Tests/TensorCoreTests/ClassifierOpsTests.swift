import Foundation
import Testing

@testable import TensorCore

// The operations a classifier head needs: linear layers, (log-)softmax and argmax; and
// custom differentiable operations defined outside TensorCore.

@Suite("Linear, softmax, argmax and custom operations")
struct ClassifierOpsTests {
    @Test("linear equals matmul with the transposed weight plus bias, for inputs of rank 1 to 3")
    func linearMatchesMatmul() throws {
        var generator = SeededGenerator(seed: 1)
        let weight = Tensor.randomNormal(shape: [4, 3], using: &generator)
        let bias = Tensor.randomNormal(shape: [4], using: &generator)
        for shape in [[3], [5, 3], [2, 5, 3]] {
            let input = Tensor.randomNormal(shape: shape, using: &generator)
            let expected = Tensor.matmul(input.reshaped(to: [-1, 3]), weight.transposed()) + bias
            let output = Tensor.linear(input, weight: weight, bias: bias)
            #expect(output.shape == Array(shape.dropLast()) + [4])
            for (a, b) in zip(output.scalars, expected.scalars) { #expect(abs(a - b) <= 1e-5) }
        }
    }

    @Test("linear and log-softmax gradients match finite differences")
    func gradients() throws {
        var generator = SeededGenerator(seed: 2)
        let inputs = [[2, 3, 4], [5, 4], [5]].map { Tensor.randomNormal(shape: $0, using: &generator) }
        let outputProjection = Tensor.randomNormal(shape: [2, 3, 5], using: &generator)
        try checkGradients("linear", inputs) { p in
            (Tensor.linear(p[0], weight: p[1], bias: p[2]).tanh() * outputProjection).sum()
        }
        let logits = Tensor.randomNormal(shape: [3, 4], standardDeviation: 2, using: &generator)
        let projection = Tensor.randomNormal(shape: [3, 4], using: &generator)
        try checkGradients("logSoftmax axis 1", [logits]) { p in (p[0].logSoftmax(alongAxis: 1) * projection).sum() }
        try checkGradients("softmax axis 0", [logits]) { p in (p[0].softmax(alongAxis: 0) * projection).sum() }
    }

    @Test("softmax rows sum to one and stay finite for huge logits")
    func softmaxIsStable() throws {
        let logits = Tensor(shape: [2, 3], scalars: [1000, 1001, 999, -1000, 0, -1e30])
        let probabilities = logits.softmax(alongAxis: 1).scalars
        #expect(probabilities.allSatisfy { $0.isFinite })
        #expect(abs(probabilities[0] + probabilities[1] + probabilities[2] - 1) < 1e-6)
        // exp(1)/(1 + e + e^-1) for the first row's middle entry.
        #expect(abs(probabilities[1] - Float(M_E / (1 + M_E + 1 / M_E))) < 1e-6)
        #expect(probabilities[4] > 0.99999)
        let logProbabilities = logits.logSoftmax(alongAxis: 1).scalars
        #expect(logProbabilities.allSatisfy { $0.isFinite || $0 == -.infinity })
        #expect(abs(logProbabilities[0] + 1.4076059) < 1e-5)
    }

    @Test("argmax along an axis: first maximum wins, NaN wins, any axis and negative axes")
    func argmax() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, 5, 5, -1, -3, -2])
        #expect(x.argmax(alongAxis: 1) == [1, 0])
        #expect(x.argmax(alongAxis: -1) == [1, 0])
        #expect(x.argmax(alongAxis: 0) == [0, 0, 0])
        let withNaN = Tensor(shape: [1, 4], scalars: [1, .nan, 7, .nan])
        #expect(withNaN.argmax(alongAxis: 1) == [1])
        let cube = Tensor(shape: [2, 2, 2], scalars: [0, 9, 3, 1, 4, 4, 8, 2])
        #expect(cube.argmax(alongAxis: 1) == [1, 0, 1, 0])
    }

    @Test("a custom operation records its pullback only when an input tracks gradients")
    func customOperation() throws {
        let x = Tensor(shape: [3], scalars: [1, 2, 3]).trackingGradients()
        let y = Tensor(2)
        // value = x² · y with a hand-written pullback.
        let value = x.detached().squared() * y.detached()
        let output = Tensor.customOperation(value: value, inputs: [x, y]) { gradient in
            [gradient * x.detached() * 2 * y.detached(), nil]
        }
        #expect(output.isTrackingGradients)
        #expect(output.sum().gradient(wrt: x).scalars == [4, 8, 12])

        let untracked = Tensor.customOperation(value: value, inputs: [x.detached(), y]) { _ in
            Issue.record("the pullback of an untracked operation must never run")
            return [nil, nil]
        }
        #expect(!untracked.isTrackingGradients)
    }
}
