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
            return "\(file): expected dimensions \(expected), found [\(found.map(String.init).joined(separator: ", "))]"
        case let .corruptGzip(file, reason):
            return "\(file): expected a gzip stream, found corrupt data: \(reason)"
        case let .truncatedGzip(file, decompressedBytes):
            return "\(file): the gzip stream ends early (after \(decompressedBytes) decompressed bytes) instead of with its end marker; the file is incomplete, obtain it again"
        case let .countMismatch(imagesFile, imageCount, labelsFile, labelCount):
            return "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels; expected one label per image"
        case let .labelOutOfRange(file, index, label, classCount):
            return "\(file): label \(index) is \(label), expected a class index in 0..<\(classCount)"
        }
    }
}
