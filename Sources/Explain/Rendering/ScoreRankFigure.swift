extension HeatmapFigure {
    /// The reference's "paper" picture for one label (`heatmaps_paper_global_lbl<label>.png`):
    /// `count` samples of `label` at equidistant positions of the score-sorted list
    /// (``SampleSelection/scoreRanks(scores:labels:label:count:)``), from the most nominal on
    /// the left to the most anomalous on the right, as a titled block of an "Input" row
    /// (scores underneath), a "Heatmap" row and, with masks, a "Truth" row, with a colour bar.
    ///
    /// - Parameters:
    ///   - samples: The test samples; heatmaps normalised to `[0, 1]`.
    ///   - label: The label whose samples are shown (0 nominal, 1 anomalous).
    ///   - count: Samples shown; 6 in the reference.
    ///   - style: Scale, colours and labels; see ``FigureStyle``.
    /// - Throws: the errors of ``SampleSelection/scoreRanks(scores:labels:label:count:)`` and
    ///   ``ExplainError/invalidArgument(operation:message:)`` for an invalid style.
    public static func scoreRanks(_ samples: HeatmapSamples, label: Int, count: Int = 6, style: FigureStyle = FigureStyle()) throws(ExplainError) -> TileGrid {
        try validate(style, operation: "HeatmapFigure.scoreRanks")
        let selection = try SampleSelection.scoreRanks(scores: samples.scores, labels: samples.labels, label: label, count: count)
        let title = "\(capitalized(style.name(ofLabel: label))) (label \(label)), lowest to highest score"
        let (items, heatmapRow) = try blockItems(indices: selection.indices, samples: samples, title: title, style: style)
        return try grid(items: items, heatmapRow: heatmapRow, tileSize: samples.imageSize, style: style)
    }
}
