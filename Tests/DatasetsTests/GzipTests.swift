import Datasets
import Foundation
import Testing

@Suite("Gzip decompression")
struct GzipTests {
    private let payload = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }

    /// The bytes of one of the sample's real (deflate-compressed) files.
    private func realGzip() throws -> Data {
        try Data(contentsOf: sampleSourceDirectory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
    }

    @Test("gzip and zlib streams inflate to their payload")
    func roundTrips() throws {
        #expect(try Gzip.decompress(Data(StoredDeflate.gzip(payload)), file: "a.gz") == Data(payload))
        #expect(try Gzip.decompress(Data(StoredDeflate.zlib(payload)), file: "a.z") == Data(payload))
        #expect(try Gzip.decompress(Data(StoredDeflate.gzip([])), file: "empty.gz") == Data())
        let labels = try Gzip.decompress(try realGzip(), file: "t10k-labels-idx1-ubyte.gz")
        #expect(labels.count == 8 + 1000)
    }

    @Test("concatenated members are joined and zero padding is ignored, as gunzip does")
    func membersAndPadding() throws {
        let two = Data(StoredDeflate.gzip([1, 2, 3]) + StoredDeflate.gzip([4, 5]))
        #expect(try Gzip.decompress(two, file: "two.gz") == Data([1, 2, 3, 4, 5]))
        let padded = Data(StoredDeflate.gzip([1, 2, 3]) + [UInt8](repeating: 0, count: 512))
        #expect(try Gzip.decompress(padded, file: "padded.gz") == Data([1, 2, 3]))
        let junk = Data(StoredDeflate.gzip([1, 2, 3]) + [0x41, 0x42])
        #expect(caughtError { try Gzip.decompress(junk, file: "junk.gz") }?.caseName == "corruptGzip")
    }

    @Test("every truncation of a real gzip file is reported as truncated")
    func everyPrefixIsTruncated() throws {
        let whole = try realGzip()
        for length in 0..<whole.count {
            let error = caughtError { try Gzip.decompress(whole.prefix(length), file: "cut.gz") }
            #expect(error?.caseName == "truncatedGzip", "prefix of \(length) of \(whole.count) bytes: \(String(describing: error))")
        }
    }

    @Test("a truncated .gz dataset file fails to load with truncatedGzip")
    func truncatedGzipFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let images = try Data(contentsOf: sampleSourceDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try images.prefix(images.count / 2).write(to: directory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try realGzip().write(to: directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let error = caughtError { try FashionMNIST.load(split: .test, from: directory) }
        guard case let .truncatedGzip(file, decompressedBytes)? = error else {
            Issue.record("expected truncatedGzip, got \(String(describing: error))")
            return
        }
        #expect(file.hasSuffix("t10k-images-idx3-ubyte.gz"))
        #expect(decompressedBytes > 0 && decompressedBytes < 16 + 1000 * 784)
    }

    @Test("garbage is reported as corrupt gzip, whether named .gz or starting with the magic bytes")
    func garbage() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let named = directory.appendingPathComponent("noise.gz")
        try Data([0x42, 0x5A] + noise).write(to: named)  // not a gzip header at all
        #expect(caughtError { try DatasetFile.contents(of: named) }?.caseName == "corruptGzip")

        let magic = directory.appendingPathComponent("noise.idx")
        try Data(Gzip.magic + [0xFF] + noise).write(to: magic)  // gzip magic, unknown method
        #expect(caughtError { try DatasetFile.contents(of: magic) }?.caseName == "corruptGzip")

        let raw = directory.appendingPathComponent("plain.idx")
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]).write(to: raw)  // not gzip: read as is
        #expect(try IDXFile(contentsOf: raw).bytes == [7, 9])
    }

    @Test("damaged compressed data is caught by zlib's checks, never returned")
    func flippedBytes() throws {
        let whole = try realGzip()
        // Bytes from 10 on are deflate data and the CRC/length trailer; the header's mtime,
        // flags and OS fields are not checked by any gzip reader.
        for position in stride(from: 10, to: whole.count, by: 7) {
            var damaged = whole
            damaged[position] ^= 0x5A
            let error = caughtError { try Gzip.decompress(damaged, file: "flipped.gz") }
            #expect(["corruptGzip", "truncatedGzip"].contains(error?.caseName), "byte \(position): \(String(describing: error))")
        }
    }
}
