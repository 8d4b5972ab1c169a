import CConvolution
import Testing
@testable import TensorCore

/// The Winograd convolution against the lowering (im2col + GEMM), which the PyTorch fixtures
/// check, on odd shapes (`ConvolutionRun`, in Support/ConvolutionRuns.swift, passes the
/// algorithm per call), and the Toom-Cook construction of its transforms.
@Suite struct WinogradConvolutionTests {
    /// (batch, in, out, height, width, kernel, padding, bias): channel counts that are not
    /// multiples of the 16-channel vectors, outputs that are not multiples of the 4×4 tile,
    /// one-sided padding and padding of a whole kernel.
    static let shapes: [(Int, Int, Int, Int, Int, Int, Padding2D, Bool)] = [
        (1, 16, 16, 7, 9, 3, Padding2D(height: 1, width: 1), true),
        (3, 17, 33, 6, 5, 3, Padding2D(height: 1, width: 1), false),
        (2, 20, 40, 14, 14, 5, Padding2D(height: 2, width: 2), true),
        (2, 16, 18, 9, 11, 5, Padding2D(top: 0, bottom: 2, left: 4, right: 1), true),
        (1, 16, 19, 3, 13, 3, 0, false),
        (2, 32, 16, 10, 7, 3, Padding2D(top: 3, bottom: 0, left: 2, right: 2), true),
    ]

    @Test(arguments: shapes.indices)
    func winogradMatchesLowering(index: Int) throws {
        let (batch, inputs, outputs, height, width, kernel, padding, bias) = Self.shapes[index]
        let geometry = ConvolutionGeometry.stride1(
            batch: batch, inputs: inputs, outputs: outputs, height: height, width: width, kernel: Size2D(kernel, kernel),
            padding: padding)
        #expect(geometry.runsWinograd(under: .winograd))
        let winograd = ConvolutionRun(geometry, bias: bias, algorithm: .winograd)
        let lowered = ConvolutionRun(geometry, bias: bias, algorithm: .lowering)
        // Sums of ≤ 20·25 products of values in [-1, 1] (magnitudes up to about 20); the
        // transforms' rounding stays near 1e-5 of that.
        #expect(maxDifference(winograd.output, lowered.output) < 2e-3)
        #expect(maxDifference(winograd.inputGradient, lowered.inputGradient) < 2e-3)
        #expect(maxDifference(winograd.weightGradient, lowered.weightGradient) < 2e-3)
        #expect(!winograd.containsNaN)
    }

    /// In one dimension, Aᵀ[(G g) ⊙ (Bᵀ d)] is the correlation Σ_k g_k d_{i+k} for every tile
    /// size a plan supports (computed in double from the float matrices).
    @Test(arguments: [(2, 3), (4, 3), (6, 3), (2, 5), (4, 5), (3, 2), (1, 4), (2, 7)])
    func transformsComputeTheCorrelation(outputTile: Int, kernel: Int) {
        var plan = cconv_winograd_plan()
        #expect(cconv_winograd_make_plan(outputTile, kernel, &plan) == 1)
        let alpha = outputTile + kernel - 1
        #expect(plan.alpha == alpha)
        let g = uniformValues(kernel, seed: 5).map(Double.init)
        let d = uniformValues(alpha, seed: 6).map(Double.init)
        func matrix<Tuple>(_ tuple: Tuple) -> [Double] {
            withUnsafeBytes(of: tuple) { $0.bindMemory(to: Float.self).map(Double.init) }
        }
        let (inputTransform, kernelTransform, outputTransform) =
            (matrix(plan.input_transform), matrix(plan.kernel_transform), matrix(plan.output_transform))
        let product = (0..<alpha).map { j in
            (0..<kernel).reduce(0.0) { $0 + kernelTransform[j * kernel + $1] * g[$1] }
                * (0..<alpha).reduce(0.0) { $0 + inputTransform[j * alpha + $1] * d[$1] }
        }
        for i in 0..<outputTile {
            let winograd = (0..<alpha).reduce(0.0) { $0 + outputTransform[i * alpha + $1] * product[$1] }
            let correlation = (0..<kernel).reduce(0.0) { $0 + g[$1] * d[i + $1] }
            #expect(abs(winograd - correlation) < 1e-5, "F(\(outputTile), \(kernel)) output \(i)")
        }
        #expect(cconv_winograd_make_plan(4, 6, &plan) == 0, "α = 9 is beyond the supported points")
    }

    @Test func onlyStrideOneUngroupedWideThreeAndFiveKernelsRunWinograd() throws {
        func geometry(inputs: Int = 16, outputs: Int = 16, kernel: Size2D = 3, stride: Size2D = 1,
                      dilation: Size2D = 1, groups: Int = 1) throws -> ConvolutionGeometry {
            ConvolutionGeometry(input: [2, inputs, 8, 8], weight: [outputs, inputs / groups, kernel.height, kernel.width],
                                    stride: stride, padding: 1, dilation: dilation, groups: groups, op: "test")
        }
        #expect(try geometry().runsWinograd(under: .winograd))
        #expect(try geometry(kernel: 5).runsWinograd(under: .winograd))
        #expect(try geometry().runsWinograd(under: .automatic))
        #expect(try !geometry().runsWinograd(under: .direct))
        #expect(try !geometry().runsWinograd(under: .lowering))
        #expect(try !geometry(kernel: Size2D(5, 3)).runsWinograd(under: .winograd))
        #expect(try !geometry(kernel: 1).runsWinograd(under: .winograd))
        #expect(try !geometry(kernel: 7).runsWinograd(under: .winograd))
        #expect(try !geometry(stride: 2).runsWinograd(under: .winograd))
        #expect(try !geometry(dilation: 2).runsWinograd(under: .winograd))
        #expect(try !geometry(groups: 2).runsWinograd(under: .winograd))
        #expect(try !geometry(inputs: 3).runsWinograd(under: .winograd))
        #expect(try !geometry(outputs: 8).runsWinograd(under: .winograd))
        // One image whose transformed tiles would exceed 32 MB: 1024×1024 with 64 channels.
        #expect(!ConvolutionGeometry(input: [1, 64, 1024, 1024], weight: [64, 64, 3, 3], stride: 1, padding: 1,
                                         dilation: 1, groups: 1, op: "test").runsWinograd(under: .winograd))
        #expect(ConvolutionGeometry(input: [16, 64, 224, 224], weight: [64, 64, 3, 3], stride: 1, padding: 1,
                                        dilation: 1, groups: 1, op: "test").runsWinograd(under: .winograd))
        // Under the automatic choice, shapes Winograd does not take fall back to the direct
        // kernels where the CPU has them; under `winograd`, to the lowering.
        #expect(try geometry(kernel: 1).forwardRunsDirect(under: .automatic) == ConvolutionAlgorithm.isDirectSupported)
        #expect(try !geometry(kernel: 1).forwardRunsDirect(under: .winograd))
    }
}
