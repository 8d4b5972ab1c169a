import Testing

@testable import TensorCore

/// The instruction-set choice of the direct convolution kernels: what each value resolves to
/// on this CPU, the fallback for sets it lacks, and the scoped override reaching the kernels.
@Suite struct KernelInstructionSetTests {
    @Test func automaticIsTheBestSupportedSet() {
        let best = KernelInstructionSet.bestSupported
        #expect(best != .automatic && best.isSupported)
        #expect(KernelInstructionSet.automatic.effective == best)
        #expect(KernelInstructionSet.automatic.isSupported && KernelInstructionSet.portable.isSupported)
        #expect(ConvolutionAlgorithm.isDirectSupported == (best != .portable))
        // The best set is the first supported one in the order AVX-512, AVX2, portable.
        let order: [KernelInstructionSet] = [.avx512, .avx2, .portable]
        #expect(order.first(where: \.isSupported) == best)
    }

    @Test(arguments: KernelInstructionSet.allCases)
    func everySetResolvesToASupportedSetNoHigherThanAskedFor(set: KernelInstructionSet) {
        let order: [KernelInstructionSet] = [.avx512, .avx2, .portable]
        let effective = set.effective
        #expect(effective != .automatic && effective.isSupported)
        if set == .automatic {
            #expect(effective == KernelInstructionSet.bestSupported)
        } else if set.isSupported {
            #expect(effective == set)
        } else {
            // A set the CPU lacks falls back to the best supported one below it.
            let below = order.drop { $0 != set }.dropFirst()
            #expect(effective == below.first(where: \.isSupported))
        }
        #expect((set.directKernels == nil) == (effective == .portable))
    }

    @Test func theSettingsDefaultToTheAutomaticSet() {
        #expect(ComputeSettings().instructionSet == .automatic)
        #expect(ComputeSettings(instructionSet: .avx2).instructionSet == .avx2)
    }

    @Test(arguments: [KernelInstructionSet.portable] + directInstructionSets)
    func aScopedInstructionSetRunsTheConvolution(set: KernelInstructionSet) throws {
        // A 1×1 convolution with 16 channels runs a direct kernel under the direct algorithm
        // (Winograd takes 3×3 and 5×5 only); in a scope naming `set` it must give what the
        // kernels of `set` give when called directly, and stay within rounding of the lowering.
        let geometry = ConvolutionGeometry.stride1(
            batch: 2, inputs: 16, outputs: 20, height: 5, width: 9, kernel: Size2D(1, 1), padding: 0)
        let operands = ConvolutionOperands(geometry)
        let x = Tensor(shape: geometry.inputShape, scalars: operands.input)
        let w = Tensor(shape: geometry.weightShape, scalars: operands.weight)
        let settings = ComputeSettings(threads: 2, convolution: .direct, instructionSet: set)
        let scoped = ComputeSettings.withSettings(settings) {
            Tensor.conv2d(x, weight: w)
        }
        let expected = ConvolutionRun(geometry, operands: operands, bias: false, algorithm: .direct, instructionSet: set)
        let lowered = ConvolutionRun(geometry, operands: operands, bias: false, algorithm: .lowering)
        #expect(scoped.scalars == expected.output)
        #expect(relativeDifference(scoped.scalars, lowered.output) < 1e-5)
    }
}
