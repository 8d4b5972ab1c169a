import Foundation
import TensorCore

/// A binary file of decoded and pre-processed samples (for example MVTec-AD images resized
/// once to 240×240), read back as an ``ImageDataset`` without decoding PNGs or JPEGs again.
///
/// Images are stored as 8-bit values (`round(255·x)`, as the 8-bit images the official FCDD
/// code caches after its PIL resize) and masks as 0/1 bytes, with each sample's label, name
/// and shape. The file records a fingerprint of its source: the sample count, labels and
/// names, the size and modification time of every name that is a file, and a caller-given
/// description of the pre-processing. ``open(at:source:preprocessing:description:)``
/// rebuilds the file whenever that fingerprint changes, so an edited data folder or a new
/// resize never serves stale images. Writing is atomic.
public struct DecodedImageCache: ImageDataset {
    /// The cache file.
    public let url: URL
    public let classNames: [String]
    public let labels: [Int]
    private let records: [Record]
    private let bytes: Data

    /// Where one sample lies in the file.
    private struct Record: Sendable {
        let name: String
        let shape: [Int]
        let imageOffset: Int
        let maskOffset: Int?
    }

    public var count: Int { labels.count }

    /// Opens the cache at `url` if it was built from the same source with the same
    /// pre-processing; otherwise decodes every sample of `source`, applies `preprocessing`
    /// (which must be deterministic: it gets a fixed seed), writes the cache and opens it.
    ///
    /// - Parameters:
    ///   - url: the cache file.
    ///   - source: the data set whose samples are cached.
    ///   - preprocessing: applied once to every decoded sample before it is cached.
    ///   - description: identifies the pre-processing in the fingerprint (e.g.
    ///     `"resize 240 bilinear"`); change it whenever `preprocessing` changes.
    /// - Throws: the ``DatasetError`` of a sample that cannot be decoded, or
    ///   ``DatasetError/invalidCache(file:reason:)`` / a file error when the cache cannot be
    ///   written or read.
    public static func open(
        at url: URL, source: any ImageDataset, preprocessing: (any SampleTransform)? = nil, description: String = ""
    ) throws(DatasetError) -> DecodedImageCache {
        let fingerprint = Self.fingerprint(of: source, description: description)
        if FileManager.default.fileExists(atPath: url.path),
            let cache = try? DecodedImageCache(contentsOf: url, expectedFingerprint: fingerprint, classNames: source.classNames)
        {
            return cache
        }
        try build(at: url, source: source, preprocessing: preprocessing, fingerprint: fingerprint)
        return try DecodedImageCache(contentsOf: url, expectedFingerprint: fingerprint, classNames: source.classNames)
    }

    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        precondition((0..<count).contains(index), "DecodedImageCache: index \(index) is outside 0..<\(count)")
        let record = records[index]
        let elementCount = record.shape.reduce(1, *)
        let planeCount = record.shape[1] * record.shape[2]
        return bytes.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self).baseAddress!
            // The shapes were validated when the file was opened, so these cannot fail.
            let image = Tensor(shape: record.shape) { output in
                let source = base + record.imageOffset
                for i in 0..<elementCount { output[i] = Float(source[i]) / 255 }
            }
            let mask = record.maskOffset.map { offset in
                Tensor(shape: [1, record.shape[1], record.shape[2]]) { output in
                    let source = base + offset
                    for i in 0..<planeCount { output[i] = Float(source[i]) }
                }
            }
            return DatasetSample(image: image, label: labels[index], mask: mask, name: record.name)
        }
    }

    // MARK: - File format

    /// `FCDDIMC1`: magic and format version.
    private static let magic = Array("FCDDIMC1".utf8)

    /// Decodes and pre-processes every sample of `source` in parallel and writes the file.
    private static func build(
        at url: URL, source: any ImageDataset, preprocessing: (any SampleTransform)?, fingerprint: [UInt8]
    ) throws(DatasetError) {
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var file = Data(magic + fingerprint)
        appendInteger(UInt64(source.count), to: &file)
        // Decode in chunks so that only one chunk of float samples is in memory at a time.
        let chunk = 256
        for start in stride(from: 0, to: source.count, by: chunk) {
            let samples = try prepareSamples(Array(start..<min(start + chunk, source.count)), workers: workers) { index throws(DatasetError) in
                let sample = try source.sample(at: index)
                return try preprocessing?.apply(sample, seed: 0) ?? sample
            }
            for sample in samples {
                try append(sample, to: &file, cache: url.path)
            }
        }
        do {
            try AtomicFile.write(file, to: url)
        } catch {
            throw .fileOperationFailed(file: url.path, operation: "write the decoded-image cache", reason: error.reason)
        }
    }

    /// One record: label, name, shape, 8-bit image, optional 0/1 mask.
    private static func append(_ sample: DatasetSample, to file: inout Data, cache: String) throws(DatasetError) {
        let shape = sample.image.shape
        let mask = sample.mask
        guard shape.count == 3, mask.map({ $0.shape == [1, shape[1], shape[2]] }) ?? true else {
            throw .invalidCache(
                file: cache,
                reason: "sample \(sample.name) has image shape \(shape) and mask shape \(sample.mask?.shape ?? []); expected [C, H, W] and [1, H, W]")
        }
        let name = Array(sample.name.utf8)
        appendInteger(UInt64(bitPattern: Int64(sample.label)), to: &file)
        appendInteger(UInt64(name.count), to: &file)
        file.append(contentsOf: name)
        for dimension in shape { appendInteger(UInt64(dimension), to: &file) }
        file.append(mask == nil ? 0 : 1)
        sample.image.withUnsafeBufferPointer { values in
            file.append(
                contentsOf: [UInt8](unsafeUninitializedCapacity: values.count) { bytes, initialized in
                    for i in 0..<values.count { bytes[i] = UInt8((min(max(values[i], 0), 1) * 255).rounded()) }
                    initialized = values.count
                })
        }
        mask?.withUnsafeBufferPointer { values in
            file.append(
                contentsOf: [UInt8](unsafeUninitializedCapacity: values.count) { bytes, initialized in
                    for i in 0..<values.count { bytes[i] = values[i] > 0.5 ? 1 : 0 }
                    initialized = values.count
                })
        }
    }

    private static func appendInteger(_ value: UInt64, to file: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) }
    }

    /// Reads and validates a cache file built from the source with `expectedFingerprint`.
    private init(contentsOf url: URL, expectedFingerprint: [UInt8], classNames: [String]) throws(DatasetError) {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(file: path, reason: error.localizedDescription)
        }
        var reader = ByteReader(data: data, file: path)
        guard try reader.bytes(Self.magic.count) == Self.magic else {
            throw .invalidCache(file: path, reason: "expected the magic number FCDDIMC1")
        }
        guard try reader.bytes(expectedFingerprint.count) == expectedFingerprint else {
            throw .invalidCache(file: path, reason: "built from other data or another pre-processing (fingerprint differs)")
        }
        let count = try reader.integer(limit: data.count)
        var labels: [Int] = []
        var records: [Record] = []
        labels.reserveCapacity(count)
        records.reserveCapacity(count)
        for _ in 0..<count {
            let label = Int(Int64(bitPattern: try reader.rawInteger()))
            let name = String(decoding: try reader.bytes(try reader.integer(limit: data.count)), as: UTF8.self)
            let shape = [try reader.integer(limit: 1 << 20), try reader.integer(limit: 1 << 20), try reader.integer(limit: 1 << 20)]
            let hasMask = try reader.bytes(1)[0] == 1
            let imageOffset = reader.offset
            try reader.skip(shape[0] * shape[1] * shape[2])
            let maskOffset = hasMask ? reader.offset : nil
            if hasMask { try reader.skip(shape[1] * shape[2]) }
            labels.append(label)
            records.append(Record(name: name, shape: shape, imageOffset: imageOffset, maskOffset: maskOffset))
        }
        guard reader.offset == data.count else {
            throw .invalidCache(file: path, reason: "\(data.count - reader.offset) bytes after the last of \(count) samples")
        }
        self.url = url
        self.classNames = classNames
        self.labels = labels
        self.records = records
        bytes = data
    }

    /// SHA-256 over what the cache content depends on: count, labels, the pre-processing
    /// description and, for a ``FileBackedDataset``, the path, size and modification time
    /// of every source file. Cheap: nothing is decoded.
    static func fingerprint(of source: any ImageDataset, description: String) -> [UInt8] {
        var hash = SHA256()
        func add(_ text: String) { hash.update(Data(text.utf8) + [0]) }
        add("count \(source.count)")
        add("preprocessing \(description)")
        add("labels " + source.labels.map(String.init).joined(separator: ","))
        if let files = (source as? any FileBackedDataset)?.sourceFiles {
            for file in files {
                let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
                let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                add("\(file.path) \(size) \(modified)")
            }
        }
        return hash.digest()
    }
}

/// Sequential, bounds-checked reading of a cache file.
private struct ByteReader {
    let data: Data
    let file: String
    private(set) var offset = 0

    init(data: Data, file: String) {
        self.data = data
        self.file = file
    }

    mutating func bytes(_ count: Int) throws(DatasetError) -> [UInt8] {
        try require(count)
        defer { offset += count }
        return Array(data[(data.startIndex + offset)..<(data.startIndex + offset + count)])
    }

    mutating func skip(_ count: Int) throws(DatasetError) {
        try require(count)
        offset += count
    }

    mutating func rawInteger() throws(DatasetError) -> UInt64 {
        try bytes(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    /// A non-negative integer no larger than `limit`.
    mutating func integer(limit: Int) throws(DatasetError) -> Int {
        let value = try rawInteger()
        guard value <= UInt64(limit) else {
            throw .invalidCache(file: file, reason: "a size field holds \(value), expected at most \(limit)")
        }
        return Int(value)
    }

    private func require(_ count: Int) throws(DatasetError) {
        guard count >= 0, count <= data.count - offset else {
            throw .invalidCache(file: file, reason: "truncated: needs \(count) more bytes at offset \(offset), \(data.count - offset) left")
        }
    }
}
