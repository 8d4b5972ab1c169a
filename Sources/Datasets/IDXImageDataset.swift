import Foundation
import TensorCore

/// One split of an image-classification dataset stored as IDX files, such as MNIST or
/// Fashion-MNIST, decoded into a tensor of images and an array of labels.
///
/// A directory holds the four standard files, raw or gzipped:
/// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
/// `t10k-labels-idx1-ubyte` (each optionally with `.gz`).
///
/// ```swift
/// let train = try IDXImageDataset(directory: url, split: .train, kind: .fashionMNIST)
/// train.images.shape  // [60000, 1, 28, 28], values in [0, 1]
/// train.labels[0]     // 9 (Ankle boot)
/// ```
public struct IDXImageDataset: Sendable {
    /// Which dataset this is.
    public let kind: IDXDatasetKind
    /// Which split this is.
    public let split: DatasetSplit
    /// The images, `[count, 1, height, width]` (NCHW, one grey channel), each pixel byte
    /// divided by 255 so values lie in [0, 1].
    public let images: Tensor
    /// The class index of each image, in `0..<kind.classCount`.
    public let labels: [Int]

    /// The number of images.
    public var count: Int { labels.count }

    /// Loads `split` from `directory`, which holds the standard files raw or gzipped (a raw
    /// file is preferred when both exist).
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` listing every
    ///   path looked for when a file is absent, and the errors of
    ///   ``init(images:labels:split:kind:)``, ``IDXFile/init(contentsOf:)`` and
    ///   ``Gzip/decompress(_:file:)`` for damaged files.
    public init(directory: URL, split: DatasetSplit, kind: IDXDatasetKind = .fashionMNIST) throws(DatasetError) {
        let (imagesURL, labelsURL) = try Self.locateFiles(in: directory, split: split, kind: kind)
        try self.init(
            images: IDXFile(contentsOf: imagesURL), imagesFile: imagesURL.path,
            labels: IDXFile(contentsOf: labelsURL), labelsFile: labelsURL.path,
            split: split, kind: kind)
    }

    /// Loads `split` from the first of `kind.defaultDirectories` that holds its files (for
    /// Fashion-MNIST, where Debian's `dataset-fashion-mnist` installs them).
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` when no
    ///   default directory has the files, and the errors of ``init(directory:split:kind:)``.
    public init(split: DatasetSplit, kind: IDXDatasetKind = .fashionMNIST) throws(DatasetError) {
        var expected: [String] = []
        for directory in kind.defaultDirectories {
            do throws(DatasetError) {
                _ = try Self.locateFiles(in: directory, split: split, kind: kind)
            } catch {
                if case let .missingFiles(_, paths, _) = error { expected += paths }
                continue
            }
            try self.init(directory: directory, split: split, kind: kind)
            return
        }
        throw .missingFiles(
            directory: kind.defaultDirectories.isEmpty
                ? "(no default directory for \(kind.name))"
                : kind.defaultDirectories.map(\.path).joined(separator: ", "),
            expected: expected, howToObtain: kind.howToObtain)
    }

    /// Builds a dataset from an image file and a label file that are already parsed.
    ///
    /// - Throws: ``DatasetError/wrongDimensions(file:expected:found:)`` unless the images
    ///   are `[count, kind.imageHeight, kind.imageWidth]` and the labels `[count]`,
    ///   ``DatasetError/countMismatch(imagesFile:imageCount:labelsFile:labelCount:)`` when the
    ///   counts differ, and ``DatasetError/labelOutOfRange(file:index:label:classCount:)``.
    public init(images: IDXFile, labels: IDXFile, split: DatasetSplit, kind: IDXDatasetKind = .fashionMNIST) throws(DatasetError) {
        try self.init(images: images, imagesFile: "<images>", labels: labels, labelsFile: "<labels>", split: split, kind: kind)
    }

    private init(
        images: IDXFile, imagesFile: String, labels: IDXFile, labelsFile: String,
        split: DatasetSplit, kind: IDXDatasetKind
    ) throws(DatasetError) {
        let (height, width) = (kind.imageHeight, kind.imageWidth)
        guard images.dimensions.count == 3, images.dimensions[1] == height, images.dimensions[2] == width else {
            throw .wrongDimensions(
                file: imagesFile, expected: "[count, \(height), \(width)] (\(kind.name) images)", found: images.dimensions)
        }
        guard labels.dimensions.count == 1 else {
            throw .wrongDimensions(file: labelsFile, expected: "[count] (one label per image)", found: labels.dimensions)
        }
        let count = images.dimensions[0]
        guard labels.dimensions[0] == count else {
            throw .countMismatch(imagesFile: imagesFile, imageCount: count, labelsFile: labelsFile, labelCount: labels.dimensions[0])
        }
        var decodedLabels: [Int] = []
        decodedLabels.reserveCapacity(count)
        for (index, byte) in labels.bytes.enumerated() {
            guard Int(byte) < kind.classCount else {
                throw .labelOutOfRange(file: labelsFile, index: index, label: Int(byte), classCount: kind.classCount)
            }
            decodedLabels.append(Int(byte))
        }
        self.kind = kind
        self.split = split
        self.labels = decodedLabels
        self.images = Self.unitIntervalTensor(images.bytes, shape: [count, 1, height, width])
    }

    /// The image and label files of `split` in `directory`, raw preferred over `.gz`.
    private static func locateFiles(in directory: URL, split: DatasetSplit, kind: IDXDatasetKind) throws(DatasetError) -> (URL, URL) {
        let names = ["\(split.idxFilePrefix)-images-idx3-ubyte", "\(split.idxFilePrefix)-labels-idx1-ubyte"]
        var found: [URL] = []
        var missing: [String] = []
        for name in names {
            let candidates = [directory.appendingPathComponent(name), directory.appendingPathComponent(name + ".gz")]
            if let hit = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
                found.append(hit)
            } else {
                missing += candidates.map(\.path)
            }
        }
        guard missing.isEmpty else {
            throw .missingFiles(directory: directory.path, expected: missing, howToObtain: kind.howToObtain)
        }
        return (found[0], found[1])
    }

    /// Pixel bytes as floats in [0, 1]: byte / 255, through a table so each value is the
    /// correctly rounded quotient.
    private static func unitIntervalTensor(_ bytes: [UInt8], shape: [Int]) -> Tensor {
        precondition(bytes.count == shape.reduce(1, *), "IDXImageDataset: \(bytes.count) pixels do not fill shape \(shape)")
        let table = (0...255).map { Float($0) / 255 }
        do {
            return try Tensor(shape: shape) { output in
                for (index, byte) in bytes.enumerated() { output[index] = table[Int(byte)] }
            }
        } catch {
            preconditionFailure("IDXImageDataset: invalid shape \(shape): \(error)")
        }

    }
}
