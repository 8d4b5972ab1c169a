import CConvolution
import Testing

@testable import TensorCore

/// The Winograd convolution against the lowering (im2col + GEMM), which the PyTorch fixtures
/// check, on odd shapes (`ConvolutionRun`, in Support/ConvolutionRuns.swift, passes the
/// algorithm per call), and the Toom-Cook construction of its transforms.
@Suite struct WinogradConvolutionTests {
    /// (batch, in, out, height, width, kernel, padding, bias): channel counts that are not
    /// multiples of the 16-channel vectors, outputs that are not multiples of the 4×4 tile,
    /// one-sided padding and padding of a whole kernel; rows of 16 or more (the layout changes'
    /// 16 × 16 blocks, the last one overlapping) next to narrower rows (their scalar loops).
    static let shapes: [(Int, Int, Int, Int, Int, Int, Padding2D, Bool)] = [
        (1, 16, 16, 7, 9, 3, Padding2D(height: 1, width: 1), true),
        (1, 17, 20, 5, 37, 3, Padding2D(height: 1, width: 1), true),
        (1, 16, 16, 4, 16, 3, Padding2D(top: 1, bottom: 1, left: 0, right: 0), false),
        (2, 32, 16, 3, 21, 5, Padding2D(height: 2, width: 2), true),
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

    /// Every tile the library chooses from, with its transforms compiled for each instruction
    /// set this CPU supports and for the baseline (`portable`), against the lowering on the
    /// odd shapes of its kernel size.
    @Test(arguments: WinogradTile.candidates, directInstructionSets + [.portable])
    func everyTileOnEveryInstructionSetMatchesTheLowering(tile: WinogradTile, instructionSet: KernelInstructionSet) throws {
        for (batch, inputs, outputs, height, width, kernel, padding, bias) in Self.shapes where kernel == tile.kernel {
            let geometry = ConvolutionGeometry.stride1(
                batch: batch, inputs: inputs, outputs: outputs, height: height, width: width, kernel: Size2D(kernel, kernel),
                padding: padding)
            var operands = ConvolutionOperands(geometry)
            if !bias {
                operands = ConvolutionOperands(
                    input: operands.input, weight: operands.weight,
                    bias: [Float](repeating: 0, count: outputs), outputGradient: operands.outputGradient)
            }
            let winograd = WinogradRun(geometry, tile: tile, operands: operands, instructionSet: instructionSet)
            let lowered = ConvolutionRun(geometry, operands: operands, bias: true, algorithm: .lowering)
            let shape = "\(tile) on \(instructionSet), \(inputs)→\(outputs) \(height)×\(width) \(padding)"
            #expect(maxDifference(winograd.output, lowered.output) < 2e-3, "\(shape)")
            #expect(maxDifference(winograd.inputGradient, lowered.inputGradient) < 2e-3, "\(shape)")
            #expect(maxDifference(winograd.weightGradient, lowered.weightGradient) < 2e-3, "\(shape)")
            #expect(
                !winograd.output.contains { $0.isNaN } && !winograd.inputGradient.contains { $0.isNaN }
                    && !winograd.weightGradient.contains { $0.isNaN }, "\(shape)")
        }
    }

    /// A plan starts on the best level the CPU supports; each instruction set names the level
    /// of its compiled copy, never above what the CPU supports.
    @Test func transformsFollowTheInstructionSet() {
        var plan = cconv_winograd_plan()
        #expect(cconv_winograd_make_plan(4, 3, &plan) == 1)
        #expect(plan.instruction_level == KernelInstructionSet.automatic.winogradLevel)
        #expect(KernelInstructionSet.portable.winogradLevel == 0)
        for set in KernelInstructionSet.allCases {
            let expected =
                switch set.effective {
                case .avx512: 2
                case .avx2: 1
                case .automatic, .portable: 0
                }
            #expect(set.winogradLevel == expected, "\(set)")
            #expect(set.winogradLevel <= cconv_winograd_best_instruction_level())
        }
    }

    /// Other interpolation points give other, equally exact transforms; repeated points are refused.
    @Test func plansOnGivenPoints() {
        var plan = cconv_winograd_plan()
        #expect(cconv_winograd_make_plan_on_points(4, 3, [0, 1, -1, 0.5, -0.5], &plan) == 1)
        #expect(plan.alpha == 6)
        #expect(cconv_winograd_make_plan_on_points(4, 3, [0, 1, -1, 1, -0.5], &plan) == 0)
    }

    /// The forward pass of output planes up to 8×8 runs on F(2×2, r×r), everything else on
    /// F(4×4, r×r); both passes take the same shapes.
    @Test func tileChoicePerShape() {
        func geometry(size: Int, kernel: Int = 3) -> ConvolutionGeometry {
            ConvolutionGeometry.stride1(
                batch: 2, inputs: 32, outputs: 32, height: size, width: size,
                kernel: Size2D(kernel, kernel), padding: Padding2D(height: kernel / 2, width: kernel / 2))
        }
        for kernel in [3, 5] {
            #expect(
                geometry(size: 8, kernel: kernel).winogradTile(under: .automatic, for: .forward)
                    == WinogradTile(outputTile: 2, kernel: kernel))
            #expect(
                geometry(size: 9, kernel: kernel).winogradTile(under: .automatic, for: .forward)
                    == WinogradTile(outputTile: 4, kernel: kernel))
            for size in [5, 8, 14, 56] {
                #expect(
                    geometry(size: size, kernel: kernel).winogradTile(under: .winograd, for: .gradients)
                        == WinogradTile(outputTile: 4, kernel: kernel))
            }
        }
        #expect(geometry(size: 8).winogradTile(under: .direct, for: .forward) == nil)
        #expect(geometry(size: 8).winogradTile(under: .lowering, for: .gradients) == nil)
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
        func geometry(
            inputs: Int = 16, outputs: Int = 16, kernel: Size2D = 3, stride: Size2D = 1,
            dilation: Size2D = 1, groups: Int = 1
        ) throws -> ConvolutionGeometry {
            ConvolutionGeometry(
                input: [2, inputs, 8, 8], weight: [outputs, inputs / groups, kernel.height, kernel.width],
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
        #expect(
            !ConvolutionGeometry(
                input: [1, 64, 1024, 1024], weight: [64, 64, 3, 3], stride: 1, padding: 1,
                dilation: 1, groups: 1, op: "test"
            ).runsWinograd(under: .winograd))
        #expect(
            ConvolutionGeometry(
                input: [16, 64, 224, 224], weight: [64, 64, 3, 3], stride: 1, padding: 1,
                dilation: 1, groups: 1, op: "test"
            ).runsWinograd(under: .winograd))
        // Under the automatic choice, shapes Winograd does not take fall back to the direct
        // kernels where the CPU has them; under `winograd`, to the lowering.
        #expect(try geometry(kernel: 1).forwardRunsDirect(under: .automatic) == ConvolutionAlgorithm.isDirectSupported)
        #expect(try !geometry(kernel: 1).forwardRunsDirect(under: .winograd))
    }
}
