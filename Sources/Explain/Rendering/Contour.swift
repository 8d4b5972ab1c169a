import Datasets
import TensorCore

/// The one-pixel outline of a region of a map: the pixels of the region that touch a pixel
/// outside it (one of their four neighbours is outside the region or outside the map).
///
/// The region is the mask's foreground (``init(mask:)``) or the part of a heatmap at or
/// above a threshold (``init(heatmap:threshold:)``). Because only the four direct
/// neighbours count, the outline is a closed line of 8-connected pixels, one pixel wide,
/// lying just inside the region's border; a region that reaches the map's edge is closed
/// along that edge. Draw it with ``Datasets/Image/drawingContour(_:color:)``.
public struct Contour: Sendable, Equatable {
    /// Columns of the map.
    public let width: Int
    /// Rows of the map.
    public let height: Int
    /// `height × width` flags, row by row from the top: `true` for outline pixels.
    public let isOutline: [Bool]

    /// The outline of a binary mask `[H, W]`: the region is where the mask is at least 0.5
    /// (1 for anomalous pixels in ground-truth maps, 0 for nominal ones).
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` unless `mask` is
    ///   `[H, W]` with `H, W ≥ 1`.
    public init(mask: Tensor) throws(ExplainError) {
        try self.init(map: mask, threshold: 0.5, operation: "Contour(mask:)")
    }

    /// The outline of the part of `heatmap` (`[H, W]`) whose values are at least `threshold`.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` unless `heatmap`
    ///   is `[H, W]` with `H, W ≥ 1`, and ``ExplainError/invalidArgument(operation:message:)``
    ///   when `threshold` is NaN.
    public init(heatmap: Tensor, threshold: Float) throws(ExplainError) {
        try self.init(map: heatmap, threshold: threshold, operation: "Contour(heatmap:threshold:)")
    }

    /// The outline of `map ≥ threshold`.
    private init(map: Tensor, threshold: Float, operation: String) throws(ExplainError) {
        let (height, width) = try RenderingSupport.mapSize(map, operation: operation)
        guard !threshold.isNaN else {
            throw .invalidArgument(operation: operation, message: "expected a threshold that is not NaN")
        }
        let count = width * height
        let outline = map.withUnsafeBufferPointer { values in
            [Bool](unsafeUninitializedCapacity: count) { flags, initialized in
                guard let value = values.baseAddress, let flag = flags.baseAddress else { return }
                for y in 0..<height {
                    let row = value + y * width
                    let above = y > 0 ? row - width : nil
                    let below = y < height - 1 ? row + width : nil
                    for x in 0..<width {
                        var onOutline = false
                        if row[x] >= threshold {
                            // A neighbour outside the map, or below the threshold (NaN included).
                            onOutline =
                                x == 0 || !(row[x - 1] >= threshold)
                                || x == width - 1 || !(row[x + 1] >= threshold)
                                || !((above?[x] ?? -.infinity) >= threshold)
                                || !((below?[x] ?? -.infinity) >= threshold)
                        }
                        (flag + y * width + x).initialize(to: onOutline)
                    }
                }
                initialized = count
            }
        }
        self.width = width
        self.height = height
        self.isOutline = outline
    }

    /// The outline pixels as `(x, y)`, row by row from the top, left to right.
    public var points: [(x: Int, y: Int)] {
        isOutline.indices.compactMap { isOutline[$0] ? (x: $0 % width, y: $0 / width) : nil }
    }
}

extension Image {
    /// This image in RGB with the outline `contour` painted in `color`
    /// (`Image.converted(toChannels:)` to 3 channels first: grey repeated, alpha dropped).
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when the contour
    ///   was made from a map of another size than the image.
    public func drawingContour(_ contour: Contour, color: RGBColor) throws(ExplainError) -> Image {
        guard contour.width == width, contour.height == height else {
            throw .shapeMismatch(
                operation: "Image.drawingContour(_:color:)",
                expected: "a contour of the image's size [\(height), \(width)]", found: [[contour.height, contour.width]])
        }
        var pixels = converted(toChannels: 3).pixels
        let (r, g, b) = (color.r, color.g, color.b)
        contour.isOutline.withUnsafeBufferPointer { flags in
            pixels.withUnsafeMutableBufferPointer { samples in
                guard let flag = flags.baseAddress, let sample = samples.baseAddress else { return }
                for index in 0..<flags.count where flag[index] {
                    sample[3 * index] = r
                    sample[3 * index + 1] = g
                    sample[3 * index + 2] = b
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: 3, pixels: pixels)
    }
}
