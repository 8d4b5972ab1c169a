import Testing

@testable import TensorCore

// Batch normalisation against a float64 reference computed here, on shapes the PyTorch
// fixtures do not reach: planes of several blocks, planes that are no multiple of the vector
// width, one image, `[N, C]` input, data with a large mean; and the same bits on one and two
// threads.

/// One batch-norm call (training or evaluation) and its gradients for the loss
/// `Σ output·projection`, as floats from `Tensor.batchNorm` or as doubles from the reference.
private struct BatchNormCase {
    let shape: [Int]
    let input: [Float]
    let weight: [Float]?
    let bias: [Float]?
    let runningMean: [Float]
    let runningVariance: [Float]
    let projection: [Float]
    let training: Bool
    let momentum: Float = 0.3
    let epsilon: Float = 1e-4

    init(shape: [Int], mean: Float = 0, affine: Bool = true, training: Bool = true, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let channels = shape[1]
        self.shape = shape
        input = Tensor.randomNormal(shape: shape, mean: mean, using: &generator).scalars
        weight = affine ? Tensor.randomUniform(shape: [channels], low: 0.5, high: 1.5, using: &generator).scalars : nil
        bias = affine ? Tensor.randomNormal(shape: [channels], using: &generator).scalars : nil
        runningMean = Tensor.randomNormal(shape: [channels], mean: mean, using: &generator).scalars
        runningVariance = Tensor.randomUniform(shape: [channels], low: 0.5, high: 2, using: &generator).scalars
        projection = Tensor.randomNormal(shape: shape, using: &generator).scalars
        self.training = training
    }

    /// What `Tensor.batchNorm` gives: output, running mean and variance, and the gradients of
    /// input, weight and bias (empty without weight and bias).
    func run() -> [[Float]] {
        let x = Tensor(shape: shape, scalars: input).trackingGradients()
        let parameters = [weight, bias].map { $0.map { Tensor($0).trackingGradients() } }
        let result = Tensor.batchNorm(
            x, runningMean: Tensor(runningMean), runningVariance: Tensor(runningVariance), weight: parameters[0],
            bias: parameters[1], training: training, momentum: momentum, epsilon: epsilon)
        let loss = (result.output * Tensor(shape: shape, scalars: projection)).sum()
        let gradients = loss.gradients(wrt: [x] + parameters.compactMap { $0 }).map(\.scalars)
        let empty: [[Float]] = weight == nil ? [[], []] : []
        return [result.output.scalars, result.runningMean!.scalars, result.runningVariance!.scalars] + gradients + empty
    }

    /// The same, in double: PyTorch's formulas with two-pass statistics.
    func reference() -> [[Double]] {
        let (batch, channels) = (shape[0], shape[1])
        let plane = shape.dropFirst(2).reduce(1, *)
        let count = Double(batch * plane)
        func indices(_ c: Int) -> [Int] {
            (0..<batch).flatMap { n in (0..<plane).map { (n * channels + c) * plane + $0 } }
        }
        var output = [Double](repeating: 0, count: input.count)
        var inputGradient = output
        var (newMean, newVariance, weightGradient, biasGradient) = ([Double](), [Double](), [Double](), [Double]())
        for c in 0..<channels {
            let values = indices(c)
            let mean = training ? values.reduce(0) { $0 + Double(input[$1]) } / count : Double(runningMean[c])
            let variance =
                training ? values.reduce(0) { $0 + (Double(input[$1]) - mean) * (Double(input[$1]) - mean) } / count : Double(runningVariance[c])
            let inverseDeviation = 1 / (variance + Double(epsilon)).squareRoot()
            let gamma = weight.map { Double($0[c]) } ?? 1
            let beta = bias.map { Double($0[c]) } ?? 0
            let keep = 1 - Double(momentum)
            newMean.append(training ? keep * Double(runningMean[c]) + Double(momentum) * mean : Double(runningMean[c]))
            newVariance.append(
                training ? keep * Double(runningVariance[c]) + Double(momentum) * variance * count / (count - 1) : Double(runningVariance[c]))
            var (sumGradient, sumProduct) = (0.0, 0.0)
            for index in values {
                let normalized = (Double(input[index]) - mean) * inverseDeviation
                output[index] = normalized * gamma + beta
                sumGradient += Double(projection[index])
                sumProduct += Double(projection[index]) * normalized
            }
            for index in values {
                let normalized = (Double(input[index]) - mean) * inverseDeviation
                let dy = Double(projection[index])
                inputGradient[index] =
                    training ? gamma * inverseDeviation * (dy - sumGradient / count - normalized * sumProduct / count) : gamma * inverseDeviation * dy
            }
            weightGradient.append(sumProduct)
            biasGradient.append(sumGradient)
        }
        return [output, newMean, newVariance, inputGradient] + (weight == nil ? [[], []] : [weightGradient, biasGradient])
    }
}

private let resultNames = ["output", "running mean", "running variance", "input gradient", "weight gradient", "bias gradient"]

/// Expects every result of `test` within `tolerance` of the reference, relative to the
/// reference's largest magnitude (1 when smaller).
private func expectMatchesReference(_ test: BatchNormCase, tolerance: Double, _ label: String) {
    let (actual, expected) = (test.run(), test.reference())
    for (index, name) in resultNames.enumerated() {
        #expect(actual[index].count == expected[index].count, "\(label): \(name) count")
        guard actual[index].count == expected[index].count else { continue }
        let magnitude = max(1, expected[index].reduce(0) { max($0, abs($1)) })
        let error = zip(actual[index], expected[index]).reduce(0) { max($0, abs(Double($1.0) - $1.1)) }
        #expect(error <= tolerance * magnitude, "\(label): \(name) differs by \(error) (magnitude \(magnitude))")
    }
}

@Suite("Batch normalisation against a float64 reference")
struct BatchNormKernelTests {
    @Test("large planes (2×3×150×150): several blocks per plane, a tail that is no multiple of 16")
    func largePlanes() {
        expectMatchesReference(BatchNormCase(shape: [2, 3, 150, 150], seed: 1), tolerance: 1e-5, "training")
        expectMatchesReference(BatchNormCase(shape: [2, 3, 150, 150], training: false, seed: 2), tolerance: 1e-5, "evaluation")
    }

    @Test(
        "odd sizes: one image, planes of 1, 3, 7, 35 and 4099 values, no affine parameters",
        arguments: [([1, 3, 5, 7], true), ([1, 2, 4099], true), ([5, 4], true), ([3, 2, 7], false), ([1, 5, 1, 1, 3], false), ([6, 3], false)])
    func oddSizes(shape: [Int], affine: Bool) {
        for training in [true, false] {
            let test = BatchNormCase(shape: shape, affine: affine, training: training, seed: 3)
            expectMatchesReference(test, tolerance: 1e-5, "\(shape) training \(training) affine \(affine)")
        }
    }

    @Test("a large mean costs no accuracy: 1000 + N(0, 1) and 1e5 + N(0, 1)", arguments: [Float(1000), 100_000])
    func largeMean(mean: Float) throws {
        // The statistics of the float inputs, in double, are what the reference computes; a
        // variance from Σx² − (Σx)²/n in float would be lost to cancellation here.
        let test = BatchNormCase(shape: [4, 2, 67, 61], mean: mean, seed: 4)
        let (actual, expected) = (test.run(), test.reference())
        for c in 0..<2 {
            // With momentum 0.3, the running variance holds 0.3·unbiased variance (≈ 1) plus
            // 0.7·the old running variance, so its error is the variance's.
            #expect(abs(Double(actual[2][c]) - expected[2][c]) <= 1e-6 * expected[2][c], "running variance, channel \(c)")
            #expect(abs(Double(actual[1][c]) - expected[1][c]) <= 1e-6 * expected[1][c], "running mean, channel \(c)")
        }
        // The output is x̂·γ + β with x̂ of size 1: only the inputs' own rounding (an ulp of the
        // mean, 6e-5 at 1000 and 8e-3 at 1e5) may show.
        let ulp = Double(mean.ulp)
        expectMatchesReference(test, tolerance: 4 * ulp, "mean \(mean)")
        let error = zip(actual[0], expected[0]).reduce(0) { max($0, abs(Double($1.0) - $1.1)) }
        #expect(error <= 2 * ulp, "output differs by \(error)")
    }

    @Test("one and two threads give the same bits, forward and backward")
    func threadCountChangesNoBit() {
        for shape in [[4, 6, 63, 65], [4096, 16]] {
            let test = BatchNormCase(shape: shape, seed: 5)
            let runs = [1, 2].map { threads in ComputeSettings.withSettings(ComputeSettings(threads: threads)) { test.run() } }
            for (index, name) in resultNames.enumerated() {
                #expect(runs[0][index] == runs[1][index], "\(shape): \(name) differs between one and two threads")
            }
        }
    }
}

/// Batch norm with a fused activation against batch norm followed by the activation's own
/// operation: the same float operations per value (the pre-activation recomputed from the input
/// in the backward pass), so the same bits, in training and evaluation mode, for ReLU, leaky
/// ReLU and a negative slope (whose gradient must be gated on the pre-activation, not the output).
@Suite("Batch norm with a fused activation")
struct BatchNormActivationTests {
    @Test(
        "equals the separate activation, outputs and gradients",
        arguments: [FusedActivation.relu, .leakyReLU(negativeSlope: 0.01), .leakyReLU(negativeSlope: -0.3)], [true, false])
    func equalsTheSeparateActivation(activation: FusedActivation, training: Bool) {
        var generator = SeededGenerator(seed: 21)
        let shape = [3, 5, 7, 9]
        let input = Tensor.randomNormal(shape: shape, using: &generator)
        let weight = Tensor.randomUniform(shape: [5], low: 0.5, high: 1.5, using: &generator)
        let bias = Tensor.randomNormal(shape: [5], using: &generator)
        let runningMean = Tensor.randomNormal(shape: [5], using: &generator)
        let runningVariance = Tensor.randomUniform(shape: [5], low: 0.5, high: 2, using: &generator)
        let projection = Tensor.randomNormal(shape: shape, using: &generator)
        func run(fused: Bool) -> [[Float]] {
            let (x, w, b) = (input.trackingGradients(), weight.trackingGradients(), bias.trackingGradients())
            let result = Tensor.batchNorm(
                x, runningMean: runningMean, runningVariance: runningVariance, weight: w, bias: b, training: training,
                activation: fused ? activation : .identity)
            let output = fused ? result.output : activation(result.output)
            let gradients = (output * projection).sum().gradients(wrt: [x, w, b])
            return [output.scalars] + gradients.map(\.scalars)
        }
        let (fused, separate) = (run(fused: true), run(fused: false))
        for (name, (found, expected)) in zip(["output", "input gradient", "weight gradient", "bias gradient"], zip(fused, separate)) {
            #expect(found == expected, "\(activation), training \(training): \(name)")
        }
        #expect(fused[0].contains { $0 != 0 } && fused[1].contains { $0 != 0 })
    }
}
