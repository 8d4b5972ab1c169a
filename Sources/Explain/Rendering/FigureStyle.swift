/// How the heatmap figures look: tile scale, colours, text sizes, spacing and what is shown
/// besides the tiles. The defaults give the FCDD look (``ColorMap/jet`` heatmaps on their
/// own) with readable labels.
public struct FigureStyle: Sendable, Equatable {
    /// How many canvas pixels each input pixel takes (nearest neighbour); `nil` chooses
    /// ``automaticScale(tileWidth:tileHeight:)``: ×4 for 28×28 inputs, ×1 for 224×224.
    public var scale: Int?
    /// The colours of the heatmaps.
    public var colorMap: ColorMap
    /// `nil` shows heatmaps on their own, as the FCDD figures do; a value in `[0, 1]`
    /// blends them over their inputs with that opacity instead
    /// (``Datasets/Image/overlaying(heatmap:colorMap:opacity:)``).
    public var heatmapOpacity: Float?
    /// Whether a ``ColorBar`` is drawn right of the first heatmap row.
    public var showsColorBar: Bool
    /// Whether each input tile has its anomaly score printed under it (where scores are known).
    public var showsScores: Bool
    /// Pixels between neighbouring tiles and rows.
    public var spacing: Int
    /// Pixels of background around the figure.
    public var margin: Int
    /// Scale of row labels and block titles (``BitmapFont`` pixels to canvas pixels).
    public var labelScale: Int
    /// Scale of the score captions under tiles and of the colour bar's tick labels.
    public var captionScale: Int
    /// Colour of the background.
    public var background: RGBColor
    /// Colour of labels, titles, captions and the colour bar's outline.
    public var textColor: RGBColor
    /// Names of the labels in titles: 0 and 1 are "nominal" and "anomalous"; other labels
    /// are called `label <n>`.
    public var labelNames: [Int: String]

    /// The default style; every setting can be given or changed afterwards.
    public init(
        scale: Int? = nil, colorMap: ColorMap = .jet, heatmapOpacity: Float? = nil, showsColorBar: Bool = true,
        showsScores: Bool = true, spacing: Int = 4, margin: Int = 12, labelScale: Int = 2, captionScale: Int = 2,
        background: RGBColor = .white, textColor: RGBColor = .black,
        labelNames: [Int: String] = [0: "nominal", 1: "anomalous"]
    ) {
        self.scale = scale
        self.colorMap = colorMap
        self.heatmapOpacity = heatmapOpacity
        self.showsColorBar = showsColorBar
        self.showsScores = showsScores
        self.spacing = spacing
        self.margin = margin
        self.labelScale = labelScale
        self.captionScale = captionScale
        self.background = background
        self.textColor = textColor
        self.labelNames = labelNames
    }

    /// The tile size in canvas pixels that ``automaticScale(tileWidth:tileHeight:)`` aims at.
    public static let targetTileSize = 112

    /// The integer scale that brings the longer side of a `tileWidth × tileHeight` input
    /// closest to ``targetTileSize`` pixels, at least 1: 4 for 28 or 32, 2 for 64, 1 for 224.
    public static func automaticScale(tileWidth: Int, tileHeight: Int) -> Int {
        let side = max(tileWidth, tileHeight, 1)
        return max(1, Int((Double(targetTileSize) / Double(side)).rounded()))
    }

    /// The name of `label` for titles, such as `nominal`.
    public func name(ofLabel label: Int) -> String {
        labelNames[label] ?? "label \(label)"
    }

    /// The scale for tiles of the given size: ``scale`` if set, else the automatic one.
    func resolvedScale(tileWidth: Int, tileHeight: Int) -> Int {
        scale ?? Self.automaticScale(tileWidth: tileWidth, tileHeight: tileHeight)
    }
}
