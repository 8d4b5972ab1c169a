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

    /// The `(height, width)` of each map of a list of maps of different sizes, checked
    /// against its mask: each map `[H, W]`, `[1, H, W]` or `[1, 1, H, W]`, its mask of the
    /// same height and width in any of these layouts.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for a map and a
    ///   mask that do not fit or lists of different lengths, and
    ///   ``ExplainError/emptyScores(operation:)`` when there is no pixel at all.
    static func imageSizes(maps: [Tensor], masks: [Tensor], operation: String) throws(ExplainError) -> [(height: Int, width: Int)] {
        guard maps.count == masks.count else {
            throw .shapeMismatch(operation: operation, expected: "as many masks as maps (\(maps.count))", found: [[maps.count], [masks.count]])
        }
        var sizes: [(height: Int, width: Int)] = []
        sizes.reserveCapacity(maps.count)
        for (map, mask) in zip(maps, masks) {
            guard let size = planeSize(map.shape), planeSize(mask.shape) == size else {
                throw .shapeMismatch(
                    operation: operation, expected: "each map [H, W], [1, H, W] or [1, 1, H, W] with a mask of its H and W",
                    found: [map.shape, mask.shape])
            }
            sizes.append((size[0], size[1]))
        }
        guard sizes.contains(where: { $0.height * $0.width > 0 }) else { throw .emptyScores(operation: operation) }
        return sizes
    }

    /// The scalars of all maps, and of all masks, one image after another.
    static func concatenatedScalars(maps: [Tensor], masks: [Tensor]) -> (maps: [Float], masks: [Float]) {
        var allMaps: [Float] = [], allMasks: [Float] = []
        let total = maps.reduce(0) { $0 + $1.scalarCount }
        allMaps.reserveCapacity(total)
        allMasks.reserveCapacity(total)
        for (map, mask) in zip(maps, masks) {
            map.withUnsafeBufferPointer { allMaps.append(contentsOf: $0) }
            mask.withUnsafeBufferPointer { allMasks.append(contentsOf: $0) }
        }
        return (allMaps, allMasks)
    }

    /// [H, W] of a single image's shape: [H, W], [1, H, W] or [1, 1, H, W].
    private static func planeSize(_ shape: [Int]) -> [Int]? {
        guard shape.count >= 2, shape.count <= 4, shape.dropLast(2).allSatisfy({ $0 == 1 }) else { return nil }
        return Array(shape.suffix(2))
    }
}
