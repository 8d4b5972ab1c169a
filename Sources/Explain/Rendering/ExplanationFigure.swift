import Datasets
import TensorCore

extension HeatmapFigure {
    /// The layout of the FCDD paper's Figure 1: one column per sample and, top to bottom,
    /// rows labelled "Nominal" (nominal inputs), "Anomalous" (anomalous inputs), "Heatmap"
    /// (the anomalous inputs' heatmaps) and, when given, "Truth" (their ground-truth maps),
    /// with a colour bar next to the heatmap row.
    ///
    /// With `nominalHeatmaps`, a "Heatmap" row follows the nominal row as well, so that
    /// nominal and anomalous heatmaps can be compared (not in the paper's figure).
    ///
    /// - Parameters:
    ///   - nominal: Nominal inputs, ready to show (all images `W × H`).
    ///   - anomalous: Anomalous inputs, ready to show.
    ///   - heatmaps: The anomalous inputs' heatmaps, `[M, H, W]` in `[0, 1]` (`M` anomalous inputs).
    ///   - groundTruth: Their ground-truth masks `[M, H, W]` (1 anomalous), or `nil`.
    ///   - nominalHeatmaps: The nominal inputs' heatmaps, `[N, H, W]`, or `nil`.
    ///   - title: A title above the rows, or `nil`.
    ///   - style: Scale, colours and labels; see ``FigureStyle``.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when counts or
    ///   sizes do not fit, ``ExplainError/invalidArgument(operation:message:)`` for no
    ///   inputs at all or an invalid style.
    public static func explanation(
        nominal: [Image], anomalous: [Image], heatmaps: Tensor, groundTruth: Tensor? = nil,
        nominalHeatmaps: Tensor? = nil, title: String? = nil, style: FigureStyle = FigureStyle()
    ) throws(ExplainError) -> TileGrid {
        let operation = "HeatmapFigure.explanation"
        try validate(style, operation: operation)
        guard let size = try commonSize(of: nominal + anomalous, operation: operation) else {
            throw .invalidArgument(operation: operation, message: "expected nominal or anomalous inputs, found none")
        }
        let (height, width) = size
        try checkMaps(heatmaps, count: anomalous.count, height: height, width: width, name: "heatmaps", operation: operation)
        if let groundTruth {
            try checkMaps(groundTruth, count: anomalous.count, height: height, width: width, name: "ground-truth maps", operation: operation)
        }
        if let nominalHeatmaps {
            try checkMaps(nominalHeatmaps, count: nominal.count, height: height, width: width, name: "nominal heatmaps", operation: operation)
        }

        var items = [TileGrid.Item]()
        if let title { items.append(.title(title)) }
        var heatmapRow: Int?
        if !nominal.isEmpty {
            items.append(.row(label: "Nominal", tiles: nominal))
            if let nominalHeatmaps {
                items.append(.row(label: "Heatmap", tiles: try heatmapTiles(nominalHeatmaps, indices: nominal.indices, over: nominal, style: style)))
                heatmapRow = items.count - 1
            }
        }
        if !anomalous.isEmpty {
            items.append(.row(label: "Anomalous", tiles: anomalous))
            items.append(.row(label: "Heatmap", tiles: try heatmapTiles(heatmaps, indices: anomalous.indices, over: anomalous, style: style)))
            heatmapRow = heatmapRow ?? items.count - 1
            if let groundTruth {
                items.append(.row(label: "Truth", tiles: anomalous.indices.map { maskTile(groundTruth, index: $0) }))
            }
        }
        return try grid(items: items, heatmapRow: heatmapRow, tileSize: (width, height), style: style)
    }
}
