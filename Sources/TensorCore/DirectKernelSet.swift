import CConvolution

/// The C entry points of the direct convolution kernels for one instruction set
/// (`Sources/CConvolution/direct_convolution.c` for AVX-512F, `direct_convolution_avx2.c` for
/// AVX2 with FMA). Both sets have the same contracts; their weights are packed in blocks of
/// different sizes, so a weight must be packed and used by the same set. Chosen per call from
/// ``KernelInstructionSet/directKernels``, which only names a set the CPU supports.
enum DirectKernelSet: Sendable {
    case avx512
    case avx2

    /// The two forward kernels: the tile across output channels (deep layers, and the input
    /// gradient) and the tile along output rows (few input channels).
    enum Tile {
        case channels
        case rows
    }

    /// Floats of the weight packed for `tile`.
    func packedWeightFloats(_ shape: inout cconv_geometry, tile: Tile) -> Int {
        switch (self, tile) {
        case (.avx512, .channels): cconv_packed_weight_floats(&shape)
        case (.avx512, .rows): cconv_narrow_packed_weight_floats(&shape)
        case (.avx2, .channels): cconv_avx2_packed_weight_floats(&shape)
        case (.avx2, .rows): cconv_avx2_narrow_packed_weight_floats(&shape)
        }
    }

    /// Floats of scratch space one thread of the forward kernel for `tile` needs.
    func workspaceFloats(_ shape: inout cconv_geometry, tile: Tile) -> Int {
        switch (self, tile) {
        case (.avx512, .channels): cconv_workspace_floats(&shape)
        case (.avx2, .channels): cconv_avx2_workspace_floats(&shape)
        case (_, .rows): cconv_narrow_workspace_floats(&shape)
        }
    }

    /// Packs an OIHW `weight` for `tile` (with `transposeFlip`, the weight of the convolution
    /// whose input gradient this computes; the tile across channels only).
    func packWeight(
        _ shape: inout cconv_geometry, tile: Tile, weight: UnsafePointer<Float>, transposeFlip: Bool,
        into packed: UnsafeMutablePointer<Float>
    ) {
        switch (self, tile) {
        case (.avx512, .channels): cconv_pack_weight(&shape, weight, transposeFlip ? 1 : 0, packed)
        case (.avx512, .rows): cconv_narrow_pack_weight(&shape, weight, packed)
        case (.avx2, .channels): cconv_avx2_pack_weight(&shape, weight, transposeFlip ? 1 : 0, packed)
        case (.avx2, .rows): cconv_avx2_narrow_pack_weight(&shape, weight, packed)
        }
    }

    /// Floats of scratch space one thread of the weight-gradient kernel needs.
    func weightGradientWorkspaceFloats(_ shape: inout cconv_geometry) -> Int {
        switch self {
        case .avx512: cconv_weight_gradient_workspace_floats(&shape)
        case .avx2: cconv_avx2_weight_gradient_workspace_floats(&shape)
        }
    }

    /// Writes a packed weight gradient as OIHW.
    func unpackWeightGradient(
        _ shape: inout cconv_geometry, _ packed: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .avx512: cconv_unpack_weight_gradient(&shape, packed, weightGradient)
        case .avx2: cconv_avx2_unpack_weight_gradient(&shape, packed, weightGradient)
        }
    }

    #if arch(x86_64)
    /// The forward kernel for `tile` on images `images`, on this thread.
    func forward(
        _ shape: inout cconv_geometry, tile: Tile, input: UnsafePointer<Float>, packedWeight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>, images: Range<Int>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        let (first, count) = (images.lowerBound, images.count)
        switch (self, tile) {
        case (.avx512, .channels):
            cconv_forward_avx512(&shape, input, packedWeight, bias, output, first, count, workspace)
        case (.avx512, .rows):
            cconv_narrow_forward_avx512(&shape, input, packedWeight, bias, output, first, count, workspace)
        case (.avx2, .channels):
            cconv_forward_avx2(&shape, input, packedWeight, bias, output, first, count, workspace)
        case (.avx2, .rows):
            cconv_narrow_forward_avx2(&shape, input, packedWeight, bias, output, first, count, workspace)
        }
    }

    /// Adds the packed weight gradient of images `images` to `packedGradient`, on this thread.
    func weightGradient(
        _ shape: inout cconv_geometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        into packedGradient: UnsafeMutablePointer<Float>, images: Range<Int>, workspace: UnsafeMutablePointer<Float>
    ) {
        let (first, count) = (images.lowerBound, images.count)
        switch self {
        case .avx512:
            cconv_weight_gradient_avx512(&shape, input, outputGradient, packedGradient, first, count, workspace)
        case .avx2:
            cconv_weight_gradient_avx2(&shape, input, outputGradient, packedGradient, first, count, workspace)
        }
    }
    #endif
}
