import Datasets
import Explain
import TensorCore

/// A small semi-transparent white mark drawn at a fixed place near an image's bottom-right
/// corner, like the copyright notices on some Pascal VOC horse photos that FCDD's
/// "Clever Hans" experiment found models relying on.
///
/// Every pixel set in ``pattern`` becomes `(1 − alpha)·value + alpha·1` in every channel;
/// all other pixels are left as they are. The mark is deterministic: it draws nothing at
/// random, so the generator of ``apply(_:using:)`` is ignored.
struct Watermark: SampleTransform, Equatable {
    /// The default pattern, 8 columns × 6 rows: a "©" (`#` set, `.` clear).
    static let copyright = [
        ".######.",
        "#......#",
        "#.###..#",
        "#.#....#",
        "#.###..#",
        ".######.",
    ]

    /// The pattern, row by row from the top: `true` where the mark is drawn.
    let pattern: [[Bool]]
    /// The opacity of the mark, in (0, 1].
    let alpha: Float
    /// Pixels between the mark's box and the image's right and bottom edges.
    let margin: Int

    /// The pattern's height in pixels.
    var height: Int { pattern.count }
    /// The pattern's width in pixels.
    var width: Int { pattern.first?.count ?? 0 }

    /// A watermark drawing `pattern` (rows of `#` for set and any other character for clear
    /// pixels, all rows equally long) with opacity `alpha`, `margin` pixels from the
    /// bottom-right corner.
    ///
    /// - Throws: `DatasetError.invalidTransformParameter` for an `alpha` outside (0, 1], a
    ///   negative margin, or an empty or ragged pattern.
    init(alpha: Float = 0.5, margin: Int = 1, pattern: [String] = Watermark.copyright) throws(DatasetError) {
        guard alpha > 0, alpha <= 1 else {
            throw .invalidTransformParameter(transform: "Watermark", parameter: "alpha", expected: "a value in (0, 1]", found: "\(alpha)")
        }
        guard margin >= 0 else {
            throw .invalidTransformParameter(transform: "Watermark", parameter: "margin", expected: "a value ≥ 0", found: "\(margin)")
        }
        let rows = pattern.map { $0.map { $0 == "#" } }
        guard let first = rows.first, !first.isEmpty, rows.allSatisfy({ $0.count == first.count }) else {
            throw .invalidTransformParameter(
                transform: "Watermark", parameter: "pattern", expected: "non-empty rows of one length",
                found: "rows of lengths \(rows.map(\.count))")
        }
        self.pattern = rows
        self.alpha = alpha
        self.margin = margin
    }

    /// The box the mark covers in an image of the given size: ``width`` × ``height`` pixels,
    /// ``margin`` pixels from the right and bottom edges; grown by `border` pixels on every
    /// side (its neighbourhood) and clipped to the image when `border` is positive.
    func box(imageHeight: Int, imageWidth: Int, grownBy border: Int = 0) -> PixelRect {
        PixelRect(
            x: imageWidth - margin - width - border, y: imageHeight - margin - height - border,
            width: width + 2 * border, height: height + 2 * border
        )
        .intersection(PixelRect(x: 0, y: 0, width: imageWidth, height: imageHeight))
    }

    /// Masks `[count, imageHeight, imageWidth]` that are 1 inside
    /// ``box(imageHeight:imageWidth:grownBy:)`` and 0 elsewhere: the ground truth of the
    /// figure and the regions of the heatmap-mass shares.
    func boxMasks(count: Int, imageHeight: Int, imageWidth: Int, grownBy border: Int = 0) -> Tensor {
        let box = box(imageHeight: imageHeight, imageWidth: imageWidth, grownBy: border)
        return Tensor(shape: [count, imageHeight, imageWidth]) { output in
            guard let base = output.baseAddress else { return }
            for offset in 0..<output.count {
                let pixel = offset % (imageHeight * imageWidth)
                base[offset] = box.contains(x: pixel % imageWidth, y: pixel / imageWidth) ? 1 : 0
            }
        }
    }

    /// The sample with the mark drawn on its image `[C, H, W]`; mask, label and name unchanged.
    ///
    /// - Throws: `DatasetError.transformInputMismatch` for an image that is not `[C, H, W]`
    ///   or is too small for the mark and its margin.
    func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let image = sample.image
        guard image.rank == 3, image.shape[1] >= height + margin, image.shape[2] >= width + margin else {
            throw .transformInputMismatch(
                transform: "Watermark", sample: sample.name,
                expected: "an image [C, H, W] of at least \(height + margin) × \(width + margin) pixels", found: image.shape)
        }
        let (channels, imageHeight, imageWidth) = (image.shape[0], image.shape[1], image.shape[2])
        let box = box(imageHeight: imageHeight, imageWidth: imageWidth)
        let set = pattern.flatMap { $0 }
        let (alpha, keep) = (alpha, 1 - alpha)
        var marked = sample
        // The shape of an existing tensor is always valid.
        marked.image = Tensor(shape: image.shape) { output in
            image.withUnsafeBufferPointer { source in
                set.withUnsafeBufferPointer { set in
                    guard let from = source.baseAddress, let to = output.baseAddress, let set = set.baseAddress else { return }
                    to.update(from: from, count: output.count)
                    for channel in 0..<channels {
                        let plane = to + channel * imageHeight * imageWidth
                        for row in 0..<box.height {
                            let line = plane + (box.y + row) * imageWidth + box.x
                            let bits = set + row * box.width
                            for column in 0..<box.width where bits[column] { line[column] = keep * line[column] + alpha }
                        }
                    }
                }
            }
        }
        return marked
    }
}
