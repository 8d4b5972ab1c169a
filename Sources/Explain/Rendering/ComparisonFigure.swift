import Datasets
import TensorCore

extension HeatmapFigure {
    /// Several explanation methods side by side: one column per input and, top to bottom, the
    /// title (when given), a row labelled "Input" (the inputs), one row per method labelled
    /// with its name (that method's heatmap of each input) and, when `groundTruth` is given,
    /// a row labelled "Truth" (the ground-truth maps), with a colour bar next to the first
    /// method's row.
    ///
    /// Heatmap tiles are drawn as in
    /// ``explanation(nominal:anomalous:heatmaps:groundTruth:nominalHeatmaps:title:style:)``:
    /// coloured with the style's colour map on their own, or blended over their input when
    /// the style has a ``FigureStyle/heatmapOpacity``. The figure draws the values as given,
    /// so one colour means one value in every row only when the caller normalised all
    /// methods' heatmaps alike.
    ///
    /// Items are numbered from the top for ``TileGrid/frame(item:column:)``: with a title,
    /// the title is item 0 and the "Input" row item 1; method `m` is the row right after the
    /// "Input" row plus `m`, and "Truth" follows the last method.
    ///
    /// - Parameters:
    ///   - inputs: The inputs, ready to show (all images `W × H`), one column each.
    ///   - methods: The methods in row order: a non-empty row label each (distinct) and its
    ///     heatmaps `[N, H, W]` in `[0, 1]` (`N` inputs; outside values take the end colours).
    ///   - groundTruth: Ground-truth masks `[N, H, W]` (1 anomalous), or `nil`.
    ///   - title: A title above the rows, or `nil`.
    ///   - style: Scale, colours and labels; see ``FigureStyle``.
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for no inputs, no
    ///   methods, an empty (or all-blank) or repeated method name, or an invalid style;
    ///   ``ExplainError/shapeMismatch(operation:expected:found:)`` when the inputs differ in
    ///   size or a method's heatmaps or the ground truth are not `[N, H, W]`.
    public static func comparison(
        inputs: [Image], methods: [(name: String, heatmaps: Tensor)], groundTruth: Tensor? = nil,
        title: String? = nil, style: FigureStyle = FigureStyle()
    ) throws(ExplainError) -> TileGrid {
        let operation = "HeatmapFigure.comparison"
        try validate(style, operation: operation)
        guard let size = try commonSize(of: inputs, operation: operation) else {
            throw .invalidArgument(operation: operation, message: "expected at least one input, found none")
        }
        guard !methods.isEmpty else {
            throw .invalidArgument(operation: operation, message: "expected at least one method, found none")
        }
        let (height, width) = size
        var names = Set<String>()
        for (index, method) in methods.enumerated() {
            guard !method.name.allSatisfy(\.isWhitespace) else {
                throw .invalidArgument(operation: operation, message: "expected a non-empty name for method \(index), found \"\(method.name)\"")
            }
            guard names.insert(method.name).inserted else {
                throw .invalidArgument(operation: operation, message: "expected distinct method names, found \"\(method.name)\" more than once")
            }
            try checkMaps(
                method.heatmaps, count: inputs.count, height: height, width: width,
                name: "heatmaps of method \"\(method.name)\"", operation: operation)
        }
        if let groundTruth {
            try checkMaps(groundTruth, count: inputs.count, height: height, width: width, name: "ground-truth maps", operation: operation)
        }

        var items = [TileGrid.Item]()
        if let title { items.append(.title(title)) }
        items.append(.row(label: "Input", tiles: inputs))
        let firstMethodRow = items.count
        for method in methods {
            items.append(.row(label: method.name, tiles: try heatmapTiles(method.heatmaps, indices: inputs.indices, over: inputs, style: style)))
        }
        if let groundTruth {
            items.append(.row(label: "Truth", tiles: inputs.indices.map { maskTile(groundTruth, index: $0) }))
        }
        return try grid(items: items, heatmapRow: firstMethodRow, tileSize: (width, height), style: style)
    }
}
