import Datasets
import Foundation
import TensorCore
import Testing

/// The package root, found from this file's path (tests run from a source checkout).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The folder of the sample's source files, for tests that damage a real gzip file.
let sampleSourceDirectory = packageRoot.appendingPathComponent("Sources/Datasets/Resources/fashion-mnist-sample")

/// The full Fashion-MNIST set when it is beside the repository (as on CI): `../shared/data`
/// relative to the package root, or `/work/shared/data`.
let fullFashionMNISTDirectory: URL? = [
    packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/fashion-mnist"),
    URL(fileURLWithPath: "/work/shared/data/fashion-mnist"),
].first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("train-labels-idx1-ubyte.gz").path) }

/// What `Scripts/make_fashion_mnist_sample.py` recorded about the sample it wrote.
struct SampleFixture: Decodable {
    struct Probe: Decodable {
        let index: Int
        let originalIndex: Int
        let label: Int
        let sha256: String
    }
    struct Split: Decodable {
        let count: Int
        let imageShape: [Int]
        let classCounts: [Int]
        let imagesSHA256: String
        let labelsSHA256: String
        let pixelSum: Int
        let probes: [Probe]
    }
    let sampleBytes: Int
    let train: Split
    let test: Split

    subscript(split: DatasetSplit) -> Split { split == .train ? train : test }

    static func load() throws -> SampleFixture {
        let url = try #require(Bundle.module.url(forResource: "fashion-mnist-sample", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(SampleFixture.self, from: Data(contentsOf: url))
    }
}

/// The pixel bytes behind a tensor of values `byte / 255` (exact: the loader divides each
/// byte by 255 with correct rounding, so `value · 255` rounds back to the byte).
func pixelBytes(_ images: Tensor) -> [UInt8] {
    images.withUnsafeBufferPointer { values in
        [UInt8](unsafeUninitializedCapacity: values.count) { bytes, initialized in
            guard let from = values.baseAddress, let to = bytes.baseAddress else { return }
            for index in 0..<values.count { to[index] = UInt8((from[index] * 255).rounded()) }
            initialized = values.count
        }
    }
}

/// The ``DatasetError`` that `body` throws, or `nil` when it returns. Any other error is
/// recorded as a test failure. (Closures are not inferred to throw a typed error, so this
/// takes an untyped one.)
func caughtError<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> DatasetError? {
    do {
        _ = try body()
        return nil
    } catch let error as DatasetError {
        return error
    } catch {
        Issue.record("expected a DatasetError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension DatasetError {
    /// The case's name (`truncatedData`, …), for compact assertions.
    var caseName: String { Mirror(reflecting: self).children.first?.label ?? "\(self)" }
}

/// A new empty temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("DatasetsTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Minimal writers of valid gzip and zlib streams made of uncompressed ("stored") deflate
/// blocks, so tests can build well-formed compressed files of any content without zlib.
enum StoredDeflate {
    /// A gzip member (RFC 1952) holding `payload` uncompressed.
    static func gzip(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        out += blocks(payload)
        out += littleEndian(crc32(payload)) + littleEndian(UInt32(truncatingIfNeeded: payload.count))
        return out
    }

    /// A zlib stream (RFC 1950) holding `payload` uncompressed.
    static func zlib(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out += blocks(payload)
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in payload { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let adler = b << 16 | a
        return out + [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
    }

    private static func blocks(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let length = min(65535, payload.count - start)
            let last = start + length == payload.count
            out.append(last ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8 & 0xFF)]
            out += payload[start..<(start + length)]
            start += length
        } while start < payload.count
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }
}
