import Datasets
import TensorCore

/// The heatmap figures of the FCDD paper and reference code, laid out as ``TileGrid``s:
///
/// - ``explanation(nominal:anomalous:heatmaps:groundTruth:nominalHeatmaps:title:style:)``: the
///   paper's Figure 1 (rows of nominal inputs, anomalous inputs, the anomalous inputs'
///   heatmaps and their ground-truth maps);
/// - ``comparison(inputs:methods:groundTruth:title:style:)``: several explanation methods'
///   heatmaps of the same inputs, one row per method;
/// - ``global(_:perRow:style:)``: the reference's `heatmaps_global.png` grid;
/// - ``scoreRanks(_:label:count:style:)``: the reference's "paper" picks
///   (`heatmaps_paper_global_lbl<label>.png`).
///
/// Each returns the grid; ``TileGrid/writePNG(to:)`` writes it atomically and
/// ``TileGrid/frame(item:column:)`` says where each tile landed. Heatmaps are coloured with
/// the style's colour map (``ColorMap/jet`` by default) and ground-truth masks shown in
/// grey (white anomalous); inputs are shown as given.
public enum HeatmapFigure {
    /// The tile of heatmap `index` of `heatmaps` (`[N, H, W]`): coloured, or blended over
    /// `image` when the style has a ``FigureStyle/heatmapOpacity``.
    static func heatmapTile(_ heatmaps: Tensor, index: Int, over image: Image?, style: FigureStyle) -> Image {
        let (height, width) = (heatmaps.shape[1], heatmaps.shape[2])
        let count = height * width
        let pixels = heatmaps.withUnsafeBufferPointer { values in
            [Float](unsafeUninitializedCapacity: 3 * count) { output, initialized in
                if let base = values.baseAddress, let target = output.baseAddress {
                    style.colorMap.colorize(base + index * count, count: count, into: target)
                }
                initialized = 3 * count
            }
        }
        let coloured = Image(validatedWidth: width, height: height, channels: 3, pixels: pixels)
        guard let opacity = style.heatmapOpacity, let image else { return coloured }
        // Blend the already coloured map: the overlay formula with the map's own colours.
        let base = image.converted(toChannels: 3)
        let keep = 1 - opacity
        let blended = base.pixels.withUnsafeBufferPointer { input in
            coloured.pixels.withUnsafeBufferPointer { colour in
                [Float](unsafeUninitializedCapacity: 3 * count) { output, initialized in
                    if let from = input.baseAddress, let heat = colour.baseAddress, let to = output.baseAddress {
                        for offset in 0..<(3 * count) { to[offset] = keep * from[offset] + opacity * heat[offset] }
                    }
                    initialized = 3 * count
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: 3, pixels: blended)
    }

    /// The heatmap tiles of `indices`: for each index `i`, ``heatmapTile(_:index:over:style:)``
    /// of heatmap `i` of `heatmaps` over `images[i]`.
    static func heatmapTiles(
        _ heatmaps: Tensor, indices: some Sequence<Int>, over images: [Image], style: FigureStyle
    ) throws(ExplainError) -> [Image?] {
        var tiles = [Image?]()
        for index in indices {
            tiles.append(heatmapTile(heatmaps, index: index, over: images[index], style: style))
        }
        return tiles
    }

    /// The tile of mask `index` of `masks` (`[N, H, W]`) as a grey image (clamped to `[0, 1]`).
    static func maskTile(_ masks: Tensor, index: Int) -> Image {
        let (height, width) = (masks.shape[1], masks.shape[2])
        let count = height * width
        let pixels = masks.withUnsafeBufferPointer { values in
            [Float](unsafeUninitializedCapacity: count) { output, initialized in
                if let base = values.baseAddress, let target = output.baseAddress {
                    let source = base + index * count
                    // `value > 0` is false for NaN, which becomes 0.
                    for offset in 0..<count { target[offset] = source[offset] > 0 ? min(source[offset], 1) : 0 }
                }
                initialized = count
            }
        }
        return Image(validatedWidth: width, height: height, channels: 1, pixels: pixels)
    }

    /// The height and width that all of `images` share, or `nil` when there are none.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when two differ.
    static func commonSize(of images: [Image], operation: String) throws(ExplainError) -> (height: Int, width: Int)? {
        guard let first = images.first else { return nil }
        let (height, width) = (first.height, first.width)
        if let image = images.first(where: { $0.width != width || $0.height != height }) {
            throw .shapeMismatch(operation: operation, expected: "inputs of one size", found: [[height, width], [image.height, image.width]])
        }
        return (height, width)
    }

    /// Throws ``ExplainError/shapeMismatch(operation:expected:found:)`` unless `maps` is
    /// `[count, height, width]`: one map per input, of the inputs' size. `name` names the
    /// maps in the message, such as `heatmaps`.
    static func checkMaps(_ maps: Tensor, count: Int, height: Int, width: Int, name: String, operation: String) throws(ExplainError) {
        guard maps.shape == [count, height, width] else {
            throw .shapeMismatch(
                operation: operation, expected: "\(name) [\(count), \(height), \(width)] (one per input, of the inputs' size)", found: [maps.shape])
        }
    }

    /// Checks the style's settings that the grid does not check itself.
    static func validate(_ style: FigureStyle, operation: String) throws(ExplainError) {
        if let opacity = style.heatmapOpacity, !(opacity >= 0 && opacity <= 1) {
            throw .invalidArgument(operation: operation, message: "expected a heatmap opacity in [0, 1], found \(opacity)")
        }
        if let scale = style.scale, scale < 1 {
            throw .invalidArgument(operation: operation, message: "expected a scale of at least 1, found \(scale)")
        }
    }

    /// The colour bar of `style` for tiles `tileHeight` pixels high (in tile pixels), or
    /// `nil` when the style shows none.
    static func colorBar(for style: FigureStyle, tileHeight: Int, scale: Int) -> ColorBar? {
        guard style.showsColorBar else { return nil }
        return ColorBar(
            colorMap: style.colorMap, barWidth: 14, barHeight: max(tileHeight * scale, 40),
            ticks: [0, 0.25, 0.5, 0.75, 1], fractionDigits: 2, textScale: style.captionScale, textColor: style.textColor)
    }

    /// The rows and titles of one block of samples: an input row (with score captions when
    /// `scores` is given and the style shows them), a heatmap row and, with masks, a
    /// ground-truth row. Returns the items and the index (within them) of the heatmap row.
    static func blockItems(
        indices: [Int], samples: HeatmapSamples, title: String?, style: FigureStyle
    ) throws(ExplainError) -> (items: [TileGrid.Item], heatmapRow: Int) {
        var items = [TileGrid.Item]()
        if let title { items.append(.title(title)) }
        let inputs = indices.map { samples.images[$0] }
        let captions: [String?] = style.showsScores ? indices.map { RenderingSupport.formatScore(samples.scores[$0]) } : []
        items.append(.row(label: "Input", tiles: inputs, captions: captions))
        items.append(.row(label: "Heatmap", tiles: try heatmapTiles(samples.heatmaps, indices: indices, over: samples.images, style: style)))
        let heatmapRow = items.count - 1
        if let masks = samples.masks {
            items.append(.row(label: "Truth", tiles: indices.map { maskTile(masks, index: $0) }))
        }
        return (items, heatmapRow)
    }

    /// The grid of `items` with the style's colour bar next to item `heatmapRow`.
    static func grid(items: [TileGrid.Item], heatmapRow: Int?, tileSize: (width: Int, height: Int), style: FigureStyle) throws(ExplainError) -> TileGrid {
        let scale = style.resolvedScale(tileWidth: tileSize.width, tileHeight: tileSize.height)
        let bar = heatmapRow.flatMap { row in colorBar(for: style, tileHeight: tileSize.height, scale: scale).map { (bar: $0, alignedWith: row) } }
        return try TileGrid(items: items, style: style, colorBar: bar)
    }
}
