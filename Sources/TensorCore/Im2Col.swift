/// The lowering that turns convolution into one GEMM per block of images, and its adjoint.
///
/// For a block of `images` and one group, the lowered matrix has one row per (channel,
/// kernel row, kernel column) and one column per output position of every image in the
/// block: `[loweredRows, images.count · outputPlane]`, row-major. Rows are filled by copying
/// whole runs of an input row (strided when the stride is above 1), with zeros where the
/// kernel hangs over the padded border.
extension ConvolutionGeometry {
    func lowerToColumns(
        _ input: UnsafePointer<Float>, group: Int, images: Range<Int>, into columns: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let blockColumns = images.count * outputPlane
        let kernelArea = kernel.height * kernel.width
        parallelChunks(
            count: loweredRows, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, blockColumns)),
            threads: threads
        ) { rows in
            for row in rows {
                let channel = group * groupInputChannels + row / kernelArea
                let ki = (row % kernelArea) / kernel.width
                let kj = row % kernel.width
                let columnOffset = kj * dilation.width
                let valid = validOutputColumns(offset: columnOffset)
                for (block, image) in images.enumerated() {
                    let plane = input + (image * inputChannels + channel) * height * width
                    var destination = columns + row * blockColumns + block * outputPlane
                    // Rows are short (often under 32 floats), so plain loops beat memcpy calls.
                    for oh in 0..<outputHeight {
                        let ih = oh * stride.height - padding.top + ki * dilation.height
                        if ih < 0 || ih >= height {
                            for ow in 0..<outputWidth { destination[ow] = 0 }
                        } else {
                            for ow in 0..<valid.lowerBound { destination[ow] = 0 }
                            let source = plane + ih * width - padding.left + columnOffset
                            if stride.width == 1 {
                                for ow in valid { destination[ow] = source[ow] }
                            } else {
                                for ow in valid { destination[ow] = source[ow * stride.width] }
                            }
                            for ow in valid.upperBound..<outputWidth { destination[ow] = 0 }
                        }
                        destination += outputWidth
                    }
                }
            }
        }
    }

    /// The adjoint of ``lowerToColumns(_:group:images:into:threads:)``: adds every entry of a lowered
    /// matrix back into the input position it was read from (col2im). Threads split the
    /// channels, so no two write the same element.
    func accumulateColumns(
        _ columns: UnsafePointer<Float>, group: Int, images: Range<Int>, into gradient: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let blockColumns = images.count * outputPlane
        let kernelArea = kernel.height * kernel.width
        let grain = Swift.max(1, parallelGrain / Swift.max(1, blockColumns * kernelArea))
        parallelChunks(count: groupInputChannels, minimumChunk: grain, threads: threads) { channels in
            for localChannel in channels {
                let channel = group * groupInputChannels + localChannel
                for ki in 0..<kernel.height {
                    for kj in 0..<kernel.width {
                        let row = (localChannel * kernel.height + ki) * kernel.width + kj
                        let columnOffset = kj * dilation.width
                        let valid = validOutputColumns(offset: columnOffset)
                        for (block, image) in images.enumerated() {
                            let plane = gradient + (image * inputChannels + channel) * height * width
                            var source = columns + row * blockColumns + block * outputPlane
                            for oh in 0..<outputHeight {
                                let ih = oh * stride.height - padding.top + ki * dilation.height
                                if ih >= 0 && ih < height {
                                    let destination = plane + ih * width - padding.left + columnOffset
                                    if stride.width == 1 {
                                        for ow in valid { destination[ow] += source[ow] }
                                    } else {
                                        for ow in valid { destination[ow * stride.width] += source[ow] }
                                    }
                                }
                                source += outputWidth
                            }
                        }
                    }
                }
            }
        }
    }
}
