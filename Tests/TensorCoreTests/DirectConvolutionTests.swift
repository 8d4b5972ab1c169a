import Testing
@testable import TensorCore

/// The direct AVX-512 convolution against the lowering (im2col + GEMM), which the PyTorch
/// fixtures check, on odd shapes (`ConvolutionRun`, in Support/ConvolutionRuns.swift, passes
/// the algorithm per call). Only on CPUs with AVX-512F.
@Suite struct DirectConvolutionTests {
    /// (batch, in, out, height, width, kernel, padding, bias)
    static let shapes: [(Int, Int, Int, Int, Int, Size2D, Padding2D, Bool)] = [
        (1, 16, 16, 7, 9, Size2D(3, 3), Padding2D(height: 1, width: 1), true),
        (3, 17, 33, 6, 5, Size2D(3, 3), Padding2D(height: 1, width: 1), false),
        (2, 20, 40, 14, 14, Size2D(5, 5), Padding2D(height: 2, width: 2), true),
        (2, 16, 16, 9, 30, Size2D(5, 3), Padding2D(top: 0, bottom: 2, left: 1, right: 0), true),
        (1, 18, 50, 8, 8, Size2D(1, 1), Padding2D(height: 0, width: 0), true),
        (2, 16, 24, 5, 6, Size2D(3, 2), Padding2D(top: 3, bottom: 1, left: 0, right: 4), true),
        (1, 16, 19, 3, 13, Size2D(3, 3), 0, false),
        (5, 16, 32, 4, 4, Size2D(2, 12), Padding2D(top: 0, bottom: 1, left: 5, right: 4), true),
    ]

    @Test(.enabled(if: ConvolutionAlgorithm.isDirectSupported, "the direct kernel needs AVX-512F"),
          arguments: shapes.indices)
    func directMatchesLowering(index: Int) throws {
        let (batch, inputs, outputs, height, width, kernel, padding, bias) = Self.shapes[index]
        let geometry = try ConvolutionGeometry.stride1(
            batch: batch, inputs: inputs, outputs: outputs, height: height, width: width, kernel: kernel, padding: padding)
        #expect(geometry.forwardRunsDirect(under: .direct) && geometry.weightGradientRunsDirect(under: .direct))
        let direct = ConvolutionRun(geometry, bias: bias, algorithm: .direct)
        let lowered = ConvolutionRun(geometry, bias: bias, algorithm: .lowering)
        // Sums of ≤ 20·25 products of values in [-1, 1]: float rounding stays far below 1e-3.
        #expect(maxDifference(direct.output, lowered.output) < 1e-3)
        #expect(maxDifference(direct.inputGradient, lowered.inputGradient) < 1e-3)
        #expect(maxDifference(direct.weightGradient, lowered.weightGradient) < 1e-3)
        #expect(!direct.containsNaN)
    }

    /// (batch, in, out, height, width, kernel, padding, bias) for the kernel for few input
    /// channels: rows of 16, 17, 32, 33 and 40 outputs (full and masked vectors), channel
    /// counts that leave a partial 12-channel tile, padding beyond the kernel's reach.
    static let narrowShapes: [(Int, Int, Int, Int, Int, Size2D, Padding2D, Bool)] = [
        (2, 1, 16, 28, 28, Size2D(5, 5), Padding2D(height: 2, width: 2), true),
        (1, 3, 12, 9, 32, Size2D(3, 3), Padding2D(height: 1, width: 1), false),
        (3, 3, 29, 5, 33, Size2D(3, 3), Padding2D(top: 0, bottom: 2, left: 1, right: 1), true),
        (1, 2, 13, 6, 16, Size2D(1, 3), Padding2D(top: 4, bottom: 1, left: 0, right: 2), true),
        (2, 15, 40, 4, 40, Size2D(2, 1), 0, true),
    ]

    @Test(.enabled(if: ConvolutionAlgorithm.isDirectSupported, "the direct kernel needs AVX-512F"),
          arguments: narrowShapes.indices)
    func narrowDirectMatchesLowering(index: Int) throws {
        let (batch, inputs, outputs, height, width, kernel, padding, bias) = Self.narrowShapes[index]
        let geometry = try ConvolutionGeometry.stride1(
            batch: batch, inputs: inputs, outputs: outputs, height: height, width: width, kernel: kernel, padding: padding)
        #expect(geometry.forwardRunsNarrowDirect(under: .direct) && !geometry.forwardRunsDirect(under: .direct))
        let direct = ConvolutionRun(geometry, bias: bias, algorithm: .direct)
        let lowered = ConvolutionRun(geometry, bias: bias, algorithm: .lowering)
        #expect(maxDifference(direct.output, lowered.output) < 1e-3)
        #expect(!direct.output.contains { $0.isNaN })
    }

    @Test func onlyStrideOneUngroupedWideConvolutionsRunDirect() throws {
        func geometry(inputs: Int = 16, outputs: Int = 16, stride: Size2D = 1, padding: Padding2D = 1,
                      dilation: Size2D = 1, groups: Int = 1) throws -> ConvolutionGeometry {
            ConvolutionGeometry(input: [2, inputs, 8, 8], weight: [outputs, inputs / groups, 3, 3], stride: stride,
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
        #expect(ConvolutionGeometry(input: [1, 3, 16, 16], weight: [12, 3, 3, 3], stride: 1, padding: 1, dilation: 1,
                                        groups: 1, op: "test").forwardRunsNarrowDirect(under: .direct) == supported)
        #expect(!ConvolutionGeometry(input: [1, 3, 16, 16], weight: [8, 3, 3, 3], stride: 1, padding: 1, dilation: 1,
                                         groups: 1, op: "test").forwardRunsNarrowDirect(under: .direct))
        #expect(!ConvolutionGeometry(input: [1, 3, 16, 16], weight: [12, 3, 3, 3], stride: 2, padding: 1, dilation: 1,
                                         groups: 1, op: "test").forwardRunsNarrowDirect(under: .direct))
        #expect(try !geometry(inputs: 3).inputGradientRunsDirect(under: .direct))
        #expect(try !geometry(outputs: 1).forwardRunsDirect(under: .direct))
        #expect(try !geometry(outputs: 8).inputGradientRunsDirect(under: .direct))
        // Padding of a whole kernel or more: the flipped convolution would need negative padding.
        #expect(try !geometry(padding: 3).inputGradientRunsDirect(under: .direct))
        #expect(try geometry(padding: 3).forwardRunsDirect(under: .direct) == supported)
    }
}
