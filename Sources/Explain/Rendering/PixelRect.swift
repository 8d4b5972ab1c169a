/// A rectangle of whole pixels: its top-left pixel `(x, y)` (x to the right, y down, from
/// the image's top-left corner) and its size.
///
/// Figures report where each tile lands as a `PixelRect` (``TileGrid/frame(item:column:)``),
/// ``Canvas`` fills and outlines them, and ``HeatmapMass`` measures the heatmap inside one
/// region of the input images.
public struct PixelRect: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Column of the leftmost pixel.
    public var x: Int
    /// Row of the top pixel.
    public var y: Int
    /// Columns covered; 0 or less is empty.
    public var width: Int
    /// Rows covered; 0 or less is empty.
    public var height: Int

    /// The rectangle with top-left pixel `(x, y)` and the given size.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The column just right of the rectangle, `x + width`.
    public var maxX: Int { x + width }
    /// The row just below the rectangle, `y + height`.
    public var maxY: Int { y + height }
    /// Whether the rectangle covers no pixel.
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// Whether pixel `(x, y)` lies in the rectangle.
    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The pixels that this rectangle and `other` both cover (empty, at this rectangle's
    /// origin, when they do not meet).
    public func intersection(_ other: PixelRect) -> PixelRect {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(maxX, other.maxX), bottom = min(maxY, other.maxY)
        guard right > left, bottom > top else { return PixelRect(x: x, y: y, width: 0, height: 0) }
        return PixelRect(x: left, y: top, width: right - left, height: bottom - top)
    }

    /// `x,y widthxheight`, such as `8,40 112x112`.
    public var description: String { "\(x),\(y) \(width)x\(height)" }
}
