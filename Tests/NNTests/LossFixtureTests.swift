import FixtureSupport
import NN
import TensorCore
import Testing

// Every loss against PyTorch: the value for each reduction and the gradient with respect
// to the input (of the loss itself, or of sum(loss · R) for no reduction), including
// saturated probabilities and extreme logits where a naive formula overflows.

@Suite("Losses against PyTorch")
struct LossFixtureTests {
    static let tolerance = FixtureTolerance(absolute: 1e-5, relative: 1e-4, matchesNonFinite: false)

    @Test("loss", arguments: NNFixtures.names(\.losses, \.name))
    func loss(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.losses, \.name, name)
        let extra = AttributeReader(op: name, values: testCase.extra)
        let reduction: LossReduction =
            switch testCase.reduction {
            case "mean": .mean
            case "sum": .sum
            default: .none
            }
        let input = try testCase.input.tensor().trackingGradients()
        let target = try testCase.target.tensor()
        let output: Tensor
        switch testCase.loss {
        case "mse": output = Loss.meanSquaredError(input, target, reduction: reduction)
        case "l1": output = Loss.l1(input, target, reduction: reduction)
        case "bce": output = Loss.binaryCrossEntropy(input, target, reduction: reduction)
        case "bce_with_logits":
            let positiveWeight = try testCase.extra["pos_weight"].map { _ in try Self.tensorAttribute(extra, "pos_weight") }
            output = Loss.binaryCrossEntropyWithLogits(input, target, positiveWeight: positiveWeight, reduction: reduction)
        case "cross_entropy":
            let weight = try testCase.extra["weight"].map { _ in try Self.tensorAttribute(extra, "weight") }
            output = Loss.crossEntropy(
                input, labels: target.scalars.map { Int($0) }, classWeights: weight,
                labelSmoothing: try extra.optionalFloat("label_smoothing") ?? 0, reduction: reduction)
        default:
            throw FixtureError("unknown loss \(testCase.loss)")
        }
        try extra.requireAllUsed()
        try expectClose(output, testCase.output, Self.tolerance, "\(name) value")
        let scalar = try testCase.projection.map { try (output * $0.tensor()).sum() } ?? output
        try expectClose(scalar.gradient(wrt: input), testCase.gradient, Self.tolerance, "\(name) gradient")
    }

    /// A tensor stored as an `{"shape", "data"}` object inside `extra`.
    static func tensorAttribute(_ reader: AttributeReader, _ key: String) throws -> Tensor {
        let object = try reader.object(key)
        let shape = try AttributeReader(op: key, values: object).ints("shape")
        let data = try AttributeReader(op: key, values: object).floats("data")
        return Tensor(shape: shape, scalars: data)
    }
}
