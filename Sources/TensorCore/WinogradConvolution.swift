import CConvolution

/// Floats of each transformed block (tiles × channels × α²) per thread: 8 MB, so a block's
/// GEMM operands stay close to the caches and the workspace stays small next to the
/// activations.
private let winogradBlockBudget = 1 << 21

/// Input and output channels below which the transforms cost more than the GEMMs save.
private let winogradMinimumChannels = 16

/// Output rows and columns of one tile (the m of F(m×m, r×r)).
private let winogradOutputTile = 4

extension ConvolutionGeometry {
    /// Whether the forward pass and both gradients run on Winograd transforms under
    /// `algorithm`: stride 1, dilation 1, one group, a square 3×3 or 5×5 kernel, at least 16
    /// channels on both sides, and one image's transformed tiles within four blocks (32 MB), so
    /// very large images do not make the workspace grow with them (they take the direct kernel
    /// or the lowering).
    func runsWinograd(under algorithm: ConvolutionAlgorithm) -> Bool {
        guard algorithm.usesWinograd, stride == Size2D(1, 1), dilation == Size2D(1, 1), groups == 1,
              kernel.height == kernel.width, kernel.height == 3 || kernel.height == 5,
              batch > 0, outputPlane > 0,
              inputChannels >= winogradMinimumChannels, outputChannels >= winogradMinimumChannels else { return false }
        let alpha = winogradOutputTile + kernel.height - 1
        let tiles = ceilDivide(outputHeight, winogradOutputTile) * ceilDivide(outputWidth, winogradOutputTile)
        return alpha * alpha * tiles * Swift.max(inputChannels, outputChannels) <= 4 * winogradBlockBudget
    }

    /// y = conv(x, w) + bias with Winograd transforms (see ``runsWinograd(under:)``). The
    /// images are split over `threads` threads; each, per block of its images, transforms the
    /// input tiles, runs the α² GEMMs against the transformed weight on one OpenBLAS thread,
    /// and transforms the products back.
    func winogradForward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let layout = WinogradLayout(self, threads: threads)
        let (ins, outs, transforms) = (inputChannels, outputChannels, layout.transformCount)
        BufferCache.shared.withBuffer(count: transforms * ins * outs) { transformedWeight in
            layout.transformWeight(weight, into: transformedWeight)
            layout.parts.forEach { part, images in
                BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: ins)) { tiles in
                    BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: outs)) { products in
                        BufferCache.shared.withBuffer(count: layout.workspaceCount) { workspace in
                            for block in layout.blocks(of: images) {
                                layout.transformInput(input, block: block, into: tiles, workspace: workspace)
                                for xi in 0..<transforms {
                                    gemm(tiles + xi * ins, transposeA: false, transformedWeight + xi * ins * outs,
                                         transposeB: false, into: products + xi * outs,
                                         m: block.count * layout.tilesPerImage, n: outs, k: ins,
                                         rowStrideA: transforms * ins, rowStrideC: transforms * outs, threads: 1)
                                }
                                layout.transformOutput(products, bias: bias, block: block, into: output,
                                                       workspace: workspace)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The gradients of ``winogradForward(input:weight:bias:into:threads:)``, each only when asked for
    /// (both overwritten), as the exact adjoints of its transforms: per block, the output
    /// gradient's tiles dM = A dY Aᵀ; the transformed weight gradient dU += Vᵀ dM (V the input
    /// tiles), summed over the blocks and threads, finally Gᵀ dU G; the input tiles' gradient
    /// dV = dM Uᵀ, added back into the image as B dV Bᵀ.
    func winogradBackward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?, threads: Int
    ) {
        let layout = WinogradLayout(self, threads: threads)
        let (ins, outs, transforms) = (inputChannels, outputChannels, layout.transformCount)
        let weightCount = transforms * ins * outs
        let partialCount = weightGradient == nil ? 0 : weightCount
        BufferCache.shared.withBuffer(count: inputGradient == nil ? 0 : weightCount) { transformedWeight in
            if inputGradient != nil { layout.transformWeight(weight, into: transformedWeight) }
            BufferCache.shared.withBuffer(count: layout.parts.count * partialCount) { partials in
                partials.update(repeating: 0, count: layout.parts.count * partialCount)
                layout.parts.forEach { part, images in
                    BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: ins)) { tiles in
                        BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: outs)) { gradientTiles in
                            BufferCache.shared.withBuffer(count: layout.workspaceCount) { workspace in
                                for block in layout.blocks(of: images) {
                                    let tileCount = block.count * layout.tilesPerImage
                                    layout.transformOutputGradient(outputGradient, block: block, into: gradientTiles,
                                                                   workspace: workspace)
                                    if weightGradient != nil {
                                        layout.transformInput(input, block: block, into: tiles, workspace: workspace)
                                        for xi in 0..<transforms {
                                            gemm(tiles + xi * ins, transposeA: true, gradientTiles + xi * outs,
                                                 transposeB: false, into: partials + part * partialCount + xi * ins * outs,
                                                 m: ins, n: outs, k: tileCount, accumulate: true,
                                                 rowStrideA: transforms * ins, rowStrideB: transforms * outs, threads: 1)
                                        }
                                    }
                                    guard let inputGradient else { continue }
                                    // The input tiles are no longer needed: their buffer takes dV.
                                    for xi in 0..<transforms {
                                        gemm(gradientTiles + xi * outs, transposeA: false,
                                             transformedWeight + xi * ins * outs, transposeB: true,
                                             into: tiles + xi * ins, m: tileCount, n: ins, k: outs,
                                             rowStrideA: transforms * outs, rowStrideC: transforms * ins, threads: 1)
                                    }
                                    layout.transformInputGradient(tiles, block: block, into: inputGradient,
                                                                  workspace: workspace)
                                }
                            }
                        }
                    }
                }
                guard let weightGradient else { return }
                layout.parts.sumPartials(partials, length: partialCount)
                layout.transformWeightGradient(partials, into: weightGradient)
            }
        }
    }
}

/// The tiling of one Winograd convolution F(4×4, r×r) and the calls into its transforms:
/// α = 6 for 3×3 kernels (36 multiplies per 16 outputs instead of 144) and α = 8 for 5×5
/// (64 instead of 400); on the points 0, ±1, 2, −½ (and ½, −2 for α = 8) the float error is
/// 1e-6 to 3e-6 of the output's largest magnitude.
private struct WinogradLayout {
    private var plan = cconv_winograd_plan()
    private var shape: cconv_geometry
    /// Output tiles per image.
    let tilesPerImage: Int
    /// α², the number of GEMMs.
    let transformCount: Int
    /// Images per block of one thread.
    let imagesPerBlock: Int
    /// Floats of one thread's scratch image.
    let workspaceCount: Int
    /// The images split over the threads.
    let parts: ImageParts
    /// The threads the weight transforms are split over.
    private let threads: Int

    init(_ geometry: ConvolutionGeometry, threads: Int) {
        self.threads = threads
        shape = geometry.directForwardShape
        let made = cconv_winograd_make_plan(winogradOutputTile, geometry.kernel.height, &plan)
        precondition(made == 1, "no Winograd plan for a \(geometry.kernel.height)×\(geometry.kernel.height) kernel")
        tilesPerImage = cconv_winograd_tile_rows(&plan, &shape) * cconv_winograd_tile_columns(&plan, &shape)
        transformCount = plan.alpha * plan.alpha
        let perImage = transformCount * tilesPerImage * Swift.max(geometry.inputChannels, geometry.outputChannels)
        parts = ImageParts(batch: geometry.batch, threads: threads)
        imagesPerBlock = Swift.max(1, Swift.min(parts.imagesPerPart, winogradBlockBudget / perImage))
        workspaceCount = cconv_winograd_workspace_floats(&plan, &shape)
    }

    /// Floats of one block's transformed tiles with `channels` channels.
    func blockTileFloats(channels: Int) -> Int { transformCount * imagesPerBlock * tilesPerImage * channels }

    /// Blocks of consecutive images within `images`.
    func blocks(of images: Range<Int>) -> [Range<Int>] {
        Swift.stride(from: images.lowerBound, to: images.upperBound, by: imagesPerBlock).map {
            $0..<Swift.min(images.upperBound, $0 + imagesPerBlock)
        }
    }

    /// The weight transform, split over the threads by input channel.
    func transformWeight(_ weight: UnsafePointer<Float>, into transformed: UnsafeMutablePointer<Float>) {
        parallelChunks(count: Int(shape.in_channels), minimumChunk: 8, threads: threads) { channels in
            var (plan, shape) = (plan, shape)
            cconv_winograd_transform_weight(&plan, &shape, weight, channels.lowerBound, channels.count, transformed)
        }
    }

    /// The adjoint of the weight transform, split over the threads by input channel.
    func transformWeightGradient(_ transformed: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>) {
        parallelChunks(count: Int(shape.in_channels), minimumChunk: 8, threads: threads) { channels in
            var (plan, shape) = (plan, shape)
            cconv_winograd_transform_weight_gradient(&plan, &shape, transformed, channels.lowerBound, channels.count,
                                                     weightGradient)
        }
    }

    func transformInput(
        _ input: UnsafePointer<Float>, block: Range<Int>, into tiles: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_input(&plan, &shape, input, block.lowerBound, block.lowerBound, block.count, tiles,
                                       workspace)
    }

    func transformOutput(
        _ products: UnsafePointer<Float>, bias: UnsafePointer<Float>?, block: Range<Int>,
        into output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_output(&plan, &shape, products, bias, block.lowerBound, block.lowerBound, block.count,
                                        output, workspace)
    }

    func transformOutputGradient(
        _ outputGradient: UnsafePointer<Float>, block: Range<Int>, into tiles: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_output_gradient(&plan, &shape, outputGradient, block.lowerBound, block.lowerBound,
                                                 block.count, tiles, workspace)
    }

    func transformInputGradient(
        _ tiles: UnsafePointer<Float>, block: Range<Int>, into inputGradient: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_input_gradient(&plan, &shape, tiles, block.lowerBound, block.lowerBound, block.count,
                                                inputGradient, workspace)
    }
}
