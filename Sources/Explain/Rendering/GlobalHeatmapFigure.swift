extension HeatmapFigure {
    /// The reference's `heatmaps_global.png`: for each block of
    /// ``SampleSelection/globalBlocks(scores:labels:perRow:)`` (the first `n` samples of each
    /// label, then each label's `n / 2` lowest- and `n / 2` highest-scored samples), a title,
    /// an "Input" row (scores underneath), a "Heatmap" row and, with masks, a "Truth" row,
    /// followed by a blank gap. A colour bar stands next to the first heatmap row.
    ///
    /// The reference separates blocks with a black row; here the gap has the background
    /// colour and each block has a title, such as `First 20 nominal (label 0)`.
    ///
    /// - Parameters:
    ///   - samples: The test samples; heatmaps normalised to `[0, 1]` (globally, for the
    ///     reference's look).
    ///   - perRow: Samples per row, at most; 20 in the reference.
    ///   - style: Scale, colours and labels; see ``FigureStyle``.
    /// - Throws: the errors of ``SampleSelection/globalBlocks(scores:labels:perRow:)`` and
    ///   ``ExplainError/invalidArgument(operation:message:)`` for an invalid style.
    public static func global(_ samples: HeatmapSamples, perRow: Int = 20, style: FigureStyle = FigureStyle()) throws(ExplainError) -> TileGrid {
        try validate(style, operation: "HeatmapFigure.global")
        let blocks = try SampleSelection.globalBlocks(scores: samples.scores, labels: samples.labels, perRow: perRow)
        var items = [TileGrid.Item]()
        var heatmapRow: Int?
        let gap = 3 * style.spacing + 4 * max(style.labelScale, 1)
        for (number, block) in blocks.enumerated() {
            let name = style.name(ofLabel: block.label)
            let title: String
            switch block.kind {
            case .first:
                title = "First \(block.indices.count) \(name) (label \(block.label))"
            case .extremes, .scoreRanks:
                let half = block.indices.count / 2
                title = "\(capitalized(name)) (label \(block.label)): \(half) lowest and \(half) highest scores"
            }
            if number > 0 { items.append(.gap(gap)) }
            let (blockItems, row) = try blockItems(indices: block.indices, samples: samples, title: title, style: style)
            heatmapRow = heatmapRow ?? items.count + row
            items += blockItems
        }
        return try grid(items: items, heatmapRow: heatmapRow, tileSize: samples.imageSize, style: style)
    }

    /// `text` with its first letter in upper case.
    static func capitalized(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}
