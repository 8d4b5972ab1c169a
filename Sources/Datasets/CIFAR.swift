import Foundation
import TensorCore

/// One split of CIFAR-10 or CIFAR-100, read from the dataset's **binary version**: the label
/// and pixel bytes stay in memory, and ``sample(at:)`` decodes one `[3, 32, 32]` RGB image
/// with values in [0, 1] (byte / 255).
///
/// ```swift
/// let train = try CIFAR(directory: url, split: .train, variant: .cifar10)
/// train.count                 // 50,000 with all five batches; fewer when some are absent
/// let first = try train.sample(at: 0)
/// first.image.shape           // [3, 32, 32]
/// train.classNames[first.label]
/// ```
///
/// The directory is the one the archive extracts to (`cifar-10-batches-bin`,
/// `cifar-100-binary`) or the one containing it. A split loads **whichever of its batch files
/// exist** (``CIFARVariant/batchFileNames(for:)``), in order, so a folder with only
/// `data_batch_1.bin` gives its 10,000 images; none at all is an error that lists every path
/// looked for. Class names come from the archive's name file (``CIFARVariant/classNamesFileName``)
/// when it is there, from ``CIFARVariant/builtInClassNames`` otherwise.
public struct CIFAR: FileBackedDataset {
    /// The channels, height and width of every image.
    public static let imageShape = [3, 32, 32]

    /// Which dataset and label this is.
    public let variant: CIFARVariant
    /// Which split this is.
    public let split: DatasetSplit
    /// The name of each class, indexed by label.
    public let classNames: [String]
    /// The class index of each image, in `0..<variant.classCount`.
    public let labels: [Int]
    /// The batch files that were read, in the order their records appear.
    public let files: [URL]

    /// The batch files (for cache fingerprints): ``files``.
    public var sourceFiles: [URL] { files }
    /// The images' bytes, ``CIFARVariant/imageByteCount`` per image in index order: red,
    /// green and blue planes of 32×32 row-major bytes, as in the files.
    public let pixels: [UInt8]

    /// The number of images.
    public var count: Int { labels.count }

    /// Loads `split` from `directory` (or its subfolder ``CIFARVariant/archiveFolderName``),
    /// reading whichever of the split's batch files exist.
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` listing every
    ///   path looked for when none of the split's batch files exists, with where to obtain
    ///   CIFAR; ``DatasetError/classNameCountMismatch(file:expected:found:)`` when the class
    ///   name file lists the wrong number of names; and the errors of
    ///   ``CIFARBatchFile/init(contentsOf:variant:)`` for damaged batch files.
    public init(directory: URL, split: DatasetSplit, variant: CIFARVariant = .cifar10) throws(DatasetError) {
        let (folder, batchFiles) = try Self.locateBatchFiles(in: directory, split: split, variant: variant)
        let namesFile = folder.appendingPathComponent(variant.classNamesFileName)
        let names =
            FileManager.default.fileExists(atPath: namesFile.path)
            ? try Self.readClassNames(from: namesFile, expectedCount: variant.classCount)
            : variant.builtInClassNames
        try self.init(batchFiles: batchFiles, split: split, variant: variant, classNames: names)
    }

    /// Loads the given batch files, in order, as `split` of `variant`.
    ///
    /// - Parameters:
    ///   - batchFiles: the batch files to read, in order.
    ///   - split: the split they hold.
    ///   - variant: CIFAR-10 or CIFAR-100, which fixes the record layout.
    ///   - classNames: the class names, indexed by label;
    ///     ``CIFARVariant/builtInClassNames`` when `nil`.
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` for an empty
    ///   list, ``DatasetError/classNameCountMismatch(file:expected:found:)`` when `classNames`
    ///   does not have one name per class, and the errors of
    ///   ``CIFARBatchFile/init(contentsOf:variant:)``.
    public init(batchFiles: [URL], split: DatasetSplit, variant: CIFARVariant, classNames: [String]? = nil) throws(DatasetError) {
        guard !batchFiles.isEmpty else {
            throw .missingFiles(
                directory: "(no batch files given for \(variant)/\(split))",
                expected: variant.batchFileNames(for: split), howToObtain: variant.howToObtain)
        }
        let names = classNames ?? variant.builtInClassNames
        guard names.count == variant.classCount else {
            throw .classNameCountMismatch(file: "<class names given>", expected: variant.classCount, found: names.count)
        }
        var labels: [Int] = []
        var pixels: [UInt8] = []
        for url in batchFiles {
            let batch = try CIFARBatchFile(contentsOf: url, variant: variant)
            labels += batch.labels
            if pixels.isEmpty {
                pixels = batch.pixels  // no copy for the first (often the only) batch
            } else {
                pixels.append(contentsOf: batch.pixels)
            }
        }
        self.variant = variant
        self.split = split
        self.classNames = names
        self.labels = labels
        self.files = batchFiles
        self.pixels = pixels
    }

    /// Image `index` as a `[3, 32, 32]` tensor of values byte / 255 (RGB planes), its label,
    /// and the name `<variant>/<split>[<index>]`, such as `CIFAR-10/train[7]`.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` unless `index`
    ///   is in `0..<count`.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        let name = "\(variant)/\(split)"
        guard index >= 0 && index < count else { throw .sampleIndexOutOfRange(dataset: name, index: index, count: count) }
        let imageBytes = CIFARVariant.imageByteCount
        let image: Tensor
        image = Tensor(shape: Self.imageShape) { output in
            pixels.withUnsafeBufferPointer { source in
                Self.unitInterval.withUnsafeBufferPointer { scale in
                    guard let to = output.baseAddress, let from = source.baseAddress, let scale = scale.baseAddress else { return }
                    let image = from + index * imageBytes
                    for position in 0..<imageBytes { to[position] = scale[Int(image[position])] }
                }
            }
        }
        return DatasetSample(image: image, label: labels[index], name: "\(name)[\(index)]")
    }

    /// Reads a class-name file: one name a line, surrounding white space removed, blank lines
    /// skipped (CIFAR-10's `batches.meta.txt` ends with some).
    ///
    /// - Throws: the errors of ``DatasetFile/contents(of:limits:)``, and
    ///   ``DatasetError/classNameCountMismatch(file:expected:found:)`` unless the file lists
    ///   exactly `expectedCount` names.
    public static func readClassNames(from url: URL, expectedCount: Int) throws(DatasetError) -> [String] {
        let text = String(decoding: try DatasetFile.contents(of: url), as: UTF8.self)
        let names = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard names.count == expectedCount else {
            throw .classNameCountMismatch(file: url.path, expected: expectedCount, found: names.count)
        }
        return names
    }

    /// Byte / 255 for every byte value, correctly rounded.
    private static let unitInterval: [Float] = (0...255).map { Float($0) / 255 }

    /// The folder that holds the split's batch files, and those of them that exist.
    private static func locateBatchFiles(
        in directory: URL, split: DatasetSplit, variant: CIFARVariant
    ) throws(DatasetError) -> (URL, [URL]) {
        let names = variant.batchFileNames(for: split)
        let folders = [directory, directory.appendingPathComponent(variant.archiveFolderName, isDirectory: true)]
        var lookedFor: [String] = []
        for folder in folders {
            let candidates = names.map { folder.appendingPathComponent($0) }
            let present = candidates.filter { candidate in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            if !present.isEmpty { return (folder, present) }
            lookedFor += candidates.map(\.path)
        }
        throw .missingFiles(directory: directory.path, expected: lookedFor, howToObtain: variant.howToObtain)
    }
}
