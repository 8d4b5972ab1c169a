/// A group of samples picked for one block of a heatmap figure, as the FCDD reference code
/// picks them (`BaseADTrainer.heatmap_generation`).
public struct SampleSelection: Sendable, Equatable {
    /// How the samples were picked.
    public enum Kind: Sendable, Equatable {
        /// The first samples of the label, in data order.
        case first
        /// The lowest-scored half, then the highest-scored half, each in ascending score order.
        case extremes
        /// Samples at equidistant positions of the score-sorted list, from the most nominal
        /// (lowest score) to the most anomalous.
        case scoreRanks
    }

    /// The label all picked samples have.
    public let label: Int
    /// How they were picked.
    public let kind: Kind
    /// Their indices into the scores and labels, in the order they are shown.
    public let indices: [Int]

    /// A selection of `indices`, all of label `label`, picked as `kind`.
    public init(label: Int, kind: Kind, indices: [Int]) {
        self.label = label
        self.kind = kind
        self.indices = indices
    }

    /// The blocks of the reference's `heatmaps_global.png`, in order: for each label
    /// (ascending) its first `n` samples, then for each label its `n / 2` lowest- and `n / 2`
    /// highest-scored samples. `n` is `perRow`, lowered to the size of the smallest label
    /// and then to an even number, as the reference does; every block has `n` samples.
    ///
    /// Ties in score keep data order.
    ///
    /// - Throws: ``ExplainError/countMismatch(operation:scores:labels:)`` when the counts
    ///   differ, ``ExplainError/emptyScores(operation:)`` for no samples,
    ///   ``ExplainError/nanScore(operation:index:)`` for a NaN score, and
    ///   ``ExplainError/invalidArgument(operation:message:)`` when `perRow` or the smallest
    ///   label has fewer than 2 samples.
    public static func globalBlocks(scores: [Float], labels: [Int], perRow: Int = 20) throws(ExplainError) -> [SampleSelection] {
        let operation = "SampleSelection.globalBlocks"
        let byLabel = try groupedByLabel(scores: scores, labels: labels, operation: operation)
        let smallest = byLabel.map(\.indices.count).min() ?? 0
        var shown = min(perRow, smallest)
        shown -= shown % 2
        guard shown >= 2 else {
            throw .invalidArgument(
                operation: operation,
                message: "expected at least 2 samples per row and per label, found \(perRow) per row and \(smallest) in the smallest label")
        }
        var blocks = byLabel.map { SampleSelection(label: $0.label, kind: .first, indices: Array($0.indices.prefix(shown))) }
        for (label, indices) in byLabel {
            let sorted = sortedByScore(indices, scores: scores)
            blocks.append(SampleSelection(label: label, kind: .extremes, indices: Array(sorted.prefix(shown / 2) + sorted.suffix(shown / 2))))
        }
        return blocks
    }

    /// The reference's "paper" picks (`heatmaps_paper_*_lbl<label>.png`): the samples of
    /// `label` sorted by score are split into `count` nearly equal consecutive parts
    /// (`numpy.array_split`); part `n` gives its sample at position
    /// `⌊n / (count − 1) · size⌋`, the last part its last sample. The first pick is the
    /// most nominal sample, the last the most anomalous. With fewer than `count` samples of
    /// the label, all of them are shown. Ties in score keep data order.
    ///
    /// - Throws: ``ExplainError/countMismatch(operation:scores:labels:)``,
    ///   ``ExplainError/emptyScores(operation:)`` and ``ExplainError/nanScore(operation:index:)``
    ///   as ``globalBlocks(scores:labels:perRow:)``, and
    ///   ``ExplainError/invalidArgument(operation:message:)`` when `count` is below 2 or no
    ///   sample has label `label`.
    public static func scoreRanks(scores: [Float], labels: [Int], label: Int, count: Int = 6) throws(ExplainError) -> SampleSelection {
        let operation = "SampleSelection.scoreRanks"
        guard count >= 2 else {
            throw .invalidArgument(operation: operation, message: "expected at least 2 picks, found \(count)")
        }
        let byLabel = try groupedByLabel(scores: scores, labels: labels, operation: operation)
        guard let group = byLabel.first(where: { $0.label == label }) else {
            throw .invalidArgument(operation: operation, message: "expected samples of label \(label), found labels \(byLabel.map(\.label))")
        }
        let sorted = sortedByScore(group.indices, scores: scores)
        let parts = min(count, sorted.count)
        guard parts >= 2 else { return SampleSelection(label: label, kind: .scoreRanks, indices: sorted) }
        // numpy.array_split: the first `size % parts` parts have one extra element.
        let (base, extra) = (sorted.count / parts, sorted.count % parts)
        var picks = [Int]()
        var start = 0
        for part in 0..<parts {
            let length = base + (part < extra ? 1 : 0)
            let position = part == parts - 1 ? length - 1 : Int(Double(part) / Double(parts - 1) * Double(length))
            picks.append(sorted[start + min(position, length - 1)])
            start += length
        }
        return SampleSelection(label: label, kind: .scoreRanks, indices: picks)
    }

    /// The indices of each label, labels ascending, after checking the inputs.
    private static func groupedByLabel(scores: [Float], labels: [Int], operation: String) throws(ExplainError) -> [(label: Int, indices: [Int])] {
        guard scores.count == labels.count else { throw .countMismatch(operation: operation, scores: scores.count, labels: labels.count) }
        guard !scores.isEmpty else { throw .emptyScores(operation: operation) }
        if let index = scores.firstIndex(where: \.isNaN) { throw .nanScore(operation: operation, index: index) }
        var groups = [Int: [Int]]()
        for (index, label) in labels.enumerated() { groups[label, default: []].append(index) }
        return groups.keys.sorted().map { ($0, groups[$0] ?? []) }
    }

    /// `indices` sorted by ascending score, ties in index order.
    private static func sortedByScore(_ indices: [Int], scores: [Float]) -> [Int] {
        indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }
}
