import Foundation

/// A file in the IDX format of MNIST and Fashion-MNIST: an n-dimensional array of unsigned
/// bytes.
///
/// Layout (all integers big-endian): two zero bytes, the data type (`0x08`, unsigned byte,
/// the only type these datasets use), the number of dimensions, one 32-bit size per
/// dimension, then the elements in row-major order. Parsing checks the magic number and that
/// the data is exactly as long as the dimensions say.
public struct IDXFile: Sendable, Equatable {
    /// The data-type byte of unsigned-byte IDX files.
    public static let unsignedByteType: UInt8 = 0x08

    /// The size of each dimension, outermost first (for example `[60000, 28, 28]`).
    public let dimensions: [Int]
    /// The elements in row-major order; `dimensions` multiplied together elements long.
    public let bytes: [UInt8]

    /// Wraps elements and dimensions, for example to write an IDX file with ``encoded()``.
    ///
    /// - Throws: ``DatasetError/wrongDimensions(file:expected:found:)`` for no dimensions, a
    ///   negative or too large one, and ``DatasetError/truncatedData(file:expectedBytes:foundBytes:)``
    ///   or ``DatasetError/trailingData(file:expectedBytes:foundBytes:)`` when `bytes` has the
    ///   wrong length.
    public init(dimensions: [Int], bytes: [UInt8]) throws(DatasetError) {
        let file = "<IDX in memory>"
        guard !dimensions.isEmpty, dimensions.count <= 255,
            dimensions.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) })
        else {
            throw .wrongDimensions(file: file, expected: "1 to 255 dimensions, each in 0...\(UInt32.max)", found: dimensions)
        }
        let expected = try Self.elementCount(dimensions, file: file)
        try Self.checkLength(expected: expected, found: bytes.count, file: file)
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Parses the bytes of an (already decompressed) IDX file.
    ///
    /// - Parameters:
    ///   - data: the whole file.
    ///   - file: the name used in error messages.
    /// - Throws: ``DatasetError/badMagicNumber(file:expected:found:)`` unless the file starts
    ///   with `0x00 0x00 0x08 <ndims ≥ 1>`, ``DatasetError/truncatedData(file:expectedBytes:foundBytes:)``
    ///   when the header or the data is shorter than announced,
    ///   ``DatasetError/trailingData(file:expectedBytes:foundBytes:)`` when the data is longer,
    ///   and ``DatasetError/wrongDimensions(file:expected:found:)`` when the dimensions
    ///   multiply to more elements than can be addressed.
    public init(parsing data: Data, file: String = "<IDX in memory>") throws(DatasetError) {
        let result: Result<IDXFile, DatasetError> = data.withUnsafeBytes { raw in
            do throws(DatasetError) { return .success(try IDXFile(parsingBuffer: raw, file: file)) } catch { return .failure(error) }
        }
        self = try result.get()
    }

    /// Reads and parses the IDX file at `url`, gzip-decompressing it when needed within
    /// `limits` (see ``DatasetFile/contents(of:limits:)``).
    ///
    /// - Throws: the errors of ``DatasetFile/contents(of:limits:)`` and ``init(parsing:file:)``.
    public init(contentsOf url: URL, limits: DatasetLimits = .default) throws(DatasetError) {
        try self.init(parsing: try DatasetFile.contents(of: url, limits: limits), file: url.path)
    }

    /// The file's bytes in IDX format (uncompressed): header and elements.
    public func encoded() -> Data {
        var data = Data([0, 0, Self.unsignedByteType, UInt8(dimensions.count)])
        for dimension in dimensions {
            let size = UInt32(dimension)
            data.append(contentsOf: [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)])
        }
        data.append(contentsOf: bytes)
        return data
    }

    private init(parsingBuffer raw: UnsafeRawBufferPointer, file: String) throws(DatasetError) {
        guard raw.count >= 4 else { throw .truncatedData(file: file, expectedBytes: 4, foundBytes: raw.count) }
        let magic = UInt32(raw[0]) << 24 | UInt32(raw[1]) << 16 | UInt32(raw[2]) << 8 | UInt32(raw[3])
        let rank = Int(raw[3])
        guard raw[0] == 0, raw[1] == 0, raw[2] == Self.unsignedByteType, rank >= 1 else {
            throw .badMagicNumber(
                file: file, expected: "0x000008nn (unsigned-byte IDX with nn ≥ 1 dimensions)", found: magic)
        }
        let headerLength = 4 + 4 * rank
        guard raw.count >= headerLength else {
            throw .truncatedData(file: file, expectedBytes: headerLength, foundBytes: raw.count)
        }
        var dimensions: [Int] = []
        for axis in 0..<rank {
            let at = 4 + 4 * axis
            dimensions.append(Int(raw[at]) << 24 | Int(raw[at + 1]) << 16 | Int(raw[at + 2]) << 8 | Int(raw[at + 3]))
        }
        let elements = try Self.elementCount(dimensions, file: file)
        let (total, overflow) = headerLength.addingReportingOverflow(elements)
        guard !overflow else {
            throw .wrongDimensions(file: file, expected: "dimensions whose product fits in memory", found: dimensions)
        }
        try Self.checkLength(expected: total, found: raw.count, file: file)
        self.dimensions = dimensions
        self.bytes = Array(raw[headerLength...])
    }

    /// The product of the dimensions, or an error when it overflows.
    private static func elementCount(_ dimensions: [Int], file: String) throws(DatasetError) -> Int {
        var count = 1
        for dimension in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw .wrongDimensions(file: file, expected: "dimensions whose product fits in memory", found: dimensions)
            }
            count = product
        }
        return count
    }

    private static func checkLength(expected: Int, found: Int, file: String) throws(DatasetError) {
        if found < expected { throw .truncatedData(file: file, expectedBytes: expected, foundBytes: found) }
        if found > expected { throw .trailingData(file: file, expectedBytes: expected, foundBytes: found) }
    }
}
