import TensorCore

/// The geometry shared by a batch of anomaly maps and their ground-truth masks:
/// maps [N, H, W] or [N, 1, H, W], masks the same N, H and W in either layout. Both are
/// contiguous row-major, so image `i` is the `H·W` values from `i·H·W` on in either.
struct PixelBatch {
    /// N: the number of images.
    let images: Int
    /// H.
    let height: Int
    /// W.
    let width: Int

    /// The pixels per image.
    var pixelsPerImage: Int { height * width }

    /// Checks that `maps` and `masks` fit together and hold at least one pixel.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` or
    ///   ``ExplainError/emptyScores(operation:)``.
    init(maps: Tensor, masks: Tensor, operation: String) throws(ExplainError) {
        guard let mapSize = Self.imageSize(maps.shape), let maskSize = Self.imageSize(masks.shape), mapSize == maskSize else {
            throw .shapeMismatch(
                operation: operation,
                expected: "maps [N, H, W] or [N, 1, H, W] and masks with the same N, H and W",
                found: [maps.shape, masks.shape])
        }
        images = mapSize[0]
        height = mapSize[1]
        width = mapSize[2]
        guard images * height * width > 0 else { throw .emptyScores(operation: operation) }
    }

    /// [N, H, W] of a rank-3 shape or of a rank-4 shape with one channel.
    private static func imageSize(_ shape: [Int]) -> [Int]? {
        switch shape.count {
        case 3: shape
        case 4 where shape[1] == 1: [shape[0], shape[2], shape[3]]
        default: nil
        }
    }
}
