import Datasets
import TensorCore

/// A colour map: turns a value in `[0, 1]` into a colour, and a heatmap `[H, W]` into an RGB
/// `Image`.
///
/// The maps are a table of colours and a way to read it (``Lookup``):
///
/// - ``jet``: matplotlib's `jet`, the map of the FCDD paper's figures and of the reference
///   code's heatmap images (blue for 0, through cyan, green, yellow, to dark red for 1).
/// - ``viridis``: matplotlib's `viridis`, perceptually uniform and readable in grey print.
/// - ``grey``: black for 0 to white for 1, exactly (no quantisation).
///
/// Values outside `[0, 1]` are clamped (matplotlib's default "under" and "over" colours are
/// the end colours too); NaN is taken as 0, as `Image(tensor:)` does.
///
/// ```swift
/// let rgb = try ColorMap.jet.image(of: heatmap)     // heatmap: [H, W] in [0, 1]
/// let red = ColorMap.jet.color(at: 0.9)
/// ```
public struct ColorMap: Sendable, Equatable {
    /// How a value picks its colour from the table of `N` colours.
    public enum Lookup: Sendable, Equatable {
        /// matplotlib's rule for a float: entry `⌊x · N⌋`, with `x = 1` taking the last
        /// entry, so each entry covers a bin of width `1 / N`. With matplotlib's 256-entry
        /// tables this gives exactly `matplotlib.colormaps[name](x)`.
        case nearest
        /// Linear interpolation between entries `i` and `i + 1` at `x · (N − 1)`: the table
        /// lists the colours at equally spaced values from 0 to 1.
        case linear
    }

    /// The map's name, such as `jet`.
    public let name: String
    /// How values are looked up in the table.
    public let lookup: Lookup
    /// The table: R, G, B of each entry, interleaved, from the colour of 0 to that of 1.
    let table: [Float]

    /// A colour map from a table of colours, listed from the colour of 0 to that of 1.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` when `colors` is
    ///   empty, or has a single colour with ``Lookup/linear``.
    public init(name: String, colors: [RGBColor], lookup: Lookup) throws(ExplainError) {
        guard colors.count >= (lookup == .linear ? 2 : 1) else {
            throw .invalidArgument(
                operation: "ColorMap \(name)",
                message: "expected at least \(lookup == .linear ? 2 : 1) colours for \(lookup) lookup, found \(colors.count)")
        }
        self.init(name: name, table: colors.flatMap { [$0.r, $0.g, $0.b] }, lookup: lookup)
    }

    /// A map from a checked interleaved table.
    init(name: String, table: [Float], lookup: Lookup) {
        self.name = name
        self.table = table
        self.lookup = lookup
    }

    /// The number of colours in the table (256 for ``jet`` and ``viridis``).
    public var entryCount: Int { table.count / 3 }

    /// The colours of the table, from the colour of 0 to that of 1.
    public var colors: [RGBColor] {
        (0..<entryCount).map { RGBColor(r: table[3 * $0], g: table[3 * $0 + 1], b: table[3 * $0 + 2]) }
    }

    /// matplotlib's `jet`, the map of the FCDD paper and of the reference code's heatmaps:
    /// its 256-entry table, built from matplotlib's segment data (`_jet_data`) the way
    /// matplotlib builds it, read with ``Lookup/nearest``.
    public static let jet = ColorMap(name: "jet", table: jetTable(entries: 256), lookup: .nearest)

    /// matplotlib's `viridis`: its 256-entry table (generated into `ViridisTable.swift` by
    /// `Scripts/make_viridis_table.py`), read with ``Lookup/nearest``.
    public static let viridis = ColorMap(name: "viridis", table: viridisTable, lookup: .nearest)

    /// Grey: `(x, x, x)` for `x` clamped to `[0, 1]`, without matplotlib's 256-level
    /// quantisation (``Lookup/linear`` between black and white).
    public static let grey = ColorMap(name: "grey", table: [0, 0, 0, 1, 1, 1], lookup: .linear)

    /// The colour of `value`, clamped to `[0, 1]` (NaN is taken as 0).
    public func color(at value: Float) -> RGBColor {
        let (lower, upper, fraction) = entries(for: value, last: entryCount - 1)
        func sample(_ channel: Int) -> Float {
            let from = table[3 * lower + channel]
            return from + (table[3 * upper + channel] - from) * fraction
        }
        return RGBColor(r: sample(0), g: sample(1), b: sample(2))
    }

    /// The heatmap `map` (shape `[H, W]`, values in `[0, 1]`) coloured: an RGB `Image` of
    /// width `W` and height `H` whose pixel `(x, y)` is ``color(at:)`` of `map[y, x]`.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` unless `map` has
    ///   rank 2 and a positive height and width.
    public func image(of map: Tensor) throws(ExplainError) -> Image {
        let (height, width) = try RenderingSupport.mapSize(map, operation: "ColorMap.image(of:)")
        let count = height * width
        let pixels = map.withUnsafeBufferPointer { values in
            [Float](unsafeUninitializedCapacity: 3 * count) { output, initialized in
                if let source = values.baseAddress, let target = output.baseAddress {
                    colorize(source, count: count, into: target)
                }
                initialized = 3 * count
            }
        }
        return Image(validatedWidth: width, height: height, channels: 3, pixels: pixels)
    }

    /// Colours `count` values from `source` into `3 × count` interleaved RGB samples at `target`.
    func colorize(_ source: UnsafePointer<Float>, count: Int, into target: UnsafeMutablePointer<Float>) {
        let last = entryCount - 1
        table.withUnsafeBufferPointer { entries in
            guard let base = entries.baseAddress else { return }
            for index in 0..<count {
                let (lower, upper, fraction) = self.entries(for: source[index], last: last)
                let from = base + 3 * lower, to = base + 3 * upper, output = target + 3 * index
                output[0] = from[0] + (to[0] - from[0]) * fraction
                output[1] = from[1] + (to[1] - from[1]) * fraction
                output[2] = from[2] + (to[2] - from[2]) * fraction
            }
        }
    }

    /// The two table entries that `value` blends, and the weight of the upper one, for a
    /// table whose last entry is `last`.
    @inline(__always)
    private func entries(for value: Float, last: Int) -> (lower: Int, upper: Int, fraction: Float) {
        switch lookup {
        case .nearest:
            // matplotlib: x · N, with N (x = 1) taking the last entry; below 0 (and NaN, for
            // which `scaled > 0` is false) the first entry, from N on the last.
            let size = Float(last + 1)
            let scaled = value * size
            let index = scaled > 0 ? (scaled < size ? Int(scaled) : last) : 0
            return (index, index, 0)
        case .linear:
            let position = (value > 0 ? min(value, 1) : 0) * Float(last)
            let lower = min(Int(position), max(last - 1, 0))
            return (lower, min(lower + 1, last), position - Float(lower))
        }
    }

    /// matplotlib's segment data for `jet` (`_jet_data` in `matplotlib/_cm.py`): for each
    /// channel, the points `(x, value)` between which it is linear.
    private static let jetSegments: [[(x: Double, y: Double)]] = [
        [(0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)],
        [(0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)],
        [(0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0)],
    ]

    /// The `jet` table of `entries` colours, computed as matplotlib's `_create_lookup_table`
    /// does (in double precision): entry `k` is each channel's segment interpolated at
    /// `k / (entries − 1)`.
    static func jetTable(entries: Int) -> [Float] {
        var table = [Float](repeating: 0, count: 3 * entries)
        let step = 1 / Double(entries - 1)
        for (channel, points) in jetSegments.enumerated() {
            let scaled = points.map { $0.x * Double(entries - 1) }
            for entry in 0..<entries {
                let value: Double
                if entry == 0 {
                    value = points[0].y
                } else if entry == entries - 1 {
                    value = points[points.count - 1].y
                } else {
                    let position = Double(entries - 1) * (Double(entry) * step)
                    // numpy.searchsorted (side "left"): the first point at or after `position`.
                    let upper = scaled.firstIndex { $0 >= position } ?? points.count - 1
                    let lower = upper - 1
                    let distance = (position - scaled[lower]) / (scaled[upper] - scaled[lower])
                    value = distance * (points[upper].y - points[lower].y) + points[lower].y
                }
                table[3 * entry + channel] = Float(min(max(value, 0), 1))
            }
        }
        return table
    }
}
