import CConvolution

/// Floats of each transformed block (tiles × channels × α²) per thread: 8 MB, so a block's
/// GEMM operands stay close to the caches and the workspace stays small next to the
/// activations.
private let winogradBlockBudget = 1 << 21

/// Input and output channels below which the transforms cost more than the GEMMs save.
private let winogradMinimumChannels = 16

/// One Winograd algorithm F(m×m, r×r): every m×m tile of the output from an α×α tile of the
/// input, α = m + r − 1, with α² multiplies per input and output channel pair instead of m²·r².
/// Larger tiles save more multiplies and round more (see ``ConvolutionAlgorithm/winograd``).
struct WinogradTile: Hashable, Sendable, CustomStringConvertible {
    /// m, the output rows and columns of one tile.
    let outputTile: Int
    /// r, the kernel's rows and columns.
    let kernel: Int
    /// The α − 1 finite interpolation points, or nil for the default ones (the first α − 1 of
    /// 0, 1, −1, 2, −½, ½, −2).
    var points: [Double]? = nil

    /// α = m + r − 1, the input rows and columns of one tile.
    var alpha: Int { outputTile + kernel - 1 }

    /// `F(m×m, r×r)`, with the points where they are not the default ones.
    var description: String {
        "F(\(outputTile)×\(outputTile), \(kernel)×\(kernel))" + (points.map { " on \($0)" } ?? "")
    }

    /// The tiles the convolutions choose from, per kernel size.
    static let candidates: [WinogradTile] = [2, 4].flatMap { m in [3, 5].map { WinogradTile(outputTile: m, kernel: $0) } }
}

/// Output planes of at most this many outputs (8×8: at most four 4×4 tiles) run their forward
/// pass on the 2×2 tile (see ``ConvolutionGeometry/winogradTile(under:for:)``).
private let accurateForwardPlane = 64

/// The passes of a convolution, which may run on different Winograd tiles.
enum WinogradPass {
    /// y = conv(x, w) + bias.
    case forward
    /// The input and weight gradients.
    case gradients
}

extension ConvolutionGeometry {
    /// Whether the forward pass and both gradients run on Winograd transforms under
    /// `algorithm` (see ``winogradTile(under:for:)``).
    func runsWinograd(under algorithm: ConvolutionAlgorithm) -> Bool {
        winogradTile(under: algorithm, for: .forward) != nil
    }

    /// The Winograd tile `pass` runs on under `algorithm`, nil for none. Winograd takes stride
    /// 1, dilation 1, one group, a square 3×3 or 5×5 kernel and at least 16 channels on both
    /// sides, when one image's transformed tiles fit in four blocks (32 MB), so very large
    /// images do not make the workspace grow with them (they take the direct kernel or the
    /// lowering); then both passes run on it.
    ///
    /// The tile, chosen per shape by measured error and speed (WinogradAccuracyTests,
    /// Documentation/Performance.md): F(4×4, r×r), except for the forward pass of output
    /// planes of at most 8×8, which runs on F(2×2, r×r). Those are the last convolutions of the
    /// 32×32 nets, which feed the heads (the FCDD map, the HSC features, an autoencoder's
    /// bottleneck and its batch norm); there F(4×4, 3×3)'s forward error was the largest
    /// measured (3.1e-6 of the output's largest magnitude, against 4.9e-7 for F(2×2, 3×3)) and
    /// was amplified past the PyTorch fixtures' tolerance by training-mode batch norm over a
    /// batch of three, while the 2×2 tile costs least there (a few tiles per image). Elsewhere
    /// F(2×2, r×r) would cost 1.3–2.6× the time of F(4×4, r×r) (1.78× the multiplies for 3×3),
    /// on the layers that carry most of a step's work; its gradients are accurate enough on
    /// F(4×4, r×r) (the fixture's gradients barely change when they run on F(2×2, r×r)).
    func winogradTile(under algorithm: ConvolutionAlgorithm, for pass: WinogradPass) -> WinogradTile? {
        guard algorithm.usesWinograd, stride == Size2D(1, 1), dilation == Size2D(1, 1), groups == 1,
            kernel.height == kernel.width, kernel.height == 3 || kernel.height == 5,
            batch > 0, outputPlane > 0,
            inputChannels >= winogradMinimumChannels, outputChannels >= winogradMinimumChannels,
            fitsWinogradBlocks(WinogradTile(outputTile: 4, kernel: kernel.height))
        else { return nil }
        let tile = WinogradTile(outputTile: pass == .forward && outputPlane <= accurateForwardPlane ? 2 : 4, kernel: kernel.height)
        return fitsWinogradBlocks(tile) ? tile : nil
    }

    /// Whether one image's transformed tiles for `tile` fit in four blocks.
    private func fitsWinogradBlocks(_ tile: WinogradTile) -> Bool {
        let tiles = ceilDivide(outputHeight, tile.outputTile) * ceilDivide(outputWidth, tile.outputTile)
        return tile.alpha * tile.alpha * tiles * Swift.max(inputChannels, outputChannels) <= 4 * winogradBlockBudget
    }

    /// y = conv(x, w) + bias with the Winograd transforms of `tile`, run on `instructionSet`
    /// (see ``winogradTile(under:for:)``). The images are split over `threads` threads; each, per
    /// block of its images, transforms the input tiles, runs the α² GEMMs against the
    /// transformed weight on one OpenBLAS thread, and transforms the products back.
    func winogradForward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation,
        into output: UnsafeMutablePointer<Float>, tile: WinogradTile, instructionSet: KernelInstructionSet, threads: Int
    ) {
        let layout = WinogradLayout(self, tile: tile, instructionSet: instructionSet, threads: threads)
        let (ins, outs, transforms) = (inputChannels, outputChannels, layout.transformCount)
        BufferCache.shared.withBuffer(count: transforms * ins * outs) { transformedWeight in
            layout.transformWeight(weight, into: transformedWeight)
            layout.parts.run { part, images in
                BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: ins)) { tiles in
                    BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: outs)) { products in
                        BufferCache.shared.withBuffer(count: layout.workspaceCount) { workspace in
                            for block in layout.blocks(of: images) {
                                layout.transformInput(input, block: block, into: tiles, workspace: workspace)
                                for xi in 0..<transforms {
                                    gemm(
                                        tiles + xi * ins, transposeA: false, transformedWeight + xi * ins * outs,
                                        transposeB: false, into: products + xi * outs,
                                        m: block.count * layout.tilesPerImage, n: outs, k: ins,
                                        rowStrideA: transforms * ins, rowStrideC: transforms * outs, threads: 1)
                                }
                                layout.transformOutput(
                                    products, bias: bias, activation: activation, block: block, into: output,
                                    workspace: workspace)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The gradients of ``winogradForward(input:weight:bias:activation:into:tile:instructionSet:threads:)``, each only when asked for
    /// (both overwritten), as the exact adjoints of its transforms: per block, the output
    /// gradient's tiles dM = A dY Aᵀ; the transformed weight gradient dU += Vᵀ dM (V the input
    /// tiles), summed over the blocks and threads, finally Gᵀ dU G; the input tiles' gradient
    /// dV = dM Uᵀ, added back into the image as B dV Bᵀ.
    func winogradBackward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?, tile: WinogradTile,
        instructionSet: KernelInstructionSet, threads: Int
    ) {
        let layout = WinogradLayout(self, tile: tile, instructionSet: instructionSet, threads: threads)
        let (ins, outs, transforms) = (inputChannels, outputChannels, layout.transformCount)
        let weightCount = transforms * ins * outs
        let partialCount = weightGradient == nil ? 0 : weightCount
        BufferCache.shared.withBuffer(count: inputGradient == nil ? 0 : weightCount) { transformedWeight in
            if inputGradient != nil { layout.transformWeight(weight, into: transformedWeight) }
            BufferCache.shared.withBuffer(count: layout.parts.count * partialCount) { partials in
                partials.update(repeating: 0, count: layout.parts.count * partialCount)
                layout.parts.run { part, images in
                    BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: ins)) { tiles in
                        BufferCache.shared.withBuffer(count: layout.blockTileFloats(channels: outs)) { gradientTiles in
                            BufferCache.shared.withBuffer(count: layout.workspaceCount) { workspace in
                                for block in layout.blocks(of: images) {
                                    let tileCount = block.count * layout.tilesPerImage
                                    layout.transformOutputGradient(
                                        outputGradient, block: block, into: gradientTiles,
                                        workspace: workspace)
                                    if weightGradient != nil {
                                        layout.transformInput(input, block: block, into: tiles, workspace: workspace)
                                        for xi in 0..<transforms {
                                            gemm(
                                                tiles + xi * ins, transposeA: true, gradientTiles + xi * outs,
                                                transposeB: false, into: partials + part * partialCount + xi * ins * outs,
                                                m: ins, n: outs, k: tileCount, accumulate: true,
                                                rowStrideA: transforms * ins, rowStrideB: transforms * outs, threads: 1)
                                        }
                                    }
                                    guard let inputGradient else { continue }
                                    // The input tiles are no longer needed: their buffer takes dV.
                                    for xi in 0..<transforms {
                                        gemm(
                                            gradientTiles + xi * outs, transposeA: false,
                                            transformedWeight + xi * ins * outs, transposeB: true,
                                            into: tiles + xi * ins, m: tileCount, n: ins, k: outs,
                                            rowStrideA: transforms * outs, rowStrideC: transforms * ins, threads: 1)
                                    }
                                    layout.transformInputGradient(
                                        tiles, block: block, into: inputGradient,
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

/// The tiling of one Winograd convolution F(m×m, r×r) and the calls into its transforms, on
/// the tile's interpolation points.
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

    init(_ geometry: ConvolutionGeometry, tile: WinogradTile, instructionSet: KernelInstructionSet, threads: Int) {
        self.threads = threads
        shape = geometry.directForwardShape
        let made =
            if let points = tile.points, points.count == tile.alpha - 1 {
                cconv_winograd_make_plan_on_points(tile.outputTile, tile.kernel, points, &plan)
            } else {
                tile.points == nil ? cconv_winograd_make_plan(tile.outputTile, tile.kernel, &plan) : 0
            }
        precondition(made == 1 && tile.kernel == geometry.kernel.height, "no Winograd plan \(tile) for a \(geometry.kernel) kernel")
        plan.instruction_level = instructionSet.winogradLevel
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
            cconv_winograd_transform_weight_gradient(
                &plan, &shape, transformed, channels.lowerBound, channels.count,
                weightGradient)
        }
    }

    func transformInput(
        _ input: UnsafePointer<Float>, block: Range<Int>, into tiles: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_input(
            &plan, &shape, input, block.lowerBound, block.lowerBound, block.count, tiles,
            workspace)
    }

    func transformOutput(
        _ products: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation, block: Range<Int>,
        into output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_output(
            &plan, &shape, products, bias, activation.kernelActivation, block.lowerBound, block.lowerBound, block.count,
            output, workspace)
    }

    func transformOutputGradient(
        _ outputGradient: UnsafePointer<Float>, block: Range<Int>, into tiles: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_output_gradient(
            &plan, &shape, outputGradient, block.lowerBound, block.lowerBound,
            block.count, tiles, workspace)
    }

    func transformInputGradient(
        _ tiles: UnsafePointer<Float>, block: Range<Int>, into inputGradient: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        var (plan, shape) = (plan, shape)
        cconv_winograd_transform_input_gradient(
            &plan, &shape, tiles, block.lowerBound, block.lowerBound, block.count,
            inputGradient, workspace)
    }
}
