/// Floats of lowered matrix per block: large enough for wide GEMMs, small enough to stay
/// out of the way (16 MB).
private let loweringBudget = 1 << 22

/// Output planes at least this large get one GEMM per image, written straight into the
/// output; smaller planes share one GEMM per block and are reordered afterwards (a copy
/// that costs little next to the many multiply-adds per element of deep layers).
private let directPlaneThreshold = 512

extension ConvolutionGeometry {
    /// Whether the lowered matrix of an image is the image itself (1×1 kernel, stride 1,
    /// no padding), so no lowering is needed.
    var isPointwise: Bool {
        kernel == Size2D(1, 1) && stride == Size2D(1, 1) && padding == 0
    }

    /// Whether each image gets its own GEMM writing directly into the output (see
    /// `directPlaneThreshold`).
    var writesImagesDirectly: Bool { outputPlane >= directPlaneThreshold }

    /// Images per lowered block: as many as fit in the budget, at least one.
    var imagesPerBlock: Int {
        Swift.max(1, Swift.min(batch, loweringBudget / Swift.max(1, loweredRows * outputPlane)))
    }

    /// Blocks of consecutive images.
    var imageBlocks: [Range<Int>] {
        Swift.stride(from: 0, to: batch, by: imagesPerBlock).map { $0..<Swift.min(batch, $0 + imagesPerBlock) }
    }

    /// y = activation(conv(x, w) + bias) under `settings` (read once, by the caller): on Winograd
    /// transforms where ``winogradTile(under:for:)`` gives a tile for its algorithm, on a direct kernel
    /// of the settings' instruction set where ``forwardRunsDirect(under:instructionSet:)`` or
    /// ``forwardRunsNarrowDirect(under:instructionSet:)`` holds;
    /// otherwise, per block of images and per group, lower the block once and multiply it by
    /// the group's weight (one GEMM for the block, or one per image whose plane is large). The
    /// bias is written first and the GEMMs accumulate onto it, or it is added while reordering
    /// the block's product.
    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        activation: FusedActivation = .identity, into output: UnsafeMutablePointer<Float>, settings: ComputeSettings
    ) {
        let (algorithm, threads, instructionSet) = (settings.convolution, settings.threads, settings.instructionSet)
        if let tile = winogradTile(under: algorithm, for: .forward) {
            winogradForward(
                input: input, weight: weight, bias: bias, activation: activation, into: output, tile: tile,
                instructionSet: instructionSet, threads: threads)
            return
        }
        if activation != .identity {
            // The other algorithms write the biased output first; the activation follows in
            // one pass.
            forward(input: input, weight: weight, bias: bias, into: output, settings: settings)
            activation.apply(inPlace: output, count: batch * outputChannels * outputPlane, threads: threads)
            return
        }
        if let kernels = algorithm.directKernels(on: instructionSet) {
            if forwardRunsDirect(under: algorithm, instructionSet: instructionSet) {
                directForward(input: input, weight: weight, bias: bias, into: output, kernels: kernels, threads: threads)
                return
            }
            if forwardRunsNarrowDirect(under: algorithm, instructionSet: instructionSet) {
                narrowDirectForward(
                    input: input, weight: weight, bias: bias, into: output, kernels: kernels,
                    threads: threads)
                return
            }
        }
        let weightGroupStride = groupOutputChannels * loweredRows
        let direct = isPointwise || writesImagesDirectly || imagesPerBlock == 1
        if direct, let bias {
            parallelChunks(
                count: batch * outputChannels, minimumChunk: Swift.max(1, parallelGrain / outputPlane),
                threads: threads
            ) { planes in
                for plane in planes { (output + plane * outputPlane).update(repeating: bias[plane % outputChannels], count: outputPlane) }
            }
        }
        if isPointwise {
            for image in 0..<batch {
                for group in 0..<groups {
                    gemm(
                        weight + group * weightGroupStride, transposeA: false,
                        input + (image * inputChannels + group * groupInputChannels) * outputPlane, transposeB: false,
                        into: output + (image * outputChannels + group * groupOutputChannels) * outputPlane,
                        m: groupOutputChannels, n: outputPlane, k: groupInputChannels, accumulate: bias != nil, threads: threads)
                }
            }
            return
        }
        let blockSize = imagesPerBlock
        BufferCache.shared.withBuffer(count: loweredRows * blockSize * outputPlane) { columns in
            BufferCache.shared.withBuffer(count: direct ? 0 : groupOutputChannels * blockSize * outputPlane) { product in
                for images in imageBlocks {
                    let blockColumns = images.count * outputPlane
                    for group in 0..<groups {
                        lowerToColumns(input, group: group, images: images, into: columns, threads: threads)
                        let groupWeight = weight + group * weightGroupStride
                        let firstChannel = output + (images.lowerBound * outputChannels + group * groupOutputChannels) * outputPlane
                        if direct {
                            for block in 0..<images.count {
                                gemm(
                                    groupWeight, transposeA: false, columns + block * outputPlane, transposeB: false,
                                    into: firstChannel + block * outputChannels * outputPlane,
                                    m: groupOutputChannels, n: outputPlane, k: loweredRows, accumulate: bias != nil,
                                    rowStrideB: blockColumns, threads: threads)
                            }
                            continue
                        }
                        gemm(
                            groupWeight, transposeA: false, columns, transposeB: false,
                            into: product, m: groupOutputChannels, n: blockColumns, k: loweredRows, threads: threads)
                        // [channel, image, position] → [image, channel, position], adding the bias.
                        for channel in 0..<groupOutputChannels {
                            let shift = bias?[group * groupOutputChannels + channel] ?? 0
                            for block in 0..<images.count {
                                let from = product + channel * blockColumns + block * outputPlane
                                let to = firstChannel + (block * outputChannels + channel) * outputPlane
                                for i in 0..<outputPlane { to[i] = from[i] + shift }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of the convolution under `settings` (read once, by the caller), each only when
    /// asked for: `inputGradient` (zeroed here, then accumulated through the adjoint lowering)
    /// and `weightGradient` (overwritten). Both run on Winograd transforms where
    /// ``winogradTile(under:for:)`` gives a tile for the settings' algorithm; either runs on its direct
    /// kernel of the settings' instruction set where
    /// ``inputGradientRunsDirect(under:instructionSet:)`` or
    /// ``weightGradientRunsDirect(under:instructionSet:)`` holds; the rest on the lowering.
    func backward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?,
        settings: ComputeSettings
    ) {
        let (algorithm, threads, instructionSet) = (settings.convolution, settings.threads, settings.instructionSet)
        if let tile = winogradTile(under: algorithm, for: .gradients) {
            winogradBackward(
                input: input, weight: weight, outputGradient: outputGradient,
                inputGradient: inputGradient, weightGradient: weightGradient, tile: tile,
                instructionSet: instructionSet, threads: threads)
            return
        }
        let directInput = inputGradient != nil && inputGradientRunsDirect(under: algorithm, instructionSet: instructionSet)
        let directWeight = weightGradient != nil && weightGradientRunsDirect(under: algorithm, instructionSet: instructionSet)
        if directInput || directWeight, let kernels = algorithm.directKernels(on: instructionSet) {
            if directInput, let inputGradient {
                directInputGradient(
                    weight: weight, outputGradient: outputGradient, into: inputGradient, kernels: kernels,
                    threads: threads)
            }
            if directWeight, let weightGradient {
                directWeightGradient(
                    input: input, outputGradient: outputGradient, into: weightGradient, kernels: kernels,
                    threads: threads)
            }
            let (remainingInput, remainingWeight) = (directInput ? nil : inputGradient, directWeight ? nil : weightGradient)
            if remainingInput != nil || remainingWeight != nil {
                var lowering = settings
                lowering.convolution = .lowering
                backward(
                    input: input, weight: weight, outputGradient: outputGradient, inputGradient: remainingInput,
                    weightGradient: remainingWeight, settings: lowering)
            }
            return
        }
        let weightGroupStride = groupOutputChannels * loweredRows
        inputGradient?.update(repeating: 0, count: batch * inputChannels * height * width)
        weightGradient?.update(repeating: 0, count: outputChannels * loweredRows)
        if isPointwise {
            for image in 0..<batch {
                for group in 0..<groups {
                    let x = input + (image * inputChannels + group * groupInputChannels) * outputPlane
                    let dy = outputGradient + (image * outputChannels + group * groupOutputChannels) * outputPlane
                    if let weightGradient {
                        gemm(
                            dy, transposeA: false, x, transposeB: true, into: weightGradient + group * weightGroupStride,
                            m: groupOutputChannels, n: groupInputChannels, k: outputPlane, accumulate: true, threads: threads)
                    }
                    if let inputGradient {
                        gemm(
                            weight + group * weightGroupStride, transposeA: true, dy, transposeB: false,
                            into: inputGradient + (image * inputChannels + group * groupInputChannels) * outputPlane,
                            m: groupInputChannels, n: outputPlane, k: groupOutputChannels, threads: threads)
                    }
                }
            }
            return
        }
        let blockSize = imagesPerBlock
        let direct = writesImagesDirectly || blockSize == 1
        BufferCache.shared.withBuffer(count: loweredRows * blockSize * outputPlane) { columns in
            BufferCache.shared.withBuffer(count: direct ? 0 : groupOutputChannels * blockSize * outputPlane) { gathered in
                for images in imageBlocks {
                    let blockColumns = images.count * outputPlane
                    for group in 0..<groups {
                        let groupWeight = weight + group * weightGroupStride
                        let firstChannel = outputGradient + (images.lowerBound * outputChannels + group * groupOutputChannels) * outputPlane
                        if direct {
                            // One GEMM per image on its column block of the lowered matrix.
                            if let weightGradient {
                                lowerToColumns(input, group: group, images: images, into: columns, threads: threads)
                                for block in 0..<images.count {
                                    gemm(
                                        firstChannel + block * outputChannels * outputPlane, transposeA: false,
                                        columns + block * outputPlane, transposeB: true,
                                        into: weightGradient + group * weightGroupStride,
                                        m: groupOutputChannels, n: loweredRows, k: outputPlane, accumulate: true,
                                        rowStrideB: blockColumns, threads: threads)
                                }
                            }
                            if let inputGradient {
                                for block in 0..<images.count {
                                    gemm(
                                        groupWeight, transposeA: true, firstChannel + block * outputChannels * outputPlane,
                                        transposeB: false, into: columns + block * outputPlane,
                                        m: loweredRows, n: outputPlane, k: groupOutputChannels, rowStrideC: blockColumns,
                                        threads: threads)
                                }
                                accumulateColumns(columns, group: group, images: images, into: inputGradient, threads: threads)
                            }
                            continue
                        }
                        // The block's output gradient as [channel, image · position], then one GEMM each.
                        for channel in 0..<groupOutputChannels {
                            for block in 0..<images.count {
                                (gathered + channel * blockColumns + block * outputPlane)
                                    .update(from: firstChannel + (block * outputChannels + channel) * outputPlane, count: outputPlane)
                            }
                        }
                        if let weightGradient {
                            lowerToColumns(input, group: group, images: images, into: columns, threads: threads)
                            gemm(
                                gathered, transposeA: false, columns, transposeB: true, into: weightGradient + group * weightGroupStride,
                                m: groupOutputChannels, n: loweredRows, k: blockColumns, accumulate: true, threads: threads)
                        }
                        if let inputGradient {
                            gemm(
                                groupWeight, transposeA: true, gathered, transposeB: false,
                                into: columns, m: loweredRows, n: blockColumns, k: groupOutputChannels, threads: threads)
                            accumulateColumns(columns, group: group, images: images, into: inputGradient, threads: threads)
                        }
                    }
                }
            }
        }
    }
}
