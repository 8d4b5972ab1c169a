import TensorCore

/// The samples of a base dataset at chosen indices, in the given order: a held-out part of a
/// folder that has no train/test split, or the test set without the anomalies that were
/// taken for training.
///
/// ```swift
/// let (train, test) = try DatasetSubset.randomSplit(tiles, fraction: 0.3, of: normalIndices, seed: 0)
/// ```
public struct DatasetSubset<Base: ImageDataset>: ImageDataset {
    /// The dataset the samples come from.
    public let base: Base
    /// For each sample of the subset, its index in ``base``.
    public let baseIndices: [Int]
    /// The labels of the chosen samples.
    public let labels: [Int]

    /// The base dataset's class names.
    public var classNames: [String] { base.classNames }
    /// The number of chosen samples.
    public var count: Int { baseIndices.count }

    /// The samples of `base` at `indices`, in that order.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` for an index
    ///   outside `0..<base.count`, and ``DatasetError/invalidSubset(reason:)`` for an index
    ///   listed twice.
    public init(_ base: Base, indices: [Int]) throws(DatasetError) {
        let baseLabels = base.labels
        var seen = Set<Int>()
        for index in indices {
            guard index >= 0 && index < baseLabels.count else {
                throw .sampleIndexOutOfRange(dataset: "subset of \(Base.self)", index: index, count: baseLabels.count)
            }
            guard seen.insert(index).inserted else { throw .invalidSubset(reason: "index \(index) is listed twice") }
        }
        self.base = base
        baseIndices = indices
        labels = indices.map { baseLabels[$0] }
    }

    /// The base dataset's sample `baseIndices[index]`.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` unless `index`
    ///   is in `0..<count`, and the errors of the base dataset.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard index >= 0 && index < count else {
            throw .sampleIndexOutOfRange(dataset: "subset of \(Base.self)", index: index, count: count)
        }
        return try base.sample(at: baseIndices[index])
    }

    /// Splits `indices` of `base` at random (seeded): `fraction` of them, rounded, go to
    /// `held`, the rest to `kept`; each part keeps the indices' relative order.
    ///
    /// - Throws: ``DatasetError/invalidSubset(reason:)`` for a fraction outside (0, 1) or a
    ///   split that leaves a part empty, and the errors of ``init(_:indices:)``.
    public static func randomSplit(
        _ base: Base, fraction: Double, of indices: [Int], seed: UInt64
    ) throws(DatasetError) -> (kept: DatasetSubset, held: DatasetSubset) {
        guard fraction > 0 && fraction < 1 else {
            throw .invalidSubset(reason: "the held-out fraction must be in (0, 1), found \(fraction)")
        }
        let heldCount = Int((fraction * Double(indices.count)).rounded())
        guard heldCount >= 1 && heldCount < indices.count else {
            throw .invalidSubset(reason: "holding out \(fraction) of \(indices.count) samples leaves a part empty")
        }
        var generator = SeededGenerator(seed: seed)
        let held = Set(indices.shuffled(using: &generator).prefix(heldCount))
        return (
            try DatasetSubset(base, indices: indices.filter { !held.contains($0) }),
            try DatasetSubset(base, indices: indices.filter { held.contains($0) })
        )
    }

    /// Draws `perGroup` indices (seeded) from each group of `indices`, where `group` names
    /// the group of a base index (e.g. the defect type): the few real anomalies of
    /// semi-supervised training. Returns the drawn indices (`chosen`, grouped in the order
    /// of the groups' first appearance) and the others (`rest`, in their order), so the
    /// chosen ones can be removed from the test set.
    ///
    /// - Throws: ``DatasetError/invalidSubset(reason:)`` for `perGroup` < 1 or a group with
    ///   fewer than `perGroup + 1` members (one must stay for testing), and the errors of
    ///   ``init(_:indices:)``.
    public static func drawPerGroup(
        _ base: Base, perGroup: Int, of indices: [Int], group: (Int) -> String, seed: UInt64
    ) throws(DatasetError) -> (chosen: DatasetSubset, rest: DatasetSubset) {
        guard perGroup >= 1 else { throw .invalidSubset(reason: "expected at least 1 sample per group, found \(perGroup)") }
        var order: [String] = []
        var members: [String: [Int]] = [:]
        for index in indices {
            let name = group(index)
            if members[name] == nil { order.append(name) }
            members[name, default: []].append(index)
        }
        var generator = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        for name in order {
            let group = members[name]!
            guard group.count > perGroup else {
                throw .invalidSubset(reason: "group \(name) has \(group.count) samples; drawing \(perGroup) must leave at least one for testing")
            }
            chosen += group.shuffled(using: &generator).prefix(perGroup)
        }
        let chosenSet = Set(chosen)
        return (try DatasetSubset(base, indices: chosen), try DatasetSubset(base, indices: indices.filter { !chosenSet.contains($0) }))
    }
}
