/// Floats of lowered matrix per block: large enough for wide GEMMs, small enough to stay
/// out of the way (16 MB).
private let loweringBudget = 1 << 22

extension ConvolutionGeometry {
    /// Whether the lowered matrix of an image is the image itself (1×1 kernel, stride 1,
    /// no padding), so no lowering is needed.
    var isPointwise: Bool {
        kernel == Size2D(1, 1) && stride == Size2D(1, 1) && padding == 0
    }

    /// Images per lowered block: as many as fit in the budget, at least one.
    var imagesPerBlock: Int {
        Swift.max(1, Swift.min(batch, loweringBudget / Swift.max(1, loweredRows * outputPlane)))
    }

    /// Blocks of consecutive images.
    var imageBlocks: [Range<Int>] {
        Swift.stride(from: 0, to: batch, by: imagesPerBlock).map { $0..<Swift.min(batch, $0 + imagesPerBlock) }
    }

    /// y = conv(x, w) without bias: per block of images and per group, lower the block and
    /// multiply by the group's weight in one GEMM whose columns span the whole block.
    func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let weightGroupStride = groupOutputChannels * loweredRows
        if isPointwise {
            for image in 0..<batch {
                for group in 0..<groups {
                    gemm(weight + group * weightGroupStride, transposeA: false,
                         input + (image * inputChannels + group * groupInputChannels) * outputPlane, transposeB: false,
                         into: output + (image * outputChannels + group * groupOutputChannels) * outputPlane,
                         m: groupOutputChannels, n: outputPlane, k: groupInputChannels)
                }
            }
            return
        }
        let blockSize = imagesPerBlock
        ScratchPool.shared.withBuffer(count: loweredRows * blockSize * outputPlane) { columns in
            ScratchPool.shared.withBuffer(count: blockSize > 1 ? groupOutputChannels * blockSize * outputPlane : 0) { product in
                for images in imageBlocks {
                    let blockColumns = images.count * outputPlane
                    for group in 0..<groups {
                        lowerToColumns(input, group: group, images: images, into: columns)
                        let firstChannel = output + (images.lowerBound * outputChannels + group * groupOutputChannels) * outputPlane
                        if images.count == 1 {
                            gemm(weight + group * weightGroupStride, transposeA: false, columns, transposeB: false,
                                 into: firstChannel, m: groupOutputChannels, n: blockColumns, k: loweredRows)
                            continue
                        }
                        gemm(weight + group * weightGroupStride, transposeA: false, columns, transposeB: false,
                             into: product, m: groupOutputChannels, n: blockColumns, k: loweredRows)
                        // [channel, image, position] → [image, channel, position].
                        for channel in 0..<groupOutputChannels {
                            for block in 0..<images.count {
                                (firstChannel + (block * outputChannels + channel) * outputPlane)
                                    .update(from: product + channel * blockColumns + block * outputPlane, count: outputPlane)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of the convolution: `inputGradient` (zeroed here, then accumulated through
    /// the adjoint lowering) and `weightGradient` (overwritten), each only when asked for.
    func backward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?
    ) {
        let weightGroupStride = groupOutputChannels * loweredRows
        inputGradient?.update(repeating: 0, count: batch * inputChannels * height * width)
        weightGradient?.update(repeating: 0, count: outputChannels * loweredRows)
        if isPointwise {
            for image in 0..<batch {
                for group in 0..<groups {
                    let x = input + (image * inputChannels + group * groupInputChannels) * outputPlane
                    let dy = outputGradient + (image * outputChannels + group * groupOutputChannels) * outputPlane
                    if let weightGradient {
                        gemm(dy, transposeA: false, x, transposeB: true, into: weightGradient + group * weightGroupStride,
                             m: groupOutputChannels, n: groupInputChannels, k: outputPlane, accumulate: true)
                    }
                    if let inputGradient {
                        gemm(weight + group * weightGroupStride, transposeA: true, dy, transposeB: false,
                             into: inputGradient + (image * inputChannels + group * groupInputChannels) * outputPlane,
                             m: groupInputChannels, n: outputPlane, k: groupOutputChannels)
                    }
                }
            }
            return
        }
        let blockSize = imagesPerBlock
        let columnCount = loweredRows * blockSize * outputPlane
        ScratchPool.shared.withBuffer(count: columnCount) { columns in
            ScratchPool.shared.withBuffer(count: blockSize > 1 ? groupOutputChannels * blockSize * outputPlane : 0) { gathered in
                for images in imageBlocks {
                    let blockColumns = images.count * outputPlane
                    for group in 0..<groups {
                        // The block's output gradient as [channel, image · position].
                        let firstChannel = outputGradient + (images.lowerBound * outputChannels + group * groupOutputChannels) * outputPlane
                        let dy: UnsafePointer<Float>
                        if images.count == 1 {
                            dy = firstChannel
                        } else {
                            for channel in 0..<groupOutputChannels {
                                for block in 0..<images.count {
                                    (gathered + channel * blockColumns + block * outputPlane)
                                        .update(from: firstChannel + (block * outputChannels + channel) * outputPlane, count: outputPlane)
                                }
                            }
                            dy = UnsafePointer(gathered)
                        }
                        if let weightGradient {
                            lowerToColumns(input, group: group, images: images, into: columns)
                            gemm(dy, transposeA: false, columns, transposeB: true, into: weightGradient + group * weightGroupStride,
                                 m: groupOutputChannels, n: loweredRows, k: blockColumns, accumulate: true)
                        }
                        if let inputGradient {
                            gemm(weight + group * weightGroupStride, transposeA: true, dy, transposeB: false,
                                 into: columns, m: loweredRows, n: blockColumns, k: groupOutputChannels)
                            accumulateColumns(columns, group: group, images: images, into: inputGradient)
                        }
                    }
                }
            }
        }
    }
}
