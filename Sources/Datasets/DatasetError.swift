/// An error thrown while reading a dataset from disk.
///
/// Every case names the file (or directory) concerned and says what was expected and what
/// was found, so the message alone tells a user what is wrong and how to fix it.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Files that a dataset needs are not there. `expected` lists every path that was looked
    /// for; `howToObtain` says where the files come from.
    case missingFiles(directory: String, expected: [String], howToObtain: String)
    /// A file exists but could not be read (a folder, or no permission).
    case unreadableFile(file: String, reason: String)
    /// A file does not start with the magic number of its format.
    case badMagicNumber(file: String, expected: String, found: UInt32)
    /// A file ends before the data that its header announces (or before its header ends).
    case truncatedData(file: String, expectedBytes: Int, foundBytes: Int)
    /// A file holds more bytes than its header announces.
    case trailingData(file: String, expectedBytes: Int, foundBytes: Int)
    /// A file's dimensions are not the ones the dataset needs.
    case wrongDimensions(file: String, expected: String, found: [Int])
    /// A gzip (or zlib) stream is damaged or is not a gzip stream at all.
    case corruptGzip(file: String, reason: String)
    /// A gzip stream ends before its end marker: the file was cut short, for example by an
    /// interrupted download.
    case truncatedGzip(file: String, decompressedBytes: Int)
    /// An image file and its label file hold different numbers of items.
    case countMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
    /// A label is not a valid class index.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)

    // MARK: transforms
    /// A transform cannot be applied to a sample: its image or mask does not have the shape
    /// the transform needs (a rank other than 3, an unsupported channel count, a crop larger
    /// than the image, a mask whose size differs from the image's). `sample` names the
    /// sample, `expected` says what the transform needs and `found` is the offending shape.
    case transformInputMismatch(transform: String, sample: String, expected: String, found: [Int])
    /// A transform was configured with a value outside its valid range (a negative
    /// standard deviation, a probability outside `[0, 1]`, a size below 1, an unknown class).
    case invalidTransformParameter(transform: String, parameter: String, expected: String, found: String)

    // MARK: cifar, one-class, download

    /// A file of fixed-size records (CIFAR's binary version) does not hold a whole number of
    /// records: it was cut short, or it is not a file of that format.
    case partialRecord(file: String, recordBytes: Int, foundBytes: Int)
    /// A file of class names (one a line, such as CIFAR's `batches.meta.txt`) lists a
    /// different number of names than the dataset has classes.
    case classNameCountMismatch(file: String, expected: Int, found: Int)
    /// A label in a file whose labels do not start at 0 (EMNIST letters stores 1…26) lies
    /// outside the range the file format allows; `label` is the value stored in the file.
    case fileLabelOutOfRange(file: String, index: Int, label: Int, expected: ClosedRange<Int>)
    /// ``ImageDataset/sample(at:)`` was asked for an index outside `0..<count`.
    case sampleIndexOutOfRange(dataset: String, index: Int, count: Int)
    /// A one-class view was asked to treat no class as normal.
    case noNormalClasses(dataset: String)
    /// A normal class chosen for a one-class view is not a class of the dataset.
    case normalClassOutOfRange(dataset: String, normalClass: Int, classCount: Int)
    /// An SHA-256 checksum given to a download is not 64 hexadecimal digits.
    case malformedChecksum(url: String, checksum: String)
    /// A download answered with an HTTP status outside 200–299 (404: no such file).
    case httpStatus(url: String, statusCode: Int)
    /// A download failed before a complete answer arrived (no connection, time-out,
    /// interrupted transfer).
    case downloadFailed(url: String, reason: String)
    /// A downloaded (or cached) file's SHA-256 is not the expected one: the file is damaged,
    /// incomplete, or not the file the checksum describes.
    case checksumMismatch(file: String, expected: String, found: String)
    /// A file-system operation on a dataset file failed (creating a directory, moving,
    /// removing or reading a file).
    case fileOperationFailed(file: String, operation: String, reason: String)

    // MARK: loader

    /// Samples of one batch have different image (or mask) shapes: resize or crop them to
    /// one size before batching, or, when only their channel counts differ (a folder of grey
    /// and colour images), give them one with ``ImageFolderConfiguration/channels``.
    case inconsistentBatch(first: String, firstShape: [Int], other: String, otherShape: [Int])
    /// A loader or cache setting is out of range.
    case invalidLoaderConfiguration(String)
    /// A decoded-image cache file is not usable (wrong magic number, version, size or source
    /// fingerprint); it is rebuilt when the cache is opened with a builder.
    case invalidCache(file: String, reason: String)

    // MARK: image files

    /// A file is not an image in a format that ``Image`` reads: it does not start with the
    /// signature of one. `expected` names the signatures looked for; `found` holds the
    /// file's first bytes (empty for an empty file).
    case notAnImage(file: String, expected: String, found: [UInt8])
    /// An image file (`format`: `PNG` or `JPEG`) is damaged; `reason` is the decoder's
    /// (libpng's or libjpeg's) message.
    case corruptImage(file: String, format: String, reason: String)
    /// An image file ends before its image does: it was cut short, for example by an
    /// interrupted download. `foundBytes` is its size.
    case truncatedImage(file: String, format: String, foundBytes: Int)
    /// An image is valid but of a variant that is not supported (a CMYK JPEG, a 12-bit
    /// JPEG), or cannot be encoded as asked (a PNG bit depth other than 8 or 16).
    case unsupportedImage(file: String, format: String, reason: String)

    // MARK: limits

    /// A file needs more memory than a cap of ``DatasetLimits`` allows: it inflates to more
    /// than ``DatasetLimits/maximumDecompressedBytes``, or its header announces an image of
    /// more than ``DatasetLimits/maximumImageSamples`` samples or one that alone needs more
    /// than ``DatasetLimits/maximumDecodingBytes`` to decode. `maximum` is the limit's
    /// value; `found` says what the file holds or announces. Raise the limit with
    /// ``DatasetLimits/setDefault(_:)`` (or pass larger limits to the reader) if the file is
    /// genuine.
    case limitExceeded(file: String, limit: DatasetLimit, maximum: Int, found: String)
    /// Memory for a file's contents could not be allocated; `bytes` is the size asked for.
    case allocationFailed(file: String, bytes: Int, purpose: String)
    /// A mask image's values follow neither binary convention (0 and 255 — any value above
    /// half the full scale is anomalous — or 0 and 1): reading it would silently give an
    /// empty or wrong mask.
    case invalidMask(file: String, expected: String, found: String)

    // MARK: folders

    /// A folder that should hold images (a dataset's root, a class folder, MVTec-AD's
    /// `train/good`) holds no image files. `expected` says which files were looked for.
    case noImages(directory: String, expected: String)
    /// An image has no mask file where the dataset looks for one. `expectedMask` is the path
    /// looked for; `alsoMissing` counts the other images whose masks are missing too.
    case missingMask(image: String, expectedMask: String, alsoMissing: Int)
    /// A mask's size differs from its image's; sizes are `[height, width]`.
    case maskSizeMismatch(image: String, imageSize: [Int], mask: String, maskSize: [Int])
    /// A folder dataset was configured with an invalid setting (a mask name pattern without
    /// `{name}`, a folder listed as both normal and anomalous, ...).
    case invalidFolderConfiguration(parameter: String, expected: String, found: String)
    /// A subset or split of a dataset cannot be made as asked (an index listed twice, a
    /// held-out fraction that leaves a part empty, a group too small to draw from).
    case invalidSubset(reason: String)
    /// ``ImageDataset/checkEverySample(name:workers:listingAtMost:)`` found samples that
    /// cannot be read: the first `failures` in index order, `total` in all.
    indirect case unreadableSamples(dataset: String, failures: [DatasetError], total: Int)

    /// A message that names the file, what was expected and what was found.
    public var description: String {
        switch self {
        case let .missingFiles(directory, expected, howToObtain):
            if expected.isEmpty { return "\(directory): dataset files not found\n\(howToObtain)" }
            let list = expected.map { "  \($0)" }.joined(separator: "\n")
            return "\(directory): dataset files not found; looked for:\n\(list)\n\(howToObtain)"
        case let .unreadableFile(file, reason):
            return "\(file): cannot be read: \(reason)"
        case let .badMagicNumber(file, expected, found):
            let hex = String(found, radix: 16)
            return "\(file): expected magic number \(expected), found 0x\(String(repeating: "0", count: max(0, 8 - hex.count)))\(hex)"
        case let .truncatedData(file, expectedBytes, foundBytes):
            return "\(file): truncated: expected \(expectedBytes) bytes, found \(foundBytes); the file is incomplete, obtain it again"
        case let .trailingData(file, expectedBytes, foundBytes):
            return "\(file): expected \(expectedBytes) bytes as its header announces, found \(foundBytes) (\(foundBytes - expectedBytes) extra)"
        case let .wrongDimensions(file, expected, found):
            return "\(file): expected \(expected), found dimensions [\(found.map(String.init).joined(separator: ", "))]"
        case let .corruptGzip(file, reason):
            return "\(file): expected a gzip stream, found corrupt data: \(reason)"
        case let .truncatedGzip(file, decompressedBytes):
            return
                "\(file): the gzip stream ends early (after \(decompressedBytes) decompressed bytes) instead of with its end marker; the file is incomplete, obtain it again"
        case let .countMismatch(imagesFile, imageCount, labelsFile, labelCount):
            return "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels; expected one label per image"
        case let .labelOutOfRange(file, index, label, classCount):
            return "\(file): label \(index) is \(label), expected a class index in 0..<\(classCount)"
        // MARK: transforms
        case let .transformInputMismatch(transform, sample, expected, found):
            return "\(sample): \(transform) expected \(expected), found shape [\(found.map(String.init).joined(separator: ", "))]"
        case let .invalidTransformParameter(transform, parameter, expected, found):
            return "\(transform): \(parameter) must be \(expected), found \(found)"

        // MARK: cifar, one-class, download

        case let .partialRecord(file, recordBytes, foundBytes):
            return "\(file): expected a whole number of \(recordBytes)-byte records, found \(foundBytes) bytes "
                + "(\(foundBytes / recordBytes) records and \(foundBytes % recordBytes) bytes more); "
                + "the file is incomplete or not in this format, obtain it again"
        case let .classNameCountMismatch(file, expected, found):
            return "\(file): expected \(expected) class names (one a line), found \(found)"
        case let .fileLabelOutOfRange(file, index, label, expected):
            return "\(file): label \(index) is \(label), expected a value in \(expected.lowerBound)...\(expected.upperBound)"
        case let .sampleIndexOutOfRange(dataset, index, count):
            return "\(dataset): sample index \(index) is out of range, expected an index in 0..<\(count)"
        case let .noNormalClasses(dataset):
            return "\(dataset): a one-class view needs at least one normal class, found none"
        case let .normalClassOutOfRange(dataset, normalClass, classCount):
            return "\(dataset): normal class \(normalClass) is not a class of the dataset, expected a class index in 0..<\(classCount)"
        case let .malformedChecksum(url, checksum):
            return "\(url): expected an SHA-256 checksum of 64 hexadecimal digits, found \"\(checksum)\""
        case let .httpStatus(url, statusCode):
            return "\(url): the server answered HTTP \(statusCode), expected 200 (OK)"
        case let .downloadFailed(url, reason):
            return "\(url): download failed: \(reason)"
        case let .checksumMismatch(file, expected, found):
            return "\(file): expected SHA-256 \(expected), found \(found); the file is damaged, incomplete or not the expected one"
        case let .fileOperationFailed(file, operation, reason):
            return "\(file): cannot \(operation): \(reason)"

        // MARK: image files

        case let .notAnImage(file, expected, found):
            guard !found.isEmpty else { return "\(file): expected \(expected), found an empty file" }
            let hex = found.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
            return "\(file): expected \(expected), found the bytes \(hex.joined(separator: " ")); not an image of the expected format"
        case let .corruptImage(file, format, reason):
            return "\(file): expected a valid \(format) image, found corrupt data: \(reason)"
        case let .truncatedImage(file, format, foundBytes):
            return
                "\(file): the \(format) data ends early (after \(foundBytes) bytes) instead of with the end of its image; the file is incomplete, obtain it again"
        case let .unsupportedImage(file, format, reason):
            return "\(file): unsupported \(format) image: \(reason)"
        // MARK: limits
        case let .limitExceeded(file, limit, maximum, found):
            let what: String
            switch limit {
            case .decompressedBytes: what = "at most \(maximum) decompressed bytes (\(DatasetError.byteSize(maximum)))"
            case .imageSamples: what = "an image of at most \(maximum) samples (width × height × channels)"
            case .decodingBytes: what = "an image that takes at most \(maximum) bytes (\(DatasetError.byteSize(maximum))) to decode"
            }
            return "\(file): expected \(what), found \(found); if the file is genuine, raise DatasetLimits.\(limit) "
                + "(DatasetLimits.setDefault) above \(maximum)"
        case let .allocationFailed(file, bytes, purpose):
            return "\(file): cannot allocate \(bytes) bytes (\(DatasetError.byteSize(bytes))) for \(purpose); free memory or lower the DatasetLimits"
        case let .invalidMask(file, expected, found):
            return "\(file): expected a mask with \(expected), found \(found)"
        // MARK: loader
        case let .inconsistentBatch(first, firstShape, other, otherShape):
            let onlyChannels =
                firstShape.count == 3 && otherShape.count == 3 && firstShape[0] != otherShape[0]
                && firstShape.dropFirst() == otherShape.dropFirst()
            if onlyChannels {
                return "cannot batch \(first) (\(firstShape[0]) channels, shape \(firstShape)) with \(other) (\(otherShape[0]) channels, "
                    + "shape \(otherShape)); expected one channel count per batch: the folder mixes grey and colour images, "
                    + "give them one with \(DatasetError.channelsAdvice)"
            }
            return
                "cannot batch \(first) (shape \(firstShape)) with \(other) (shape \(otherShape)); expected one shape per batch: resize or crop the samples to one size"
        case let .invalidLoaderConfiguration(message):
            return "data loader: \(message)"
        case let .invalidCache(file, reason):
            return "\(file): not a usable decoded-image cache: \(reason)"
        // MARK: folders
        case let .noImages(directory, expected):
            return "\(directory): expected \(expected), found none"
        case let .missingMask(image, expectedMask, alsoMissing):
            let others = alsoMissing == 0 ? "" : " (\(alsoMissing) other image\(alsoMissing == 1 ? " lacks its mask" : "s lack their masks") too)"
            return "\(image): expected its mask at \(expectedMask), found no such file\(others)"
        case let .maskSizeMismatch(image, imageSize, mask, maskSize):
            let size = { (hw: [Int]) in hw.map(String.init).joined(separator: " × ") }
            return "\(mask): expected a mask of its image's size \(size(imageSize)) (height × width, \(image)), found \(size(maskSize))"
        case let .invalidFolderConfiguration(parameter, expected, found):
            return "image folder dataset: \(parameter) must be \(expected), found \(found)"
        case let .invalidSubset(reason):
            return "dataset subset: \(reason)"
        case let .unreadableSamples(dataset, failures, total):
            let more = total > failures.count ? "\n  … and \(total - failures.count) more" : ""
            return "\(total) sample\(total == 1 ? "" : "s") of \(dataset) cannot be read:\n  "
                + failures.map(\.description).joined(separator: "\n  ") + more
        }
    }

    /// How to give a folder's images one channel count, for messages.
    package static let channelsAdvice =
        "the channels setting (ImageFolderConfiguration.channels or MVTecAD's channels: .grey or .rgb; fcdd's --channels grey or --channels rgb)"

    /// `bytes` in binary units for messages: `1.0 GiB`, `512.0 MiB`, `3.5 KiB`, `12 bytes`.
    static func byteSize(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = -1
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit < 0 { return "\(bytes) bytes" }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
