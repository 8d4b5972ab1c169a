import CConvolution

/// Which algorithm runs ``Tensor/conv2d(_:weight:bias:stride:padding:dilation:groups:)`` (and
/// the input gradient a convolution shares with ``Tensor/convTranspose2d(_:weight:bias:stride:padding:outputPadding:dilation:groups:)``),
/// chosen through ``ComputeSettings/convolution``.
///
/// Each algorithm takes the shapes it is made for and leaves the rest to the lowering; all
/// give the same results up to float rounding. The choice is the same in every build
/// configuration, so a debug build's tests run the kernels that a release build ships.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// The fastest for each shape (the default): ``winograd`` where it applies, else
    /// ``direct`` where the CPU and the shape allow, else the lowering.
    case automatic
    /// im2col lowering and the BLAS's GEMM for every convolution.
    case lowering
    /// Direct kernels (`Sources/CConvolution`, for AVX-512F and for AVX2 with FMA, see
    /// ``KernelInstructionSet``) for the forward pass and both gradients of convolutions with
    /// stride 1, dilation 1, one group and at least 16 input and 16 output channels, and for
    /// the forward pass of the first layers (fewer than 16 input channels, at least 12 output
    /// channels, rows of at least 16 outputs); the lowering for the rest, and for everything on
    /// a CPU with neither (see ``isDirectSupported``) or under
    /// ``KernelInstructionSet/portable``.
    case direct
    /// Winograd transforms with the BLAS's GEMM for the forward pass and both gradients of 3×3
    /// and 5×5 convolutions with stride 1, dilation 1, one group and at least 16 input and 16
    /// output channels; the lowering for the rest. The tile is chosen per shape by measured
    /// error and speed: F(4×4, r×r) (36 multiplies per 16 outputs instead of 144 for 3×3, 64
    /// instead of 400 for 5×5), except for the forward pass of output planes up to 8×8, which
    /// runs on the more accurate F(2×2, r×r). Runs on every CPU; the transforms follow
    /// ``ComputeSettings/instructionSet``.
    ///
    /// Error bound: against an exact (float64) convolution on every Winograd layer shape of the
    /// FCDD nets, each result (output, input gradient, weight gradient) is within 4e-6 (3×3)
    /// and 6e-6 (5×5) of its largest magnitude; measured up to 2.8e-6 and 4.9e-6, and up to
    /// 4.9e-7 and 1.3e-6 for the forward pass of the 8×8 planes (the lowering: 1.4e-7 to
    /// 5e-7). That is about ten times the rounding of a direct sum, and matters where training
    /// amplifies it, such as batch norm over a few samples right after the convolution.
    case winograd

    /// Whether ``direct`` can run here: the CPU supports AVX-512F or AVX2 with FMA
    /// (``KernelInstructionSet/bestSupported`` is not ``KernelInstructionSet/portable``).
    public static let isDirectSupported: Bool = KernelInstructionSet.bestSupported != .portable

    /// Whether the Winograd kernels run, where their shape allows, under this algorithm.
    var usesWinograd: Bool { self == .winograd || self == .automatic }

    /// The direct kernels that run, where their shape allows, under this algorithm and
    /// `instructionSet`; nil where none does.
    func directKernels(on instructionSet: KernelInstructionSet) -> DirectKernelSet? {
        self == .direct || self == .automatic ? instructionSet.directKernels : nil
    }
}

/// Input and output channels below which the direct kernel loses to the lowering.
private let directMinimumChannels = 16

/// Output channels (one register tile) and row length (one vector) below which the kernel for
/// few input channels is not used.
private let narrowMinimumOutputChannels = 12
private let narrowMinimumWidth = 16

extension ConvolutionGeometry {
    /// Whether the forward pass runs on a direct kernel under `algorithm` and `instructionSet`.
    func forwardRunsDirect(
        under algorithm: ConvolutionAlgorithm, instructionSet: KernelInstructionSet = .automatic
    ) -> Bool {
        algorithm.directKernels(on: instructionSet) != nil && isDirectShape
    }

    /// Whether the input gradient runs on a direct kernel under `algorithm` and
    /// `instructionSet`: a convolution of the output gradient with the flipped weight, whose
    /// padding `kernel − 1 − padding` must not be negative.
    func inputGradientRunsDirect(
        under algorithm: ConvolutionAlgorithm, instructionSet: KernelInstructionSet = .automatic
    ) -> Bool {
        algorithm.directKernels(on: instructionSet) != nil && isDirectShape
            && padding.top < kernel.height && padding.left < kernel.width
    }

    /// Whether the weight gradient runs on a direct kernel under `algorithm` and
    /// `instructionSet` (kernels up to 12 columns wide: the AVX-512 kernel keeps one kernel row
    /// in a register tile; the AVX2 one would take any width, but both sets take the same
    /// shapes).
    func weightGradientRunsDirect(
        under algorithm: ConvolutionAlgorithm, instructionSet: KernelInstructionSet = .automatic
    ) -> Bool {
        algorithm.directKernels(on: instructionSet) != nil && isDirectShape && kernel.width <= 12
    }

    /// Whether the forward pass runs on the direct kernel for few input channels under
    /// `algorithm` and `instructionSet`: the first layers (fewer than 16 input channels, at
    /// least 12 output channels, rows of at least 16 outputs), whose tile runs along the
    /// output rows.
    func forwardRunsNarrowDirect(
        under algorithm: ConvolutionAlgorithm, instructionSet: KernelInstructionSet = .automatic
    ) -> Bool {
        algorithm.directKernels(on: instructionSet) != nil
            && stride == Size2D(1, 1) && dilation == Size2D(1, 1) && groups == 1
            && batch > 0 && outputHeight > 0 && outputWidth >= narrowMinimumWidth
            && inputChannels < directMinimumChannels && outputChannels >= narrowMinimumOutputChannels
    }

    /// Stride 1, dilation 1, one group, and enough channels on both sides: the tile computes
    /// 32 (AVX-512) or 16 (AVX2) output channels at a time and loses to the lowering when
    /// either side is narrow (the first layers with 1 or 3 input channels, the last ones with
    /// 1 output channel).
    private var isDirectShape: Bool {
        stride == Size2D(1, 1) && dilation == Size2D(1, 1) && groups == 1 && batch > 0 && outputPlane > 0
            && inputChannels >= directMinimumChannels && outputChannels >= directMinimumChannels
    }

    /// The forward pass as the direct kernel sees it.
    var directForwardShape: cconv_geometry {
        cconv_geometry(
            batch: batch, in_channels: inputChannels, height: height, width: width, out_channels: outputChannels,
            kernel_height: kernel.height, kernel_width: kernel.width, pad_top: padding.top, pad_left: padding.left,
            out_height: outputHeight, out_width: outputWidth)
    }

    /// The input gradient as a direct convolution: output gradient in, input gradient out.
    private var directInputGradientShape: cconv_geometry {
        cconv_geometry(
            batch: batch, in_channels: outputChannels, height: outputHeight, width: outputWidth,
            out_channels: inputChannels, kernel_height: kernel.height, kernel_width: kernel.width,
            pad_top: kernel.height - 1 - padding.top, pad_left: kernel.width - 1 - padding.left,
            out_height: height, out_width: width)
    }

    /// y = conv(x, w) + bias on the direct kernels `kernels` (see
    /// ``forwardRunsDirect(under:instructionSet:)``).
    func directForward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, kernels: DirectKernelSet, threads: Int
    ) {
        Self.runDirect(
            directForwardShape, kernels: kernels, input: input, weight: weight, bias: bias, into: output,
            threads: threads)
    }

    /// y = conv(x, w) + bias on the kernel for few input channels of `kernels` (see
    /// ``forwardRunsNarrowDirect(under:instructionSet:)``).
    func narrowDirectForward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, kernels: DirectKernelSet, threads: Int
    ) {
        Self.runDirect(
            directForwardShape, kernels: kernels, tile: .rows, input: input, weight: weight, bias: bias,
            into: output, threads: threads)
    }

    /// The input gradient (overwritten) on the direct kernels `kernels` (see
    /// ``inputGradientRunsDirect(under:instructionSet:)``).
    func directInputGradient(
        weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, into inputGradient: UnsafeMutablePointer<Float>,
        kernels: DirectKernelSet, threads: Int
    ) {
        Self.runDirect(
            directInputGradientShape, kernels: kernels, input: outputGradient, weight: weight,
            transposeFlip: true, bias: nil, into: inputGradient, threads: threads)
    }

    /// The weight gradient (overwritten) on the direct kernels `kernels` (see
    /// ``weightGradientRunsDirect(under:instructionSet:)``): the images are split over
    /// `threads` threads, each summing into its own packed gradient; the parts are added and
    /// unpacked at the end.
    func directWeightGradient(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>,
        kernels: DirectKernelSet, threads: Int
    ) {
        #if arch(x86_64)
        var shape = directForwardShape
        let packedCount = kernels.packedWeightFloats(&shape, tile: .channels)
        let workspaceCount = kernels.weightGradientWorkspaceFloats(&shape)
        let parts = ImageParts(batch: batch, threads: threads)
        BufferCache.shared.withBuffer(count: parts.count * packedCount) { partials in
            partials.update(repeating: 0, count: parts.count * packedCount)
            parts.run { part, images in
                var partShape = shape
                BufferCache.shared.withBuffer(count: workspaceCount) { workspace in
                    kernels.weightGradient(
                        &partShape, input: input, outputGradient: outputGradient,
                        into: partials + part * packedCount, images: images, workspace: workspace)
                }
            }
            parts.sumPartials(partials, length: packedCount)
            kernels.unpackWeightGradient(&shape, partials, into: weightGradient)
        }
        #else
        preconditionFailure("the direct convolution runs on x86-64 only (directKernels is nil elsewhere)")
        #endif
    }

    /// Packs the weight once for `tile` of `kernels`, then splits the images over `threads`
    /// threads.
    private static func runDirect(
        _ shape: cconv_geometry, kernels: DirectKernelSet, tile: DirectKernelSet.Tile = .channels,
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, transposeFlip: Bool = false,
        bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>, threads: Int
    ) {
        #if arch(x86_64)
        var shape = shape
        let packedCount = kernels.packedWeightFloats(&shape, tile: tile)
        let workspaceCount = kernels.workspaceFloats(&shape, tile: tile)
        BufferCache.shared.withBuffer(count: packedCount) { packed in
            kernels.packWeight(&shape, tile: tile, weight: weight, transposeFlip: transposeFlip, into: packed)
            parallelChunks(count: shape.batch, minimumChunk: 1, threads: threads) { images in
                var chunkShape = shape
                BufferCache.shared.withBuffer(count: workspaceCount) { workspace in
                    kernels.forward(
                        &chunkShape, tile: tile, input: input, packedWeight: packed, bias: bias, into: output,
                        images: images, workspace: workspace)
                }
            }
        }
        #else
        preconditionFailure("the direct convolution runs on x86-64 only (directKernels is nil elsewhere)")
        #endif
    }
}
