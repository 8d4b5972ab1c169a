import Datasets
import Foundation

/// The layout of a heatmap figure: a column of items (block titles, rows of equally sized
/// image tiles with a label on the left and optional captions underneath, blank gaps) and
/// an optional colour bar on the right. The figures of ``HeatmapFigure`` are tile grids.
///
/// The layout is computed once, so tests and callers can ask where each tile lands
/// (``frame(item:column:)``) and get exactly what ``render()`` draws:
///
/// ```
///  margin
///  ┌──────────────────────────────────────────────────────────┐
///  │ Title of a block (at the left margin)                      │
///  │ Label  [tile][tile][tile] …                      ┌──┐ 1.0  │
///  │        caption caption                           │  │      │
///  │ Label  [tile][tile][tile] …                      └──┘ 0.0  │
///  │ (gap)                                                      │
///  └──────────────────────────────────────────────────────────┘
/// ```
///
/// Tiles are drawn at an integer ``scale`` (nearest neighbour), `spacing` pixels apart;
/// labels are centred vertically on their row's tiles, captions centred under each tile.
public struct TileGrid: Sendable {
    /// One line of the figure.
    public enum Item: Sendable {
        /// A title in the figure's label size, starting at the left margin.
        case title(String)
        /// A row of tiles (`nil` leaves a tile's place blank) with an optional label on the
        /// left and optional captions under the tiles (one per tile, `nil` for none).
        case row(label: String?, tiles: [Image?], captions: [String?] = [])
        /// Blank space of the given height in pixels.
        case gap(Int)
    }

    /// The items, top to bottom.
    public let items: [Item]
    /// The style: spacing, margins, text sizes and colours.
    public let style: FigureStyle
    /// Canvas pixels per tile pixel.
    public let scale: Int
    /// Width and height of every tile in its own pixels (0 × 0 when there is no tile).
    public let tileSize: (width: Int, height: Int)
    /// The colour bar, if any.
    public let colorBar: ColorBar?
    /// Size of the whole figure in pixels.
    public let size: (width: Int, height: Int)
    /// Where the colour bar's box (``ColorBar/size``) lands, if there is a colour bar.
    public let colorBarBox: PixelRect?

    /// The top of each item.
    private let itemTops: [Int]
    /// The left edge of the first tile column.
    private let gridLeft: Int
    /// Caption height below tiles, including its gap (0 when no row has captions).
    private let captionBlock: Int

    /// Gap between the label column and the tiles, and between the tiles and the colour bar.
    static let columnGap = 12
    /// Gap between a tile and its caption.
    static let captionGap = 3

    /// Lays out `items` in `style`.
    ///
    /// - Parameters:
    ///   - items: The titles, tile rows and gaps, top to bottom.
    ///   - style: Spacing, margins, text sizes and colours; its ``FigureStyle/scale`` (or
    ///     the automatic scale for the tiles' size) sets ``scale``.
    ///   - colorBar: A colour bar drawn right of the tiles, its bar's top level with the
    ///     tops of the tiles of item `alignedWith` (which must be a row).
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when the tiles
    ///   differ in size, ``ExplainError/invalidArgument(operation:message:)`` for a scale
    ///   below 1, a negative spacing, margin or gap, a colour bar aligned with an item that
    ///   is not a row, or a figure too large for a ``Canvas``.
    public init(items: [Item], style: FigureStyle = FigureStyle(), colorBar: (bar: ColorBar, alignedWith: Int)? = nil) throws(ExplainError) {
        let operation = "TileGrid"
        var tileSize: (width: Int, height: Int)?
        for case let .row(_, tiles, _) in items {
            for case let tile? in tiles {
                if let size = tileSize, size != (tile.width, tile.height) {
                    throw .shapeMismatch(operation: operation, expected: "tiles of one size", found: [[size.height, size.width], [tile.height, tile.width]])
                }
                tileSize = (tile.width, tile.height)
            }
        }
        let tiles = tileSize ?? (0, 0)
        let scale = style.resolvedScale(tileWidth: tiles.width, tileHeight: tiles.height)
        guard scale >= 1, style.spacing >= 0, style.margin >= 0 else {
            throw .invalidArgument(
                operation: operation,
                message: "expected a scale of at least 1 and a spacing and margin of at least 0, found \(scale), \(style.spacing) and \(style.margin)")
        }
        for case let .gap(height) in items where height < 0 {
            throw .invalidArgument(operation: operation, message: "expected gaps of at least 0 pixels, found \(height)")
        }
        if let colorBar {
            guard items.indices.contains(colorBar.alignedWith), case .row = items[colorBar.alignedWith] else {
                throw .invalidArgument(
                    operation: operation, message: "expected the colour bar to be aligned with a row, found item \(colorBar.alignedWith) of \(items.count)")
            }
        }
        let (tileWidth, tileHeight) = (tiles.width * scale, tiles.height * scale)
        let spacing = style.spacing, margin = style.margin

        // Horizontal: margin, label column, tiles, colour bar, margin.
        var labelWidth = 0, titleWidth = 0, columns = 0, hasCaptions = false
        for item in items {
            switch item {
            case let .title(text):
                titleWidth = max(titleWidth, BitmapFont.size(of: text, scale: style.labelScale).width)
            case let .row(label, rowTiles, captions):
                labelWidth = max(labelWidth, label.map { BitmapFont.size(of: $0, scale: style.labelScale).width } ?? 0)
                columns = max(columns, rowTiles.count)
                hasCaptions = hasCaptions || captions.contains { $0 != nil }
            case .gap:
                break
            }
        }
        let gridLeft = margin + (labelWidth > 0 ? labelWidth + Self.columnGap : 0)
        let gridWidth = columns > 0 ? columns * tileWidth + (columns - 1) * spacing : 0
        let captionBlock = hasCaptions ? Self.captionGap + BitmapFont.size(of: "0", scale: style.captionScale).height : 0

        // Vertical: items with spacing after each.
        var tops = [Int]()
        var y = margin
        for item in items {
            tops.append(y)
            switch item {
            case let .title(text):
                y += BitmapFont.size(of: text, scale: style.labelScale).height + 2 * spacing
            case let .row(_, _, captions):
                y += tileHeight + (captions.contains { $0 != nil } ? captionBlock : 0) + spacing
            case let .gap(height):
                y += height
            }
        }
        var contentBottom = items.isEmpty ? margin : y - (items.last.map { if case .gap = $0 { 0 } else { spacing } } ?? 0)
        var contentRight = max(gridLeft + gridWidth, margin + titleWidth)

        var colorBarBox: PixelRect?
        if let colorBar {
            let box = colorBar.bar.size
            let barOffset = colorBar.bar.barFrame(atX: 0, y: 0).y
            let rect = PixelRect(x: gridLeft + gridWidth + Self.columnGap, y: tops[colorBar.alignedWith] - barOffset, width: box.width, height: box.height)
            colorBarBox = rect
            contentRight = max(contentRight, rect.maxX)
            contentBottom = max(contentBottom, rect.maxY)
        }
        let width = contentRight + margin, height = contentBottom + margin
        guard case let (area, false) = width.multipliedReportingOverflow(by: height), area <= Image.maximumSampleCount / 3 else {
            throw .invalidArgument(operation: operation, message: "the figure would be \(width) × \(height) pixels, more than a canvas holds")
        }

        self.items = items
        self.style = style
        self.scale = scale
        self.tileSize = tiles
        self.colorBar = colorBar?.bar
        self.size = (width, height)
        self.colorBarBox = colorBarBox
        self.itemTops = tops
        self.gridLeft = gridLeft
        self.captionBlock = captionBlock
    }

    /// The number of tile columns: the length of the longest row.
    public var columnCount: Int {
        items.reduce(0) { count, item in
            if case let .row(_, tiles, _) = item { max(count, tiles.count) } else { count }
        }
    }

    /// Where tile `column` of item `item` lands (its scaled size), or `nil` when the item
    /// is not a row or the row has no tile there (a `nil` tile still has a frame).
    public func frame(item: Int, column: Int) -> PixelRect? {
        guard items.indices.contains(item), case let .row(_, tiles, _) = items[item], tiles.indices.contains(column) else { return nil }
        let (tileWidth, tileHeight) = (tileSize.width * scale, tileSize.height * scale)
        return PixelRect(x: gridLeft + column * (tileWidth + style.spacing), y: itemTops[item], width: tileWidth, height: tileHeight)
    }

    /// The top of item `item` (a title's text, a row's tiles, a gap's space), or `nil` for
    /// an index out of range.
    public func top(ofItem item: Int) -> Int? {
        itemTops.indices.contains(item) ? itemTops[item] : nil
    }

    /// The figure drawn on a canvas of ``size``.
    public func render() -> Canvas {
        // The layout checked the size and the scale.
        var canvas = Canvas(validatedWidth: size.width, height: size.height, background: style.background)
        let labelScale = max(style.labelScale, 1), captionScale = max(style.captionScale, 1)
        for (index, item) in items.enumerated() {
            switch item {
            case let .title(text):
                canvas.drawText(text, atX: style.margin, y: itemTops[index], color: style.textColor, scale: labelScale)
            case let .row(label, tiles, captions):
                let tileHeight = tileSize.height * scale
                if let label {
                    let textHeight = BitmapFont.size(of: label, scale: labelScale).height
                    // Centre on the capitals, not on the descenders below them.
                    let inkHeight = textHeight - (BitmapFont.glyphHeight - BitmapFont.capitalHeight) * labelScale
                    canvas.drawText(label, atX: style.margin, y: itemTops[index] + (tileHeight - inkHeight) / 2, color: style.textColor, scale: labelScale)
                }
                for (column, tile) in tiles.enumerated() {
                    guard let frame = frame(item: index, column: column) else { continue }
                    if let tile {
                        canvas.blit(tile, atX: frame.x, y: frame.y, validatedScale: scale)
                    }
                    if column < captions.count, let caption = captions[column] {
                        let width = BitmapFont.size(of: caption, scale: captionScale).width
                        canvas.drawText(
                            caption, atX: frame.x + (frame.width - width) / 2, y: frame.maxY + Self.captionGap, color: style.textColor, scale: captionScale)
                    }
                }
            case .gap:
                break
            }
        }
        if let colorBar, let box = colorBarBox {
            colorBar.draw(on: &canvas, atX: box.x, y: box.y)
        }
        return canvas
    }

    /// The figure as an 8-bit RGB PNG written to `url` atomically.
    ///
    /// - Throws: ``ExplainError/fileWriteFailed(path:reason:)`` when it cannot be written.
    public func writePNG(to url: URL) throws(ExplainError) {
        try render().writePNG(to: url)
    }
}
