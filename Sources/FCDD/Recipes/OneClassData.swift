import Datasets
import Foundation

/// The data of a one-class experiment, before transforms: nominal training images, a
/// labelled test set (0 nominal, 1 anomalous), and for semi-supervised runs the real
/// anomalies (with masks) that training may use, which are then kept out of the test set.
/// ``load(_:)`` reads the paper's set-ups from a ``OneClassDataSource``; any other data
/// works through the memberwise initialiser.
public struct OneClassData: Sendable {
    /// Names the data for messages (`the bundled Fashion-MNIST sample`).
    public var description: String
    /// Where the data came from, which decides the paper's recipe for it.
    public var source: OneClassDataSource
    /// The normal class's name.
    public var normalClassName: String
    /// Nominal training images (label 0).
    public var train: any ImageDataset
    /// The test set, labels 0 nominal and 1 anomalous, without the real anomalies used for training.
    public var test: any ImageDataset
    /// The real anomalies for semi-supervised training, with their masks; `nil` for none.
    public var realAnomalies: (any ImageDataset)?
    /// Whether samples have ground-truth masks (pixel metrics and FCDD's pixel-wise loss).
    public var hasMasks: Bool

    /// Data from its parts; see the properties.
    public init(
        description: String, source: OneClassDataSource, normalClassName: String, train: any ImageDataset, test: any ImageDataset,
        realAnomalies: (any ImageDataset)? = nil, hasMasks: Bool
    ) {
        self.description = description
        self.source = source
        self.normalClassName = normalClassName
        self.train = train
        self.test = test
        self.realAnomalies = realAnomalies
        self.hasMasks = hasMasks
    }

    /// Reads one of the paper's set-ups: the normal class's training images, and its test set
    /// (the benchmark's test split; for a folder the held-out normal images and every other
    /// sub-folder), with `supervisedAnomalies` real anomalies per defect type (MVTec-AD) or
    /// anomalous sub-folder moved from the test set into ``realAnomalies`` (seeded).
    ///
    /// - Throws: `DatasetError` for files that are missing or malformed, or a class or
    ///   split setting out of range.
    public static func load(_ source: OneClassDataSource) throws(DatasetError) -> OneClassData {
        switch source {
        case let .fashionMNIST(directory?, normalClass):
            return try idx(.fashionMNIST, directory: directory, normalClass: normalClass, source: source)
        case let .fashionMNIST(nil, normalClass):
            return try oneClass(
                train: FashionMNIST.bundledSample(split: .train), test: FashionMNIST.bundledSample(split: .test), normalClass: normalClass,
                description: "the bundled Fashion-MNIST sample", source: source)
        case let .mnist(directory, normalClass):
            return try idx(.mnist, directory: directory, normalClass: normalClass, source: source)
        case let .cifar10(directory, normalClass):
            return try oneClass(
                train: CIFAR(directory: directory, split: .train, variant: .cifar10), test: CIFAR(directory: directory, split: .test, variant: .cifar10),
                normalClass: normalClass, description: "CIFAR-10 from \(directory.path)", source: source)
        case let .mvtecAD(root, category, supervisedAnomalies, seed):
            // FCDD gives grey categories three channels.
            let train = try MVTecAD(root: root, category: category, split: .train, channels: .rgb)
            let test = try MVTecAD(root: root, category: category, split: .test, channels: .rgb)
            let anomalous = test.labels.indices.filter { test.labels[$0] == 1 }
            let nominal = test.labels.indices.filter { test.labels[$0] == 0 }
            var testSet = try DatasetSubset(test, indices: Array(test.labels.indices))
            var realAnomalies: (any ImageDataset)?
            if let supervisedAnomalies {
                let (chosen, rest) = try DatasetSubset.drawPerGroup(test, perGroup: supervisedAnomalies, of: anomalous, group: test.defectType(at:), seed: seed)
                testSet = try DatasetSubset(test, indices: (nominal + rest.baseIndices).sorted())
                realAnomalies = chosen
            }
            return OneClassData(
                description: "MVTec-AD \(category) from \(root.path)", source: source, normalClassName: category,
                train: try DatasetSubset(train, indices: Array(train.labels.indices)), test: testSet, realAnomalies: realAnomalies, hasMasks: true)
        case let .imageFolder(root, normalFolder, testFraction, maskPattern, channels, supervisedAnomalies, seed):
            let configuration = ImageFolderConfiguration(
                layout: .normalVersusOthers(normal: [normalFolder]), masks: maskPattern.map { .besideImages(pattern: $0) } ?? .none,
                maskRequirement: .everyImage, channels: channels)
            let folder = try ImageFolderDataset(root: root, configuration: configuration)
            let normal = folder.labels.indices.filter { folder.labels[$0] == 0 }
            var anomalous = folder.labels.indices.filter { folder.labels[$0] == 1 }
            let (train, heldOut) = try DatasetSubset.randomSplit(folder, fraction: testFraction, of: normal, seed: seed)
            var realAnomalies: (any ImageDataset)?
            if let supervisedAnomalies {
                let (chosen, rest) = try DatasetSubset.drawPerGroup(folder, perGroup: supervisedAnomalies, of: anomalous, group: folder.folder(at:), seed: seed)
                anomalous = rest.baseIndices
                realAnomalies = chosen
            }
            return OneClassData(
                description: "\(root.lastPathComponent) (normal: \(normalFolder), \(Int((testFraction * 100).rounded())) % held out)",
                source: source, normalClassName: normalFolder, train: train,
                test: try DatasetSubset(folder, indices: (heldOut.baseIndices + anomalous).sorted()), realAnomalies: realAnomalies,
                hasMasks: maskPattern != nil)
        }
    }

    /// An IDX benchmark from a directory.
    private static func idx(
        _ kind: IDXDatasetKind, directory: URL, normalClass: Int, source: OneClassDataSource
    ) throws(DatasetError) -> OneClassData {
        try oneClass(
            train: IDXImageDataset(directory: directory, split: .train, kind: kind), test: IDXImageDataset(directory: directory, split: .test, kind: kind),
            normalClass: normalClass, description: "\(source) from \(directory.path)", source: source)
    }

    /// One class of a labelled benchmark normal, the others anomalous.
    private static func oneClass(
        train: some ImageDataset, test: some ImageDataset, normalClass: Int, description: String, source: OneClassDataSource
    ) throws(DatasetError) -> OneClassData {
        guard train.classNames.indices.contains(normalClass) else {
            throw .invalidLoaderConfiguration("\(source): expected a normal class in 0...\(train.classNames.count - 1), found \(normalClass)")
        }
        return OneClassData(
            description: description, source: source, normalClassName: train.classNames[normalClass],
            train: try OneClassView(train, normalClasses: [normalClass], split: .train),
            test: try OneClassView(test, normalClasses: [normalClass], split: .test), hasMasks: false)
    }
}

/// Where a one-class experiment's data comes from: the paper's benchmarks and image folders.
public enum OneClassDataSource: Sendable, Equatable, CustomStringConvertible {
    /// Fashion-MNIST from a directory with the four IDX files, or the sample bundled with the
    /// Datasets module when `directory` is `nil`; one class (0–9) is normal.
    case fashionMNIST(directory: URL?, normalClass: Int)
    /// MNIST from a directory with the four IDX files; one class is normal.
    case mnist(directory: URL, normalClass: Int)
    /// CIFAR-10 from its binary batches; one class is normal.
    case cifar10(directory: URL, normalClass: Int)
    /// One MVTec-AD category; with `supervisedAnomalies`, that many real anomalies per defect
    /// type train the model (drawn with `seed`).
    case mvtecAD(root: URL, category: String, supervisedAnomalies: Int? = nil, seed: UInt64 = 0)
    /// A folder with one sub-folder per image group: `normalFolder` is normal, every other
    /// sub-folder anomalous; `testFraction` of the normal images are held out for testing
    /// (drawn with `seed`); masks beside the images by `maskPattern` (`{name}.png`).
    case imageFolder(
        root: URL, normalFolder: String, testFraction: Double = 0.3, maskPattern: String? = nil,
        channels: ImageChannelMode = .asStored, supervisedAnomalies: Int? = nil, seed: UInt64 = 0)

    public var description: String {
        switch self {
        case .fashionMNIST: "Fashion-MNIST"
        case .mnist: "MNIST"
        case .cifar10: "CIFAR-10"
        case let .mvtecAD(_, category, _, _): "MVTec-AD \(category)"
        case let .imageFolder(root, _, _, _, _, _, _): "the image folder \(root.path)"
        }
    }
}
