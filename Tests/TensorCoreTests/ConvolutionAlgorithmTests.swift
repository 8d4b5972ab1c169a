import Testing

@testable import TensorCore

/// Every convolution algorithm against the lowering (im2col + GEMM, which the PyTorch fixtures
/// check) on every convolution layer of the FCDD nets: the forward pass, the input gradient
/// and the weight gradient, on seeded values in [-1, 1] (`ConvolutionRun`, in
/// Support/ConvolutionRuns.swift).
@Suite struct ConvolutionAlgorithmTests {
    /// One convolution layer: its net, and the shape of its input.
    struct Layer: CustomTestStringConvertible, Sendable {
        let net: String
        let batch, inputs, outputs, kernel, padding, size: Int

        var testDescription: String { "\(net) \(inputs)→\(outputs) k\(kernel) on \(size)²" }

        func geometry() throws -> ConvolutionGeometry {
            ConvolutionGeometry.stride1(
                batch: batch, inputs: inputs, outputs: outputs, height: size, width: size,
                kernel: Size2D(kernel, kernel), padding: Padding2D(height: padding, width: padding))
        }
    }

    /// The side of the VGG's second layer (112² in the net). Debug builds compile the C kernels
    /// without optimisation, and the direct kernels take 2.2 s for that layer there; they test
    /// it at 56² (0.5 s), release builds at full size.
    #if DEBUG
    static let vggSecondLayerSize = 56
    #else
    static let vggSecondLayerSize = 112
    #endif

    /// The instruction sets whose direct kernels run on every layer: each one the CPU supports
    /// in release builds; in debug builds, whose unoptimised AVX2 kernels would add about 30 s,
    /// the best one only (`DirectConvolutionTests` checks every set on odd shapes in every
    /// build).
    #if DEBUG
    static let directSets = Array(directInstructionSets.prefix(1))
    #else
    static let directSets = directInstructionSets
    #endif

    /// The convolutions of every FCDD net, with batches of two for the small nets (so the
    /// kernels split the images over threads) and one for the VGG layers.
    static let layers: [Layer] = [
        // FCDD_CNN28 and FCDD_CNN28_W.
        Layer(net: "CNN28", batch: 2, inputs: 1, outputs: 8, kernel: 5, padding: 2, size: 28),
        Layer(net: "CNN28", batch: 2, inputs: 8, outputs: 16, kernel: 5, padding: 2, size: 14),
        Layer(net: "CNN28", batch: 2, inputs: 16, outputs: 1, kernel: 1, padding: 0, size: 7),
        Layer(net: "CNN28_W", batch: 2, inputs: 1, outputs: 128, kernel: 5, padding: 2, size: 28),
        Layer(net: "CNN28_W", batch: 2, inputs: 128, outputs: 128, kernel: 5, padding: 2, size: 14),
        Layer(net: "CNN28_W", batch: 2, inputs: 128, outputs: 1, kernel: 1, padding: 0, size: 7),
        // FCDD_CNN32 and FCDD_CNN32_S.
        Layer(net: "CNN32", batch: 2, inputs: 3, outputs: 32, kernel: 5, padding: 2, size: 32),
        Layer(net: "CNN32", batch: 2, inputs: 32, outputs: 64, kernel: 5, padding: 2, size: 16),
        Layer(net: "CNN32", batch: 2, inputs: 64, outputs: 128, kernel: 5, padding: 2, size: 8),
        Layer(net: "CNN32_S", batch: 2, inputs: 3, outputs: 32, kernel: 3, padding: 1, size: 32),
        Layer(net: "CNN32_S", batch: 2, inputs: 32, outputs: 64, kernel: 3, padding: 1, size: 16),
        Layer(net: "CNN32_S", batch: 2, inputs: 64, outputs: 128, kernel: 3, padding: 1, size: 8),
        Layer(net: "CNN32", batch: 2, inputs: 128, outputs: 1, kernel: 1, padding: 0, size: 8),
        // FCDD_CNN32_LW3K.
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 3, outputs: 128, kernel: 3, padding: 1, size: 32),
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 128, outputs: 256, kernel: 3, padding: 1, size: 16),
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 256, outputs: 256, kernel: 3, padding: 1, size: 16),
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 256, outputs: 128, kernel: 3, padding: 1, size: 8),
        // The VGG11-BN features up to index 20, and the VGG net's conv_final.
        Layer(net: "VGG", batch: 1, inputs: 3, outputs: 64, kernel: 3, padding: 1, size: 224),
        Layer(net: "VGG", batch: 1, inputs: 64, outputs: 128, kernel: 3, padding: 1, size: vggSecondLayerSize),
        Layer(net: "VGG", batch: 1, inputs: 128, outputs: 256, kernel: 3, padding: 1, size: 56),
        Layer(net: "VGG", batch: 1, inputs: 256, outputs: 256, kernel: 3, padding: 1, size: 56),
        Layer(net: "VGG", batch: 1, inputs: 256, outputs: 512, kernel: 3, padding: 1, size: 28),
        Layer(net: "VGG", batch: 1, inputs: 512, outputs: 512, kernel: 3, padding: 1, size: 28),
        Layer(net: "VGG", batch: 1, inputs: 512, outputs: 1, kernel: 1, padding: 0, size: 28),
    ]

    /// The largest difference between `algorithm`'s results on `layer` and the lowering's, for
    /// the forward pass, the input gradient and the weight gradient, each relative to the
    /// lowering's largest magnitude.
    static func relativeErrors(
        _ layer: Layer, algorithm: ConvolutionAlgorithm, instructionSet: KernelInstructionSet = .automatic
    ) throws -> [Float] {
        let geometry = try layer.geometry()
        let operands = ConvolutionOperands(geometry)
        let lowered = ConvolutionRun(geometry, operands: operands, bias: true, algorithm: .lowering)
        let run = ConvolutionRun(
            geometry, operands: operands, bias: true, algorithm: algorithm,
            instructionSet: instructionSet)
        #expect(!run.containsNaN)
        return [
            maxDifference(run.output, lowered.output) / maxMagnitude(lowered.output),
            maxDifference(run.inputGradient, lowered.inputGradient) / maxMagnitude(lowered.inputGradient),
            maxDifference(run.weightGradient, lowered.weightGradient) / maxMagnitude(lowered.weightGradient),
        ]
    }

    /// Measured (AMD EPYC with AVX-512, debug and release alike): at most 9.3e-6 forward,
    /// 5.2e-6 input gradient, 6.1e-6 weight gradient, all on CNN28_W's 128→128 5×5 layer
    /// (F(4×4, 5×5) rounds more than F(4×4, 3×3), whose layers stay below 6e-6). Layers that
    /// Winograd does not take (few channels, 1×1) run the lowering and match it exactly.
    @Test(arguments: layers)
    func winogradMatchesTheLowering(layer: Layer) throws {
        let errors = try Self.relativeErrors(layer, algorithm: .winograd)
        #expect(errors.allSatisfy { $0 < 3e-5 }, "forward, input gradient, weight gradient: \(errors)")
    }

    /// Measured (as above, AVX-512 and AVX2 alike): at most 2.6e-6 forward and 2.6e-6 input
    /// gradient (VGG 512→512), and 5.2e-6 weight gradient (VGG 64→128 at 112², a sum over
    /// 12 544 positions; 2.3e-6 at 56²).
    @Test(
        .enabled(if: ConvolutionAlgorithm.isDirectSupported, "the direct kernels need AVX-512F or AVX2 with FMA"),
        arguments: directSets, layers)
    func directMatchesTheLowering(instructionSet: KernelInstructionSet, layer: Layer) throws {
        let errors = try Self.relativeErrors(layer, algorithm: .direct, instructionSet: instructionSet)
        #expect(errors.allSatisfy { $0 < 1.5e-5 }, "forward, input gradient, weight gradient: \(errors)")
    }
}
