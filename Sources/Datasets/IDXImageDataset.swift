import Foundation
import TensorCore

/// One split of an image-classification dataset stored as IDX files, such as MNIST or
/// Fashion-MNIST, decoded into a tensor of images and an array of labels.
///
/// A directory holds the four standard files, raw or gzipped:
/// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
/// `t10k-labels-idx1-ubyte` (each optionally with `.gz`); other kinds name them differently
/// (``IDXDatasetKind/fileNames(for:)``, for example `emnist-letters-train-images-idx3-ubyte`).
///
/// It is an ``ImageDataset``: ``sample(at:)`` returns one `[1, height, width]` image named
/// `<kind>/<split>[<index>]`, such as `Fashion-MNIST/train[7]`.
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
    /// The class index of each image, in `0..<kind.classCount` (already shifted by
    /// ``IDXDatasetKind/firstLabel``).
    public let labels: [Int]

    /// The number of images.
    public var count: Int { labels.count }

    /// Loads `split` from `directory`, which holds the standard files raw or gzipped (a raw
    /// file is preferred when both exist).
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` listing every
    ///   path looked for when a file is absent, and the errors of
    ///   ``init(images:labels:split:kind:)``, ``IDXFile/init(contentsOf:limits:)`` and
    ///   ``Gzip/decompress(_:file:limits:)`` for damaged files.
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
    /// Images of a ``IDXDatasetKind/transposed`` kind are transposed back while decoding, and
    /// labels are shifted by ``IDXDatasetKind/firstLabel``.
    ///
    /// - Throws: ``DatasetError/wrongDimensions(file:expected:found:)`` unless the images
    ///   are `[count, kind.imageHeight, kind.imageWidth]` (`[count, kind.imageWidth,
    ///   kind.imageHeight]` when transposed) and the labels `[count]`,
    ///   ``DatasetError/countMismatch(imagesFile:imageCount:labelsFile:labelCount:)`` when the
    ///   counts differ, ``DatasetError/labelOutOfRange(file:index:label:classCount:)`` for a
    ///   label outside `0..<kind.classCount` and, when labels do not start at 0,
    ///   ``DatasetError/fileLabelOutOfRange(file:index:label:expected:)`` for a stored label
    ///   outside `firstLabel...firstLabel + classCount - 1`.
    public init(images: IDXFile, labels: IDXFile, split: DatasetSplit, kind: IDXDatasetKind = .fashionMNIST) throws(DatasetError) {
        try self.init(images: images, imagesFile: "<images>", labels: labels, labelsFile: "<labels>", split: split, kind: kind)
    }

    private init(
        images: IDXFile, imagesFile: String, labels: IDXFile, labelsFile: String,
        split: DatasetSplit, kind: IDXDatasetKind
    ) throws(DatasetError) {
        let (height, width) = (kind.imageHeight, kind.imageWidth)
        let (storedRows, storedColumns) = kind.transposed ? (width, height) : (height, width)
        guard images.dimensions.count == 3, images.dimensions[1] == storedRows, images.dimensions[2] == storedColumns else {
            let layout = kind.transposed ? ", stored transposed" : ""
            throw .wrongDimensions(
                file: imagesFile, expected: "[count, \(storedRows), \(storedColumns)] (\(kind.name) images\(layout))",
                found: images.dimensions)
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
            let label = Int(byte) - kind.firstLabel
            guard label >= 0 && label < kind.classCount else {
                if kind.firstLabel == 0 {
                    throw .labelOutOfRange(file: labelsFile, index: index, label: Int(byte), classCount: kind.classCount)
                }
                throw .fileLabelOutOfRange(
                    file: labelsFile, index: index, label: Int(byte),
                    expected: kind.firstLabel...(kind.firstLabel + kind.classCount - 1))
            }
            decodedLabels.append(label)
        }
        self.kind = kind
        self.split = split
        self.labels = decodedLabels
        self.images = Self.unitIntervalTensor(
            images.bytes, count: count, height: height, width: width, transposed: kind.transposed)
    }

    /// The image and label files of `split` in `directory`, raw preferred over `.gz`.
    private static func locateFiles(in directory: URL, split: DatasetSplit, kind: IDXDatasetKind) throws(DatasetError) -> (URL, URL) {
        let fileNames = kind.fileNames(for: split)
        let names = [fileNames.images, fileNames.labels]
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

    /// Pixel bytes as a `[count, 1, height, width]` tensor of floats in [0, 1]: byte / 255,
    /// through a table so each value is the correctly rounded quotient. With `transposed`,
    /// each stored image is `[width, height]` and is transposed back.
    private static func unitIntervalTensor(_ bytes: [UInt8], count: Int, height: Int, width: Int, transposed: Bool) -> Tensor {
        let shape = [count, 1, height, width]
        let plane = height * width
        precondition(bytes.count == count * plane, "IDXImageDataset: \(bytes.count) pixels do not fill shape \(shape)")
        let table = (0...255).map { Float($0) / 255 }
        return Tensor(shape: shape) { output in
            bytes.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { scale in
                    guard let from = source.baseAddress, let to = output.baseAddress, let scale = scale.baseAddress else { return }
                    if !transposed {
                        for index in 0..<(count * plane) { to[index] = scale[Int(from[index])] }
                        return
                    }
                    for image in 0..<count {
                        let stored = from + image * plane, upright = to + image * plane
                        // Stored row x holds column x of the upright image.
                        for x in 0..<width {
                            for y in 0..<height { upright[y * width + x] = scale[Int(stored[x * height + y])] }
                        }
                    }
                }
            }
        }
    }
}

extension IDXImageDataset: ImageDataset {
    /// The name of each class, indexed by label: the kind's ``IDXDatasetKind/classNames``.
    public var classNames: [String] { kind.classNames }

    /// Image `index` as a `[1, height, width]` tensor (a copy of its plane of ``images``),
    /// its label, and the name `<kind>/<split>[<index>]`, such as `Fashion-MNIST/test[3]`.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` unless `index`
    ///   is in `0..<count`.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        let name = "\(kind.name)/\(split)"
        guard index >= 0 && index < count else { throw .sampleIndexOutOfRange(dataset: name, index: index, count: count) }
        let (height, width) = (kind.imageHeight, kind.imageWidth)
        let plane = height * width
        let image = images.withUnsafeBufferPointer { all in
            Tensor(shape: [1, height, width]) { output in
                guard let from = all.baseAddress, let to = output.baseAddress else { return }
                to.update(from: from + index * plane, count: plane)
            }
        }
        return DatasetSample(image: image, label: labels[index], name: "\(name)[\(index)]")
    }
}
