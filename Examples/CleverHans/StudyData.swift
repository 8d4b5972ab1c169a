import Datasets

/// The study's data, assembled from a CIFAR-10 split with seeded, deterministic choices:
///
/// 1. Of each class, the first ``StudySettings/imagesPerClass`` images (all by default).
/// 2. Of the anomalous class, ``StudySettings/watermarkedFraction`` of the images (drawn at
///    random) carry the watermark.
/// 3. Each group (every nominal class, the watermarked and the clean anomalies) is split
///    at random into training images and ``StudySettings/testFraction`` held back.
///
/// So the training set holds nominal images (label 0) and labelled anomalies (label 1),
/// some of them watermarked, as in the paper's Pascal VOC set-up where the horses are seen
/// in training; the held-back images keep the same proportions.
struct StudyData: Sendable {
    /// The training images.
    let train: StudyDataset
    /// The held-back images: nominal ones first, then the anomalies.
    let test: StudyDataset

    /// Assembles the study's data from `base` as the type's description says.
    ///
    /// - Throws: `DatasetError.invalidSubset` for a class outside the split's labels, a class
    ///   with too few images, or fractions that leave a group empty.
    init(base: CIFAR, settings: StudySettings, watermark: Watermark) throws(DatasetError) {
        let classes = settings.nominalClasses + [settings.anomalousClass]
        var members = [Int: [Int]]()
        for (index, label) in base.labels.enumerated() where classes.contains(label) {
            if settings.imagesPerClass.map({ members[label, default: []].count < $0 }) ?? true { members[label, default: []].append(index) }
        }
        for label in classes where (members[label]?.count ?? 0) < 2 {
            throw .invalidSubset(
                reason: "class \(label) has \(members[label]?.count ?? 0) images in \(base.files.map(\.lastPathComponent)); the study needs at least 2 of each")
        }
        // One seed per random choice: the watermarked anomalies, then each group's split.
        let anomalies = try DatasetSubset.randomSplit(
            base, fraction: settings.watermarkedFraction, of: members[settings.anomalousClass] ?? [], seed: settings.seed)
        var groups = settings.nominalClasses.map { (indices: members[$0] ?? [], label: 0, watermarked: false) }
        groups.append((anomalies.held.baseIndices, 1, true))
        groups.append((anomalies.kept.baseIndices, 1, false))
        var train: [StudyEntry] = [], test: [StudyEntry] = []
        for (number, group) in groups.enumerated() {
            let split = try DatasetSubset.randomSplit(base, fraction: settings.testFraction, of: group.indices, seed: settings.seed &+ UInt64(number + 1))
            train += split.kept.baseIndices.map { StudyEntry(index: $0, label: group.label, isWatermarked: group.watermarked) }
            test += split.held.baseIndices.map { StudyEntry(index: $0, label: group.label, isWatermarked: group.watermarked) }
        }
        self.train = StudyDataset(base: base, entries: train, watermark: watermark)
        self.test = StudyDataset(base: base, entries: test, watermark: watermark)
    }
}
