import Testing

@testable import TensorCore

/// The direct convolution kernels of every instruction set this CPU supports (AVX-512F, AVX2
/// with FMA) against the lowering (im2col + GEMM), which the PyTorch fixtures check, on odd
/// shapes (`ConvolutionRun`, in Support/ConvolutionRuns.swift, passes the algorithm and the
/// instruction set per call). Only on CPUs with one of them.
@Suite struct DirectConvolutionTests {
    /// (batch, in, out, height, width, kernel, padding, bias): odd sides, rows that are no
    /// multiple of either tile (6 or 12 positions), channel counts that leave partial 16- and
    /// 32-channel blocks, asymmetric padding, kernels from 1×1 to 11×11.
    static let shapes: [(Int, Int, Int, Int, Int, Size2D, Padding2D, Bool)] = [
        (1, 16, 16, 7, 9, Size2D(3, 3), Padding2D(height: 1, width: 1), true),
        (3, 17, 33, 6, 5, Size2D(3, 3), Padding2D(height: 1, width: 1), false),
        (2, 20, 40, 14, 14, Size2D(5, 5), Padding2D(height: 2, width: 2), true),
        (2, 16, 16, 9, 30, Size2D(5, 3), Padding2D(top: 0, bottom: 2, left: 1, right: 0), true),
        (1, 18, 50, 8, 8, Size2D(1, 1), Padding2D(height: 0, width: 0), true),
        (2, 16, 24, 5, 6, Size2D(3, 2), Padding2D(top: 3, bottom: 1, left: 0, right: 4), true),
        (1, 16, 19, 3, 13, Size2D(3, 3), 0, false),
        (5, 16, 32, 4, 4, Size2D(2, 12), Padding2D(top: 0, bottom: 1, left: 5, right: 4), true),
        (2, 17, 23, 9, 13, Size2D(7, 7), Padding2D(height: 3, width: 3), true),
        (1, 16, 18, 5, 21, Size2D(11, 11), Padding2D(height: 5, width: 5), false),
        (3, 16, 17, 11, 7, Size2D(11, 1), Padding2D(top: 5, bottom: 5, left: 0, right: 0), true),
        (2, 19, 16, 6, 25, Size2D(1, 11), Padding2D(top: 0, bottom: 0, left: 4, right: 6), true),
        (2, 16, 33, 1, 1, Size2D(1, 1), 0, true),
    ]

    /// Sums of up to 19·121 products of values in [-1, 1] in another order than the GEMM's:
    /// measured at most 1.3e-6 of the largest magnitude (AMD EPYC; the AVX-512 and AVX2
    /// kernels add the products of each output in the same order and gave the same errors).
    static let tolerance: Float = 1e-5

    @Test(
        .enabled(if: ConvolutionAlgorithm.isDirectSupported, "the direct kernels need AVX-512F or AVX2 with FMA"),
        arguments: directInstructionSets, shapes.indices)
    func directMatchesLowering(instructionSet: KernelInstructionSet, index: Int) throws {
        let (batch, inputs, outputs, height, width, kernel, padding, bias) = Self.shapes[index]
        let geometry = ConvolutionGeometry.stride1(
            batch: batch, inputs: inputs, outputs: outputs, height: height, width: width, kernel: kernel, padding: padding)
        // The input gradient runs direct too, except where the padding reaches a whole kernel
        // (index 5), whose flipped convolution would need negative padding.
        #expect(
            geometry.forwardRunsDirect(under: .direct, instructionSet: instructionSet)
                && geometry.weightGradientRunsDirect(under: .direct, instructionSet: instructionSet))
        #expect(geometry.inputGradientRunsDirect(under: .direct, instructionSet: instructionSet) == (index != 5))
        let operands = ConvolutionOperands(geometry)
        let direct = ConvolutionRun(
            geometry, operands: operands, bias: bias, algorithm: .direct,
            instructionSet: instructionSet)
        let lowered = ConvolutionRun(geometry, operands: operands, bias: bias, algorithm: .lowering)
        let errors = [
            relativeDifference(direct.output, lowered.output),
            relativeDifference(direct.inputGradient, lowered.inputGradient),
            relativeDifference(direct.weightGradient, lowered.weightGradient),
        ]
        #expect(errors.allSatisfy { $0 < Self.tolerance }, "forward, input gradient, weight gradient: \(errors)")
        #expect(!direct.containsNaN)
    }

    /// (batch, in, out, height, width, kernel, padding, bias) for the kernel for few input
    /// channels: rows of 16, 17, 24, 25, 31, 32, 33 and 40 outputs (full and masked vectors of
    /// 8 and 16), channel counts that leave a partial 6- and 12-channel tile, padding beyond
    /// the kernel's reach, kernels up to 11×11.
    static let narrowShapes: [(Int, Int, Int, Int, Int, Size2D, Padding2D, Bool)] = [
        (2, 1, 16, 28, 28, Size2D(5, 5), Padding2D(height: 2, width: 2), true),
        (1, 3, 12, 9, 32, Size2D(3, 3), Padding2D(height: 1, width: 1), false),
        (3, 3, 29, 5, 33, Size2D(3, 3), Padding2D(top: 0, bottom: 2, left: 1, right: 1), true),
        (1, 2, 13, 6, 16, Size2D(1, 3), Padding2D(top: 4, bottom: 1, left: 0, right: 2), true),
        (2, 15, 40, 4, 40, Size2D(2, 1), 0, true),
        (1, 3, 14, 10, 24, Size2D(7, 7), Padding2D(height: 3, width: 3), true),
        (2, 1, 20, 7, 31, Size2D(11, 11), Padding2D(height: 5, width: 5), false),
        (1, 4, 13, 3, 25, Size2D(5, 1), Padding2D(top: 2, bottom: 2, left: 0, right: 0), true),
        (2, 3, 17, 5, 17, Size2D(3, 3), Padding2D(height: 1, width: 1), true),
    ]

    @Test(
        .enabled(if: ConvolutionAlgorithm.isDirectSupported, "the direct kernels need AVX-512F or AVX2 with FMA"),
        arguments: directInstructionSets, narrowShapes.indices)
    func narrowDirectMatchesLowering(instructionSet: KernelInstructionSet, index: Int) throws {
        let (batch, inputs, outputs, height, width, kernel, padding, bias) = Self.narrowShapes[index]
        let geometry = ConvolutionGeometry.stride1(
            batch: batch, inputs: inputs, outputs: outputs, height: height, width: width, kernel: kernel, padding: padding)
        #expect(
            geometry.forwardRunsNarrowDirect(under: .direct, instructionSet: instructionSet)
                && !geometry.forwardRunsDirect(under: .direct, instructionSet: instructionSet))
        let operands = ConvolutionOperands(geometry)
        let direct = ConvolutionRun(
            geometry, operands: operands, bias: bias, algorithm: .direct,
            instructionSet: instructionSet)
        let lowered = ConvolutionRun(geometry, operands: operands, bias: bias, algorithm: .lowering)
        let error = relativeDifference(direct.output, lowered.output)
        #expect(error < Self.tolerance, "forward: \(error)")
        #expect(!direct.output.contains { $0.isNaN })
    }

    @Test func thePortableInstructionSetRunsNoDirectKernel() throws {
        let deep = ConvolutionGeometry.stride1(
            batch: 2, inputs: 16, outputs: 16, height: 8, width: 8, kernel: Size2D(1, 1), padding: 0)
        let first = ConvolutionGeometry.stride1(
            batch: 1, inputs: 3, outputs: 12, height: 16, width: 16, kernel: Size2D(3, 3), padding: 1)
        for algorithm in [ConvolutionAlgorithm.direct, .automatic] {
            #expect(!deep.forwardRunsDirect(under: algorithm, instructionSet: .portable))
            #expect(!deep.inputGradientRunsDirect(under: algorithm, instructionSet: .portable))
            #expect(!deep.weightGradientRunsDirect(under: algorithm, instructionSet: .portable))
            #expect(!first.forwardRunsNarrowDirect(under: algorithm, instructionSet: .portable))
            #expect(algorithm.directKernels(on: .portable) == nil)
        }
        // The same path as the lowering, so the same bits.
        let operands = ConvolutionOperands(deep)
        let portable = ConvolutionRun(deep, operands: operands, bias: true, algorithm: .direct, instructionSet: .portable)
        let lowered = ConvolutionRun(deep, operands: operands, bias: true, algorithm: .lowering)
        #expect(
            portable.output == lowered.output && portable.inputGradient == lowered.inputGradient
                && portable.weightGradient == lowered.weightGradient)
    }

    @Test(arguments: directInstructionSets)
    func eachSupportedInstructionSetRunsItsOwnKernels(instructionSet: KernelInstructionSet) {
        let expected: DirectKernelSet = instructionSet == .avx512 ? .avx512 : .avx2
        #expect(ConvolutionAlgorithm.direct.directKernels(on: instructionSet) == expected)
        #expect(ConvolutionAlgorithm.automatic.directKernels(on: instructionSet) == expected)
        #expect(ConvolutionAlgorithm.lowering.directKernels(on: instructionSet) == nil)
        #expect(ConvolutionAlgorithm.winograd.directKernels(on: instructionSet) == nil)
    }

    @Test func onlyStrideOneUngroupedWideConvolutionsRunDirect() throws {
        func geometry(
            inputs: Int = 16, outputs: Int = 16, stride: Size2D = 1, padding: Padding2D = 1,
            dilation: Size2D = 1, groups: Int = 1
        ) throws -> ConvolutionGeometry {
            ConvolutionGeometry(
                input: [2, inputs, 8, 8], weight: [outputs, inputs / groups, 3, 3], stride: stride,
                padding: padding, dilation: dilation, groups: groups, op: "test")
        }
        let supported = ConvolutionAlgorithm.isDirectSupported
        #expect(try geometry().forwardRunsDirect(under: .direct) == supported)
        #expect(try geometry().inputGradientRunsDirect(under: .direct) == supported)
        #expect(try !geometry().forwardRunsDirect(under: .lowering))
        #expect(try !geometry().forwardRunsDirect(under: .winograd))
        #expect(try geometry().forwardRunsDirect(under: .automatic) == supported)
        #expect(try geometry().weightGradientRunsDirect(under: .direct) == supported)
        #expect(try !geometry(stride: 2).forwardRunsDirect(under: .direct))
        #expect(try !geometry(stride: 2).weightGradientRunsDirect(under: .direct))
        #expect(try !geometry(dilation: 2).forwardRunsDirect(under: .direct))
        #expect(try !geometry(groups: 2).forwardRunsDirect(under: .direct))
        #expect(try !geometry(inputs: 3).forwardRunsDirect(under: .direct))
        // Few input channels: the kernel along the rows, for rows of at least 16 outputs.
        #expect(try !geometry(inputs: 3).forwardRunsNarrowDirect(under: .direct))
        #expect(
            ConvolutionGeometry(
                input: [1, 3, 16, 16], weight: [12, 3, 3, 3], stride: 1, padding: 1, dilation: 1,
                groups: 1, op: "test"
            ).forwardRunsNarrowDirect(under: .direct) == supported)
        #expect(
            !ConvolutionGeometry(
                input: [1, 3, 16, 16], weight: [8, 3, 3, 3], stride: 1, padding: 1, dilation: 1,
                groups: 1, op: "test"
            ).forwardRunsNarrowDirect(under: .direct))
        #expect(
            !ConvolutionGeometry(
                input: [1, 3, 16, 16], weight: [12, 3, 3, 3], stride: 2, padding: 1, dilation: 1,
                groups: 1, op: "test"
            ).forwardRunsNarrowDirect(under: .direct))
        #expect(try !geometry(inputs: 3).inputGradientRunsDirect(under: .direct))
        #expect(try !geometry(outputs: 1).forwardRunsDirect(under: .direct))
        #expect(try !geometry(outputs: 8).inputGradientRunsDirect(under: .direct))
        // Padding of a whole kernel or more: the flipped convolution would need negative padding.
        #expect(try !geometry(padding: 3).inputGradientRunsDirect(under: .direct))
        #expect(try geometry(padding: 3).forwardRunsDirect(under: .direct) == supported)
        #expect(try !geometry().forwardRunsDirect(under: .direct, instructionSet: .portable))
    }
}
