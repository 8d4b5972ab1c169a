import NN
import TensorCore
import Testing

// Conv2d → BatchNorm2d → activation as one fused convolution: in evaluation mode the result
// of the separate layers up to rounding (gradients included), in training mode exactly the
// separate layers (batch statistics, running-statistics update); and Sequential fusing such
// runs only where that holds.

@Suite("Convolution fusion")
struct ConvolutionFusionTests {
    /// A batch norm with running statistics and affine parameters away from their defaults.
    static func batchNorm(_ channels: Int, using generator: inout SeededGenerator) -> BatchNorm2d {
        let layer = BatchNorm2d(channels, epsilon: 1e-4)
        layer.runningMean!.value = Tensor.randomNormal(shape: [channels], using: &generator)
        layer.runningVariance!.value = Tensor.randomUniform(shape: [channels], low: 0.2, high: 3, using: &generator)
        layer.weight!.value = Tensor.randomUniform(shape: [channels], low: 0.5, high: 1.5, using: &generator)
        layer.bias!.value = Tensor.randomNormal(shape: [channels], using: &generator)
        return layer
    }

    /// Relative difference of two results: the largest absolute difference over the largest magnitude.
    static func relativeDifference(_ found: Tensor, _ expected: Tensor) -> Float {
        let largest = expected.scalars.map(abs).max() ?? 0
        let difference = zip(found.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        return difference / Swift.max(largest, 1e-30)
    }

    @Test("evaluation mode: the separate layers' result and gradients", arguments: [false, true])
    func evaluationModeMatchesTheSeparateLayers(convolutionBias: Bool) {
        var generator = SeededGenerator(seed: 5)
        // 16 → 16 channels, 3×3: the Winograd path, whose output transform applies shift and activation.
        let convolution = Conv2d(16, 16, kernelSize: 3, padding: 1, bias: convolutionBias, using: &generator)
        let batchNorm = Self.batchNorm(16, using: &generator)
        batchNorm.train(false)
        let input = Tensor.randomNormal(shape: [2, 16, 9, 10], using: &generator)
        let activation = FusedActivation.leakyReLU(negativeSlope: 0.01)
        let fused = convolution(input, batchNorm: batchNorm, activation: activation)
        let separate = batchNorm(convolution(input)).leakyRelu(negativeSlope: 0.01)
        #expect(Self.relativeDifference(fused, separate) < 2e-6)
        #expect(batchNorm.batchesTracked!.value.item() == 0, "evaluation mode must not count batches")

        let x = input.trackingGradients()
        let projection = Tensor.randomNormal(shape: separate.shape, using: &generator)
        let parameters = [convolution.weight.value, batchNorm.weight!.value, batchNorm.bias!.value]
        let fusedGradients = (convolution(x, batchNorm: batchNorm, activation: activation) * projection).sum()
            .gradients(wrt: [x] + parameters)
        let separateGradients = (batchNorm(convolution(x)).leakyRelu(negativeSlope: 0.01) * projection).sum()
            .gradients(wrt: [x] + parameters)
        for (name, (found, expected)) in zip(["input", "conv weight", "bn weight", "bn bias"], zip(fusedGradients, separateGradients)) {
            #expect(Self.relativeDifference(found, expected) < 2e-5, "\(name) gradient")
        }
    }

    @Test("training mode: exactly the separate layers, statistics updated once")
    func trainingModeRunsTheSeparateLayers() {
        var generator = SeededGenerator(seed: 6)
        let convolution = Conv2d(3, 8, kernelSize: 3, padding: 1, using: &generator)
        let (fusedNorm, separateNorm) = (BatchNorm2d(8), BatchNorm2d(8))
        let input = Tensor.randomNormal(shape: [4, 3, 6, 6], using: &generator)
        let fused = convolution(input, batchNorm: fusedNorm, activation: .relu)
        let separate = separateNorm(convolution(input)).relu()
        #expect(fused.scalars == separate.scalars)
        #expect(fusedNorm.runningMean!.value.scalars == separateNorm.runningMean!.value.scalars)
        #expect(fusedNorm.runningVariance!.value.scalars == separateNorm.runningVariance!.value.scalars)
        #expect(fusedNorm.batchesTracked!.value.item() == 1)
        #expect(fusedNorm.evaluationAffine == nil, "a batch norm in training mode has no fixed affine map")
    }

    @Test("evaluationAffine is the map the layer applies in evaluation mode")
    func evaluationAffineIsTheLayersMap() throws {
        var generator = SeededGenerator(seed: 7)
        let layer = Self.batchNorm(5, using: &generator)
        layer.train(false)
        let input = Tensor.randomNormal(shape: [3, 5, 4, 4], using: &generator)
        let (scale, shift) = try #require(layer.evaluationAffine)
        let mapped = input * scale.reshaped(to: [1, 5, 1, 1]) + shift.reshaped(to: [1, 5, 1, 1])
        #expect(Self.relativeDifference(mapped, layer(input)) < 1e-6)
    }

    /// bn · leaky ReLU · conv · bn · ReLU · pool · conv · leaky ReLU · conv · bn · conv (no
    /// activation) · ReLU after a pool (nothing to fuse with).
    static func chain(using generator: inout SeededGenerator) -> Sequential {
        Sequential(
            Self.batchNorm(3, using: &generator), LeakyReLU(negativeSlope: 0.1),
            Conv2d(3, 16, kernelSize: 3, padding: 1, using: &generator), Self.batchNorm(16, using: &generator), ReLU(),
            MaxPool2d(kernelSize: 2), Conv2d(16, 16, kernelSize: 3, padding: 1, using: &generator),
            LeakyReLU(negativeSlope: 0.2), Conv2d(16, 16, kernelSize: 3, padding: 1, using: &generator),
            Self.batchNorm(16, using: &generator), Conv2d(16, 4, kernelSize: 1, using: &generator), MaxPool2d(kernelSize: 2),
            ReLU())
    }

    @Test("Sequential fuses in evaluation mode and runs layer by layer in training mode", arguments: [false, true])
    func sequentialFusion(training: Bool) {
        var generator = SeededGenerator(seed: 8)
        let chain = Self.chain(using: &generator)
        chain.train(training)
        let input = Tensor.randomNormal(shape: [2, 3, 12, 12], using: &generator)
        // The reference runs the same modules one by one (a second, identical chain keeps the
        // training-mode statistics updates apart).
        var copyGenerator = SeededGenerator(seed: 8)
        let reference = Self.chain(using: &copyGenerator)
        reference.train(training)
        let x = input.trackingGradients()
        var expected = x
        for index in 0..<reference.count { expected = reference[index](expected) }
        let found = chain(x)
        #expect(found.shape == [2, 4, 3, 3])
        let projection = Tensor.randomNormal(shape: found.shape, using: &generator)
        let foundGradient = (found * projection).sum().gradient(wrt: x)
        let expectedGradient = (expected * projection).sum().gradient(wrt: x)
        if training {
            // Batch norm and activation fused in the batch norm's passes: the same float operations.
            #expect(found.scalars == expected.scalars, "training mode must give the layers' results")
            #expect(foundGradient.scalars == expectedGradient.scalars, "and their gradients")
        } else {
            #expect(Self.relativeDifference(found, expected) < 2e-6)
            #expect(Self.relativeDifference(foundGradient, expectedGradient) < 2e-5)
        }
    }
}
