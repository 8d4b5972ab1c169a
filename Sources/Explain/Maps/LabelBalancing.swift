import TensorCore

/// The label-balanced subset from which the reference takes its global normalisation
/// statistics (`balance_labels` in `training/__init__.py` of the official code): every
/// sample of the rarer label and an equally large random subset of the other.
public enum LabelBalancing {
    /// The indices, ascending, of a label-balanced subset of `labels`.
    ///
    /// The reference removes `|majority| − |minority|` majority samples chosen uniformly at
    /// random (`random.sample`); this does the same with `generator`, so the subset is
    /// reproducible but not the reference's. With a single label present every index is
    /// kept (the reference's `err=False` behaviour; its FCDD path asserts two labels).
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for no labels or more
    ///   than two distinct labels.
    public static func balancedIndices(labels: [Int], using generator: inout SeededGenerator) throws(ExplainError) -> [Int] {
        let operation = "LabelBalancing.balancedIndices"
        let distinct = Array(Set(labels)).sorted()
        guard !labels.isEmpty, distinct.count <= 2 else {
            throw .invalidArgument(operation: operation, message: "expected one or two distinct labels, found \(distinct)")
        }
        guard distinct.count == 2 else { return Array(labels.indices) }
        let first = labels.indices.filter { labels[$0] == distinct[0] }
        let second = labels.indices.filter { labels[$0] == distinct[1] }
        var majority = first.count > second.count ? first : second
        let excess = majority.count - Swift.min(first.count, second.count)
        // A partial Fisher–Yates shuffle picks the `excess` indices to drop.
        for position in 0..<excess {
            let pick = Int.random(in: position..<majority.count, using: &generator)
            majority.swapAt(position, pick)
        }
        let removed = Set(majority.prefix(excess))
        return labels.indices.filter { !removed.contains($0) }
    }
}
