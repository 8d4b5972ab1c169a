import Datasets

/// The three kinds of image in the study.
enum StudyGroup: Sendable {
    /// A nominal image (never watermarked).
    case nominal
    /// An anomaly that carries the watermark.
    case watermarked
    /// An anomaly without it.
    case clean
}

/// One image of the study: its index in the CIFAR split, its one-class label (0 nominal,
/// 1 anomalous) and whether it carries the watermark.
struct StudyEntry: Sendable, Equatable {
    /// Index of the image in the CIFAR split.
    let index: Int
    /// 0 for a nominal image, 1 for an anomaly.
    let label: Int
    /// Whether the ``Watermark`` is drawn on the image.
    let isWatermarked: Bool

    /// Which of the study's groups the image belongs to.
    var group: StudyGroup { label == 0 ? .nominal : isWatermarked ? .watermarked : .clean }
}

/// Images of a CIFAR split with one-class labels, some of them watermarked: the training
/// set and the held-back test sets of the study.
struct StudyDataset: ImageDataset {
    /// The CIFAR split the images come from.
    let base: CIFAR
    /// The images, in order.
    let entries: [StudyEntry]
    /// The mark drawn on the entries that carry one.
    let watermark: Watermark

    /// The number of images.
    var count: Int { entries.count }
    /// `nominal` and `anomalous`, the one-class labels' names.
    var classNames: [String] { ["nominal", "anomalous"] }
    /// The one-class label of every image.
    var labels: [Int] { entries.map(\.label) }

    /// The positions of the entries of `group`, ascending.
    func indices(of group: StudyGroup) -> [Int] {
        entries.indices.filter { entries[$0].group == group }
    }

    /// The same images with `entries` instead.
    func with(entries: [StudyEntry]) -> StudyDataset {
        StudyDataset(base: base, entries: entries, watermark: watermark)
    }

    /// The CIFAR image of entry `index` with its one-class label, watermarked where the entry
    /// says so; its name is the CIFAR name, with ` +watermark` for a watermarked one.
    ///
    /// - Throws: `DatasetError.sampleIndexOutOfRange` for an index outside `0..<count`, and
    ///   the errors of the CIFAR split.
    func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard entries.indices.contains(index) else { throw .sampleIndexOutOfRange(dataset: "Clever Hans study", index: index, count: count) }
        let entry = entries[index]
        var sample = try base.sample(at: entry.index)
        sample.label = entry.label
        guard entry.isWatermarked else { return sample }
        sample = try watermark.apply(sample, seed: 0)
        sample.name += " +watermark"
        return sample
    }
}
