import Foundation

/// One batch file of CIFAR's binary version (such as `data_batch_1.bin` or `train.bin`),
/// parsed: a sequence of fixed-size records, each the label byte(s) and a 32×32 RGB image.
///
/// Parsing checks that the file is a whole, non-zero number of records of the variant's size
/// (``CIFARVariant/recordByteCount``) and that every label byte is a valid class index (both
/// bytes for CIFAR-100, whichever label the variant uses).
public struct CIFARBatchFile: Sendable, Equatable {
    /// The variant the file was parsed as; it chose the record layout and ``labels``.
    public let variant: CIFARVariant
    /// The label of each record that ``variant`` uses, in `0..<variant.classCount`.
    public let labels: [Int]
    /// The images, ``CIFARVariant/imageByteCount`` bytes each, one after the other: for each
    /// record its red, green and blue planes of 32×32 row-major bytes.
    public let pixels: [UInt8]

    /// The number of records.
    public var count: Int { labels.count }

    /// Parses the bytes of a batch file.
    ///
    /// - Parameters:
    ///   - data: the whole file.
    ///   - variant: the dataset, which fixes the record layout.
    ///   - file: the name used in error messages.
    /// - Throws: ``DatasetError/truncatedData(file:expectedBytes:foundBytes:)`` when the file
    ///   is shorter than one record, ``DatasetError/partialRecord(file:recordBytes:foundBytes:)``
    ///   when its length is not a multiple of the record size, and
    ///   ``DatasetError/labelOutOfRange(file:index:label:classCount:)`` for a label byte that
    ///   is not a class index (`index` is the record's).
    public init(parsing data: Data, variant: CIFARVariant, file: String = "<CIFAR batch in memory>") throws(DatasetError) {
        let recordBytes = variant.recordByteCount
        guard data.count >= recordBytes else {
            throw .truncatedData(file: file, expectedBytes: recordBytes, foundBytes: data.count)
        }
        guard data.count % recordBytes == 0 else {
            throw .partialRecord(file: file, recordBytes: recordBytes, foundBytes: data.count)
        }
        let count = data.count / recordBytes
        let result: Result<([Int], [UInt8]), DatasetError> = data.withUnsafeBytes { raw in
            Self.split(raw, count: count, variant: variant, file: file)
        }
        let (labels, pixels) = try result.get()
        self.variant = variant
        self.labels = labels
        self.pixels = pixels
    }

    /// Reads and parses the batch file at `url` (gzip-decompressed when its name ends in
    /// `.gz`; see ``DatasetFile/contents(of:limits:)``).
    ///
    /// - Throws: the errors of ``DatasetFile/contents(of:limits:)`` and
    ///   ``init(parsing:variant:file:)``.
    public init(contentsOf url: URL, variant: CIFARVariant) throws(DatasetError) {
        try self.init(parsing: try DatasetFile.contents(of: url), variant: variant, file: url.path)
    }

    /// Checks the label bytes of every record and separates labels from images.
    private static func split(
        _ raw: UnsafeRawBufferPointer, count: Int, variant: CIFARVariant, file: String
    ) -> Result<([Int], [UInt8]), DatasetError> {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(.truncatedData(file: file, expectedBytes: variant.recordByteCount, foundBytes: 0))
        }
        let recordBytes = variant.recordByteCount
        let labelBytes = variant.labelByteCount
        let imageBytes = CIFARVariant.imageByteCount
        let classCounts = variant.labelClassCounts
        let used = variant.labelByteOffset
        var labels = [Int](repeating: 0, count: count)
        for record in 0..<count {
            let start = base + record * recordBytes
            for position in 0..<labelBytes {
                let label = Int(start[position])
                guard label < classCounts[position] else {
                    return .failure(.labelOutOfRange(file: file, index: record, label: label, classCount: classCounts[position]))
                }
                if position == used { labels[record] = label }
            }
        }
        let pixels = [UInt8](unsafeUninitializedCapacity: count * imageBytes) { buffer, initialized in
            guard let to = buffer.baseAddress else { return }
            for record in 0..<count {
                (to + record * imageBytes).initialize(from: base + record * recordBytes + labelBytes, count: imageBytes)
            }
            initialized = count * imageBytes
        }
        return .success((labels, pixels))
    }
}
