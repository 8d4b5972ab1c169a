/// A one-class (one-vs-rest) anomaly-detection view of a labelled ``ImageDataset``: some
/// classes are "normal", every other class is an anomaly, and labels become nominal or
/// anomalous (0 and 1 by default, see ``OneClassLabeling``).
///
/// This is how FCDD and the one-class literature turn Fashion-MNIST or CIFAR-10 into ten
/// anomaly-detection problems: for normal class *c*, train on the training images of *c*
/// only, and test on the **whole** test set (1,000 nominal against 9,000 anomalous images).
/// The view's `split` chooses which of the two it is:
///
/// - `.train` keeps only the samples of the normal classes (all labelled nominal);
/// - `.test` keeps every sample, in the base dataset's order.
///
/// ```swift
/// let train = try OneClassView(FashionMNIST.load(split: .train), normalClasses: [0], split: .train)
/// let test = try OneClassView(FashionMNIST.load(split: .test), normalClasses: [0], split: .test)
/// test.labels.filter { $0 == 1 }.count   // 9,000 anomalies
/// ```
///
/// The view stores the chosen indices and labels only; ``sample(at:)`` reads the base
/// dataset's sample and replaces its label, keeping its image, mask and name.
public struct OneClassView<Base: ImageDataset>: ImageDataset {
    /// The dataset the view selects from.
    public let base: Base
    /// The classes of `base` that are normal (nominal), sorted, without repeats.
    public let normalClasses: [Int]
    /// Which labels nominal and anomalous samples get.
    public let labeling: OneClassLabeling
    /// `.train`: only nominal samples; `.test`: all samples.
    public let split: DatasetSplit
    /// For each sample of the view, its index in `base`.
    public let baseIndices: [Int]
    /// For each sample of the view, its class in `base`.
    public let originalLabels: [Int]
    /// For each sample of the view, ``OneClassLabeling/nominalLabel`` or
    /// ``OneClassLabeling/anomalousLabel``.
    public let labels: [Int]

    /// The number of samples in the view.
    public var count: Int { labels.count }

    /// The names of the two labels, indexed by label (``OneClassLabeling/classNames``).
    public var classNames: [String] { labeling.classNames }

    /// A view of `base` in which the classes `normalClasses` are nominal and all others
    /// anomalous.
    ///
    /// - Parameters:
    ///   - base: a labelled dataset; its labels are read once, without decoding images.
    ///   - normalClasses: the normal classes (one in the standard one-vs-rest setting);
    ///     repeats are ignored.
    ///   - split: `.train` keeps only the normal classes' samples, `.test` keeps every sample.
    ///   - labeling: the labels of nominal and anomalous samples; FCDD's (nominal 0,
    ///     anomalous 1) by default.
    /// - Throws: ``DatasetError/noNormalClasses(dataset:)`` when `normalClasses` is empty,
    ///   and ``DatasetError/normalClassOutOfRange(dataset:normalClass:classCount:)`` for a
    ///   class outside `0..<base.classNames.count`.
    public init(
        _ base: Base, normalClasses: some Sequence<Int>, split: DatasetSplit, labeling: OneClassLabeling = .fcdd
    ) throws(DatasetError) {
        let datasetName = String(describing: Base.self)
        let normal = Set(normalClasses)
        guard !normal.isEmpty else { throw .noNormalClasses(dataset: datasetName) }
        let classCount = base.classNames.count
        for normalClass in normal.sorted() where normalClass < 0 || normalClass >= classCount {
            throw .normalClassOutOfRange(dataset: datasetName, normalClass: normalClass, classCount: classCount)
        }
        var isNormal = [Bool](repeating: false, count: classCount)
        for normalClass in normal { isNormal[normalClass] = true }

        var baseIndices: [Int] = []
        var originalLabels: [Int] = []
        var labels: [Int] = []
        for (index, label) in base.labels.enumerated() {
            let nominal = label >= 0 && label < classCount && isNormal[label]
            if split == .train && !nominal { continue }
            baseIndices.append(index)
            originalLabels.append(label)
            labels.append(nominal ? labeling.nominalLabel : labeling.anomalousLabel)
        }
        self.base = base
        self.normalClasses = normal.sorted()
        self.labeling = labeling
        self.split = split
        self.baseIndices = baseIndices
        self.originalLabels = originalLabels
        self.labels = labels
    }

    /// The base dataset's sample `baseIndices[index]`, with its label replaced by the
    /// nominal or anomalous label.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` unless `index`
    ///   is in `0..<count`, and the errors of the base dataset's ``ImageDataset/sample(at:)``.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard index >= 0 && index < count else {
            throw .sampleIndexOutOfRange(
                dataset: "one-class view (normal \(normalClasses), \(split)) of \(Base.self)", index: index, count: count)
        }
        var sample = try base.sample(at: baseIndices[index])
        sample.label = labels[index]
        return sample
    }
}
