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
    /// im2col lowering and `cblas_sgemm` for every convolution.
    case lowering
    /// Direct AVX-512 kernels (`Sources/CConvolution`) for the forward pass and both gradients
    /// of convolutions with stride 1, dilation 1, one group and at least 16 input and 16 output
    /// channels, and for the forward pass of the first layers (fewer than 16 input channels,
    /// at least 12 output channels, rows of at least 16 outputs); the lowering for the rest,
    /// and for everything on a CPU without AVX-512F (see ``isDirectSupported``).
    case direct
    /// Winograd transforms F(4×4, 3×3) and F(4×4, 5×5) with `cblas_sgemm` for the forward pass
    /// and both gradients of 3×3 and 5×5 convolutions with stride 1, dilation 1, one group and
    /// at least 16 input and 16 output channels; the lowering for the rest. Runs on every CPU;
    /// its results differ from the others by float rounding of the transforms, 1e-6 to 3e-6 of
    /// the output's largest magnitude (about ten times the rounding of a direct sum).
    case winograd

    /// Whether ``direct`` can run here (the CPU supports AVX-512F).
    public static let isDirectSupported: Bool = cconv_avx512_supported() == 1

    /// Whether the Winograd kernels run, where their shape allows, under this algorithm.
    var usesWinograd: Bool { self == .winograd || self == .automatic }

    /// Whether the direct kernels run, where their shape allows, under this algorithm.
    var usesDirectKernels: Bool { (self == .direct || self == .automatic) && Self.isDirectSupported }
}

/// Input and output channels below which the direct kernel loses to the lowering.
private let directMinimumChannels = 16

/// Output channels (one register tile) and row length (one vector) below which the kernel for
/// few input channels is not used.
private let narrowMinimumOutputChannels = 12
private let narrowMinimumWidth = 16

extension ConvolutionGeometry {
    /// Whether the forward pass runs on the direct kernel under `algorithm`.
    func forwardRunsDirect(under algorithm: ConvolutionAlgorithm) -> Bool {
        algorithm.usesDirectKernels && isDirectShape
    }

    /// Whether the input gradient runs on the direct kernel under `algorithm`: a convolution
    /// of the output gradient with the flipped weight, whose padding `kernel − 1 − padding`
    /// must not be negative.
    func inputGradientRunsDirect(under algorithm: ConvolutionAlgorithm) -> Bool {
        algorithm.usesDirectKernels && isDirectShape
            && padding.top < kernel.height && padding.left < kernel.width
    }

    /// Whether the weight gradient runs on the direct kernel under `algorithm` (kernels up to
    /// 12 columns wide: one kernel row must fit in a register tile).
    func weightGradientRunsDirect(under algorithm: ConvolutionAlgorithm) -> Bool {
        algorithm.usesDirectKernels && isDirectShape && kernel.width <= 12
    }

    /// Whether the forward pass runs on the direct kernel for few input channels under
    /// `algorithm`: the first layers (fewer than 16 input channels, at least 12 output
    /// channels, rows of at least 16 outputs), whose tile runs along the output rows.
    func forwardRunsNarrowDirect(under algorithm: ConvolutionAlgorithm) -> Bool {
        algorithm.usesDirectKernels && stride == Size2D(1, 1) && dilation == Size2D(1, 1) && groups == 1
            && batch > 0 && outputHeight > 0 && outputWidth >= narrowMinimumWidth
            && inputChannels < directMinimumChannels && outputChannels >= narrowMinimumOutputChannels
    }

    /// Stride 1, dilation 1, one group, and enough channels on both sides: the tile computes
    /// 32 output channels at a time and loses to the lowering when either side is narrow (the
    /// first layers with 1 or 3 input channels, the last ones with 1 output channel).
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

    /// y = conv(x, w) + bias on the direct kernel (see ``forwardRunsDirect(under:)``).
    func directForward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, threads: Int
    ) {
        Self.runDirect(directForwardShape, input: input, weight: weight, bias: bias, into: output, threads: threads)
    }

    /// y = conv(x, w) + bias on the kernel for few input channels (see
    /// ``forwardRunsNarrowDirect(under:)``).
    func narrowDirectForward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, threads: Int
    ) {
        Self.runDirect(directForwardShape, kernel: .rows, input: input, weight: weight, bias: bias, into: output,
                       threads: threads)
    }

    /// The input gradient (overwritten) on the direct kernel (see ``inputGradientRunsDirect(under:)``).
    func directInputGradient(
        weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, into inputGradient: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        Self.runDirect(directInputGradientShape, input: outputGradient, weight: weight, transposeFlip: true, bias: nil,
                       into: inputGradient, threads: threads)
    }

    /// The weight gradient (overwritten) on the direct kernel (see
    /// ``weightGradientRunsDirect(under:)``): the images are split over `threads` threads,
    /// each summing into its own packed gradient; the parts are added and unpacked at the end.
    func directWeightGradient(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        #if arch(x86_64)
        var shape = directForwardShape
        let packedCount = cconv_packed_weight_floats(&shape)
        let workspaceCount = cconv_weight_gradient_workspace_floats(&shape)
        let parts = ImageParts(batch: batch, threads: threads)
        BufferCache.shared.withBuffer(count: parts.count * packedCount) { partials in
            partials.update(repeating: 0, count: parts.count * packedCount)
            parts.forEach { part, images in
                var partShape = shape
                BufferCache.shared.withBuffer(count: workspaceCount) { workspace in
                    cconv_weight_gradient_avx512(&partShape, input, outputGradient, partials + part * packedCount,
                                                 images.lowerBound, images.count, workspace)
                }
            }
            parts.sumPartials(partials, length: packedCount)
            cconv_unpack_weight_gradient(&shape, partials, weightGradient)
        }
        #else
        preconditionFailure("the direct convolution runs on x86-64 only (isDirectSupported is false elsewhere)")
        #endif
    }

    /// The two forward kernels: the 32-channel tile (``forwardRunsDirect(under:)``, and the
    /// input gradient) and the row tile for few input channels (``forwardRunsNarrowDirect(under:)``).
    private enum DirectKernel {
        case channels
        case rows
    }

    /// Packs the weight once for `kernel`, then splits the images over `threads` threads.
    private static func runDirect(
        _ shape: cconv_geometry, kernel: DirectKernel = .channels, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, transposeFlip: Bool = false, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, threads: Int
    ) {
        #if arch(x86_64)
        var shape = shape
        let packedCount = kernel == .rows ? cconv_narrow_packed_weight_floats(&shape) : cconv_packed_weight_floats(&shape)
        let workspaceCount = kernel == .rows ? cconv_narrow_workspace_floats(&shape) : cconv_workspace_floats(&shape)
        BufferCache.shared.withBuffer(count: packedCount) { packed in
            if kernel == .rows {
                cconv_narrow_pack_weight(&shape, weight, packed)
            } else {
                cconv_pack_weight(&shape, weight, transposeFlip ? 1 : 0, packed)
            }
            parallelChunks(count: shape.batch, minimumChunk: 1, threads: threads) { images in
                var chunkShape = shape
                BufferCache.shared.withBuffer(count: workspaceCount) { workspace in
                    if kernel == .rows {
                        cconv_narrow_forward_avx512(&chunkShape, input, packed, bias, output, images.lowerBound,
                                                    images.count, workspace)
                    } else {
                        cconv_forward_avx512(&chunkShape, input, packed, bias, output, images.lowerBound, images.count,
                                             workspace)
                    }
                }
            }
        }
        #else
        preconditionFailure("the direct convolution runs on x86-64 only (isDirectSupported is false elsewhere)")
        #endif
    }
}
