/// The test images a report's gallery shows, and why: the highest- and the lowest-scoring
/// ones and the misclassified ones, so that the gallery stays a few hundred pictures however
/// large the test set is.
public struct GallerySelection: Sendable, Equatable, Codable {
    /// The chosen test indices, highest score first.
    public var indices: [Int]
    /// What was chosen, in words, for the report.
    public var summary: String

    /// A selection; see the properties.
    public init(indices: [Int], summary: String) {
        self.indices = indices
        self.summary = summary
    }

    /// The `extremes` highest- and `extremes` lowest-scoring test images and the
    /// misclassified ones (flagged nominal and unflagged anomalous images; where there are
    /// more than `misclassified`, those farthest from `threshold`), highest score first.
    /// Ties keep the test set's order.
    ///
    /// - Parameters:
    ///   - records: The test images' rows of ``ScoreTable``.
    ///   - threshold: The decision threshold, if the rows have decisions.
    ///   - extremes: How many of the highest- and of the lowest-scoring images are chosen.
    ///   - misclassified: The most misclassified images chosen.
    public static func choose(_ records: [ScoreRecord], threshold: Double?, extremes: Int = 40, misclassified: Int = 80) -> GallerySelection {
        let byScore = records.indices.sorted { records[$0].score > records[$1].score || (records[$0].score == records[$1].score && $0 < $1) }
        var chosen = Set(byScore.prefix(max(0, extremes)))
        chosen.formUnion(byScore.suffix(max(0, extremes)))
        let wrong = records.indices.filter { records[$0].isMisclassified == true }
        let distance = { (index: Int) -> Double in abs(Double(records[index].score) - (threshold ?? 0)) }
        let shownWrong =
            wrong.count <= misclassified
            ? wrong : Array(wrong.sorted { distance($0) > distance($1) || (distance($0) == distance($1) && $0 < $1) }.prefix(max(0, misclassified)))
        chosen.formUnion(shownWrong)
        let indices = byScore.filter(chosen.contains)

        var summary =
            records.count <= 2 * extremes
            ? "All \(records.count) test images"
            : "The \(extremes) highest- and \(extremes) lowest-scoring of \(records.count) test images"
        if records.contains(where: { $0.flagged != nil }) {
            let threshold = threshold.map { " (threshold \(Float($0)))" } ?? ""
            let misclassifiedPart =
                switch (wrong.count, wrong.count <= misclassified) {
                case (0, _): ", none misclassified\(threshold)"
                case (_, true): " and all \(wrong.count) misclassified ones\(threshold)"
                default: " and the \(shownWrong.count) of \(wrong.count) misclassified ones farthest from the threshold\(threshold)"
                }
            summary += misclassifiedPart
        }
        summary += ": \(indices.count) pictures."
        return GallerySelection(indices: indices, summary: summary)
    }
}
