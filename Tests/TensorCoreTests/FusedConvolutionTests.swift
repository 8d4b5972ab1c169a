import Testing

@testable import TensorCore

// `Tensor.fusedConv2d` on every algorithm and instruction set this CPU runs: without gradient
// recording its one-pass output (the Winograd output transform, or the other algorithms plus
// one activation pass) against the separate operations under the same settings, and against the
// unfolded formula act(conv(x, w)·scale + shift); with recording, its gradients against those
// of the unfolded formula.

@Suite("Fused convolution")
struct FusedConvolutionTests {
    /// Shapes that the automatic algorithm sends down each path: Winograd 3×3 and 5×5 (rows of
    /// at least 16 take the transforms' 16 × 16 blocks, the last one overlapping; channels beyond
    /// a multiple of 16 and narrower rows the scalar loops), the row kernel of the first layers
    /// (rows of 37: full and masked vectors; 26 channels: full and partial blocks), the direct
    /// channel kernel (a 1×3 kernel, which Winograd does not take), a strided lowering, a 1×1 GEMM.
    static let geometries: [(name: String, input: [Int], weight: [Int], stride: Size2D, padding: Padding2D)] = [
        ("winograd 3×3, wide rows", [2, 16, 6, 37], [20, 16, 3, 3], 1, 1),
        ("winograd 3×3, narrow rows", [2, 16, 10, 13], [16, 16, 3, 3], 1, 1),
        ("winograd 5×5", [2, 18, 7, 19], [16, 18, 5, 5], 1, 2),
        ("first layer", [2, 3, 5, 37], [26, 3, 3, 3], 1, 1),
        ("direct channel kernel", [2, 16, 5, 6], [20, 16, 1, 3], 1, Padding2D(top: 0, bottom: 0, left: 1, right: 1)),
        ("strided lowering", [2, 5, 9, 8], [7, 5, 3, 3], 2, 1),
        ("pointwise", [2, 6, 5, 7], [4, 6, 1, 1], 1, 0),
    ]

    static let activations: [FusedActivation] = [.identity, .relu, .leakyReLU(negativeSlope: 0.01)]

    static let settings: [ComputeSettings] = ([KernelInstructionSet.portable] + directInstructionSets).map {
        ComputeSettings(threads: 2, convolution: .automatic, instructionSet: $0)
    }

    private struct Operands {
        let input: Tensor
        let weight: Tensor
        let scale: Tensor
        let shift: Tensor

        init(input shape: [Int], weight weightShape: [Int], seed: UInt64) {
            var generator = SeededGenerator(seed: seed)
            input = Tensor.randomNormal(shape: shape, using: &generator)
            weight = Tensor.randomNormal(shape: weightShape, standardDeviation: 0.3, using: &generator)
            scale = Tensor.randomUniform(shape: [weightShape[0]], low: 0.5, high: 2, using: &generator)
            shift = Tensor.randomNormal(shape: [weightShape[0]], using: &generator)
        }
    }

    @Test("without gradients: one pass, the separate operations' result", arguments: 0..<geometries.count)
    func matchesTheSeparateOperations(geometryIndex: Int) throws {
        let g = Self.geometries[geometryIndex]
        let operands = Operands(input: g.input, weight: g.weight, seed: UInt64(geometryIndex + 1))
        let channels = g.weight[0]
        for settings in Self.settings {
            for activation in Self.activations {
                let (fused, separate, unfolded) = ComputeSettings.withSettings(settings) {
                    let fused = Tensor.fusedConv2d(
                        operands.input, weight: operands.weight, scale: operands.scale, shift: operands.shift,
                        activation: activation, stride: g.stride, padding: g.padding)
                    let folded = operands.weight * operands.scale.reshaped(to: [channels, 1, 1, 1])
                    let separate = activation(
                        Tensor.conv2d(operands.input, weight: folded, bias: operands.shift, stride: g.stride, padding: g.padding))
                    let convolution = Tensor.conv2d(operands.input, weight: operands.weight, stride: g.stride, padding: g.padding)
                    let unfolded = activation(
                        convolution * operands.scale.reshaped(to: [1, channels, 1, 1]) + operands.shift.reshaped(to: [1, channels, 1, 1]))
                    return (fused, separate, unfolded)
                }
                let context = "\(g.name), \(settings.instructionSet), \(activation)"
                #expect(fused.shape == separate.shape, "\(context)")
                // The same kernels under the same settings: only the BLAS's summation order may differ.
                #expect(relativeDifference(fused.scalars, separate.scalars) < 1e-6, "\(context)")
                #expect(relativeDifference(fused.scalars, unfolded.scalars) < 2e-5, "\(context)")
                if activation == .relu { #expect(fused.scalars.allSatisfy { $0 >= 0 }, "\(context): ReLU output below 0") }
                if activation == .identity { #expect(fused.scalars.contains { $0 < 0 }, "\(context): the identity must keep negative values") }
            }
        }
    }

    @Test("with gradients: the unfolded formula's gradients", arguments: 0..<geometries.count)
    func gradientsMatchTheUnfoldedFormula(geometryIndex: Int) throws {
        let g = Self.geometries[geometryIndex]
        let operands = Operands(input: g.input, weight: g.weight, seed: UInt64(geometryIndex + 11))
        let channels = g.weight[0]
        var generator = SeededGenerator(seed: 99)
        let activation = FusedActivation.leakyReLU(negativeSlope: 0.1)
        let x = operands.input.trackingGradients()
        let w = operands.weight.trackingGradients()
        let scale = operands.scale.trackingGradients()
        let shift = operands.shift.trackingGradients()
        let fused = Tensor.fusedConv2d(x, weight: w, scale: scale, shift: shift, activation: activation, stride: g.stride, padding: g.padding)
        let projection = Tensor.randomNormal(shape: fused.shape, using: &generator)
        let fusedGradients = (fused * projection).sum().gradients(wrt: [x, w, scale, shift])
        let convolution = Tensor.conv2d(x, weight: w, stride: g.stride, padding: g.padding)
        let unfolded = activation(convolution * scale.reshaped(to: [1, channels, 1, 1]) + shift.reshaped(to: [1, channels, 1, 1]))
        let unfoldedGradients = (unfolded * projection).sum().gradients(wrt: [x, w, scale, shift])
        for (name, (found, expected)) in zip(["input", "weight", "scale", "shift"], zip(fusedGradients, unfoldedGradients)) {
            #expect(found.shape == expected.shape, "\(g.name): \(name)")
            #expect(relativeDifference(found.scalars, expected.scalars) < 2e-5, "\(g.name): \(name) gradient")
        }
    }
}
