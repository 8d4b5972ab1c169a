import Datasets
import Foundation
import TensorCore
import Testing

/// Gzip members of real (fixed-Huffman) deflate data that inflate to long runs of zeros: a
/// literal 0, then matches of 258 bytes at distance 1, 13 bits each, about 1:1290.
enum DeflateBomb {
    /// The deflate data of `1 + 258 × matches` zero bytes.
    static func deflate(matches: Int) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bits: 1)  // BFINAL
        writer.write(1, bits: 2)  // BTYPE 01: fixed Huffman codes
        writer.writeCode(0b0011_0000, length: 8)  // literal 0
        for _ in 0..<matches {
            writer.writeCode(0b1100_0101, length: 8)  // length code 285: 258 bytes, no extra bits
            writer.writeCode(0, length: 5)  // distance code 0: distance 1
        }
        writer.writeCode(0, length: 7)  // end of block (256)
        return writer.bytes
    }

    /// A gzip member of `deflate(matches:)` whose trailer claims `claimedSize` bytes (the
    /// honest size when `nil`) with a correct CRC when `honest`.
    static func gzip(matches: Int, claimedSize: UInt32? = nil, honest: Bool = true) -> [UInt8] {
        let size = 1 + 258 * matches
        let crc = honest ? StoredDeflate.crc32([UInt8](repeating: 0, count: size)) : 0
        return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF] + deflate(matches: matches)
            + StoredDeflate.littleEndian(crc) + StoredDeflate.littleEndian(claimedSize ?? UInt32(truncatingIfNeeded: size))
    }

    /// Deflate's bit order: fields least significant bit first, Huffman codes most
    /// significant bit first.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var used = 8

        mutating func write(_ value: UInt32, bits: Int) {
            for bit in 0..<bits {
                if used == 8 {
                    bytes.append(0)
                    used = 0
                }
                bytes[bytes.count - 1] |= UInt8((value >> UInt32(bit)) & 1) << UInt8(used)
                used += 1
            }
        }

        mutating func writeCode(_ code: UInt32, length: Int) {
            var reversed: UInt32 = 0
            for bit in 0..<length { reversed |= ((code >> UInt32(bit)) & 1) << UInt32(length - 1 - bit) }
            write(reversed, bits: length)
        }
    }
}

/// A PNG of only a header (IHDR), an empty IDAT and IEND: enough for a reader to learn the
/// announced size, far too little for the pixels.
func pngHeader(width: UInt32, height: UInt32, colourType: UInt8 = 2) -> Data {
    func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(StoredDeflate.crc32(typed))
    }
    let ihdr = bigEndian(width) + bigEndian(height) + [8, colourType, 0, 0, 0]
    return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", []) + chunk("IEND", []))
}

@Suite("Limits on decompressed bytes and image sizes")
struct LimitsTests {
    @Test("the standard limits fit a 24 GiB machine; values are clamped to their minimum")
    func standardLimits() {
        let standard = DatasetLimits()
        #expect(standard.maximumDecompressedBytes == 1 << 30)
        #expect(standard.maximumImageSamples == 64 << 20)
        #expect(standard.maximumImageSamples >= 1024 * 1024 * 3)  // MVTec-AD's largest images
        #expect(standard.maximumDecodingBytes == 1 << 32)
        // Ten of the largest images allowed decode at once.
        #expect(standard.maximumDecodingBytes / (standard.maximumImageSamples * DatasetLimits.decodingBytesPerSample) == 10)
        var limits = DatasetLimits(maximumDecompressedBytes: -5, maximumImageSamples: 0, maximumDecodingBytes: -1)
        #expect(limits.maximumDecompressedBytes == 0 && limits.maximumImageSamples == 1 && limits.maximumDecodingBytes == 1)
        limits.maximumImageSamples = 300 << 20
        #expect(limits.maximumImageSamples == 300 << 20)
        #expect(DatasetLimit.allCases.map(\.description) == ["maximumDecompressedBytes", "maximumImageSamples", "maximumDecodingBytes"])
    }

    @Test("a real deflate bomb stops at the limit, whatever its trailer claims")
    func deflateBomb() throws {
        // 1 + 258 × 8000 = 2,064,001 bytes from 13 KB; the trailer claims 4 GiB − 1.
        let bomb = Data(DeflateBomb.gzip(matches: 8000, claimedSize: .max, honest: false))
        #expect(bomb.count < 14_000)
        let limits = DatasetLimits(maximumDecompressedBytes: 1 << 20)
        let error = caughtError { try Gzip.decompress(bomb, file: "bomb.gz", limits: limits) }
        guard case let .limitExceeded(file, limit, maximum, found)? = error else {
            Issue.record("expected limitExceeded, got \(String(describing: error))")
            return
        }
        #expect(file == "bomb.gz" && limit == .decompressedBytes && maximum == 1 << 20)
        #expect(found.contains("\((1 << 20) + 1) bytes"), "\(found)")
        let message = error?.description ?? ""
        #expect(message.contains("bomb.gz") && message.contains("1.0 MiB"), "\(message)")
        #expect(message.contains("DatasetLimits.maximumDecompressedBytes") && message.contains("setDefault"), "\(message)")

        // The same stream under a higher limit inflates; its lying trailer is then caught.
        let raised = DatasetLimits(maximumDecompressedBytes: 4 << 20)
        #expect(caughtError { try Gzip.decompress(bomb, file: "bomb.gz", limits: raised) }?.caseName == "corruptGzip")
    }

    @Test("output of exactly the limit passes, one byte more fails; members count together")
    func limitBoundary() throws {
        let honest = Data(DeflateBomb.gzip(matches: 40))  // 10,321 zero bytes
        let size = 1 + 258 * 40
        #expect(try Gzip.decompress(honest, file: "z.gz", limits: DatasetLimits(maximumDecompressedBytes: size)) == Data(count: size))
        #expect(
            caughtError { try Gzip.decompress(honest, file: "z.gz", limits: DatasetLimits(maximumDecompressedBytes: size - 1)) }?
                .caseName == "limitExceeded")

        let payload = (0..<3000).map { UInt8(truncatingIfNeeded: $0) }
        let two = Data(StoredDeflate.gzip(payload) + StoredDeflate.gzip(payload))
        #expect(try Gzip.decompress(two, file: "two.gz", limits: DatasetLimits(maximumDecompressedBytes: 6000)).count == 6000)
        #expect(
            caughtError { try Gzip.decompress(two, file: "two.gz", limits: DatasetLimits(maximumDecompressedBytes: 5999)) }?
                .caseName == "limitExceeded")
        // zlib streams too, and a limit of 0 still reads an empty member.
        #expect(
            caughtError { try Gzip.decompress(Data(StoredDeflate.zlib(payload)), file: "a.z", limits: DatasetLimits(maximumDecompressedBytes: 100)) }?
                .caseName == "limitExceeded")
        #expect(try Gzip.decompress(Data(StoredDeflate.gzip([])), file: "e.gz", limits: DatasetLimits(maximumDecompressedBytes: 0)).isEmpty)
    }

    @Test("a trailer that claims 4 GiB for a small stream allocates nothing of the kind")
    func lyingTrailer() throws {
        let payload = [UInt8](repeating: 7, count: 1000)
        var lying = StoredDeflate.gzip(payload)
        lying.replaceSubrange((lying.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0xFF])
        let error = caughtError { try Gzip.decompress(Data(lying), file: "lying.gz") }
        #expect(error?.caseName == "corruptGzip", "\(String(describing: error))")
        #expect(error?.description.contains("length") == true, "\(String(describing: error))")
    }

    @Test("files read through DatasetFile, IDXFile and Image obey the gzip limit")
    func readersPassTheLimitOn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let idx = try IDXFile(dimensions: [10, 100], bytes: [UInt8](repeating: 0, count: 1000))
        let url = directory.appendingPathComponent("images-idx3-ubyte.gz")
        try Data(StoredDeflate.gzip([UInt8](idx.encoded()))).write(to: url)
        let small = DatasetLimits(maximumDecompressedBytes: 500)
        #expect(try IDXFile(contentsOf: url).dimensions == [10, 100])
        for error in [caughtError { try DatasetFile.contents(of: url, limits: small) }, caughtError { try IDXFile(contentsOf: url, limits: small) }] {
            guard case let .limitExceeded(file, .decompressedBytes, 500, _)? = error else {
                Issue.record("expected limitExceeded, got \(String(describing: error))")
                continue
            }
            #expect(file == url.path)
        }
        let png = directory.appendingPathComponent("image.png.gz")
        try Data(StoredDeflate.gzip([UInt8](try Image(width: 40, height: 40, channels: 3, pixels: [Float](repeating: 0.5, count: 4800)).pngData()))).write(
            to: png)
        #expect(try Image(contentsOf: png).width == 40)
        #expect(caughtError { try Image(contentsOf: png, limits: DatasetLimits(maximumDecompressedBytes: 10)) }?.caseName == "limitExceeded")
    }

    @Test("a PNG header announcing 100000 × 100000 pixels is refused before its pixels are allocated")
    func hugePNGHeader() throws {
        let header = pngHeader(width: 100_000, height: 100_000)
        #expect(header.count < 100)
        let error = caughtError { try Image(pngData: header, source: "huge.png") }
        guard case let .limitExceeded(file, limit, maximum, found)? = error else {
            Issue.record("expected limitExceeded, got \(String(describing: error))")
            return
        }
        #expect(file == "huge.png" && limit == .imageSamples && maximum == DatasetLimits.standardMaximumImageSamples)
        #expect(found.contains("100000 × 100000 pixels of 3 channels") && found.contains("30000000000 samples"), "\(found)")
        #expect(error?.description.contains("DatasetLimits.maximumImageSamples") == true)
        // Raised to the size, the limit lets the reader on, which finds the missing data.
        let small = pngHeader(width: 100, height: 100)
        #expect(caughtError { try Image(pngData: small, limits: DatasetLimits(maximumImageSamples: 29_999)) }?.caseName == "limitExceeded")
        let error30000 = caughtError { try Image(pngData: small, limits: DatasetLimits(maximumImageSamples: 30_000)) }
        #expect(error30000 != nil && error30000?.caseName != "limitExceeded", "\(String(describing: error30000))")
    }

    @Test("images one sample over a lowered limit are refused; at the limit they decode")
    func imageLimitBoundary() throws {
        let image = try Image(width: 5, height: 4, channels: 3, pixels: (0..<60).map { Float($0) / 59 })
        let png = try image.pngData()
        #expect(try Image(pngData: png, limits: DatasetLimits(maximumImageSamples: 60)) == Image(pngData: png))
        #expect(caughtError { try Image(pngData: png, limits: DatasetLimits(maximumImageSamples: 59)) }?.caseName == "limitExceeded")
    }

    @Test("an image that alone needs more than the decoding budget is refused, naming the limit; at the budget it decodes")
    func decodingBudgetBoundary() throws {
        let image = try Image(width: 5, height: 4, channels: 3, pixels: (0..<60).map { Float($0) / 59 })
        let png = try image.pngData()
        let needed = 60 * DatasetLimits.decodingBytesPerSample
        #expect(try Image(pngData: png, limits: DatasetLimits(maximumDecodingBytes: needed)) == Image(pngData: png))
        let error = caughtError { try Image(pngData: png, source: "small.png", limits: DatasetLimits(maximumDecodingBytes: needed - 1)) }
        guard case let .limitExceeded(file, limit, maximum, found)? = error else {
            Issue.record("expected limitExceeded, got \(String(describing: error))")
            return
        }
        #expect(file == "small.png" && limit == .decodingBytes && maximum == needed - 1)
        #expect(found.contains("5 × 4 pixels of 3 channels") && found.contains("\(needed) bytes"), "\(found)")
        #expect(error?.description.contains("DatasetLimits.maximumDecodingBytes") == true, "\(String(describing: error))")
    }
}

@Suite("Mask conventions")
struct MaskConventionTests {
    /// A folder dataset of one anomalous 4 × 2 image with the mask `mask` (grey unless
    /// `channels` says otherwise) beside it, as `bitDepth`-bit PNG.
    private func maskOfSample(_ values: [Float], channels: Int = 1, bitDepth: Int = 8) throws -> (Result<Tensor?, DatasetError>, String) {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("data")
        try SyntheticImages.writePNG(root.appendingPathComponent("normal/n.png"), width: 4, height: 2)
        try SyntheticImages.writePNG(root.appendingPathComponent("anomalous/a.png"), width: 4, height: 2)
        var pixels: [Float] = []
        for value in values { pixels += [Float](repeating: value, count: channels) }
        let mask = try Image(width: 4, height: 2, channels: channels, pixels: pixels)
        let maskURL = root.appendingPathComponent("anomalous/a_mask.png")
        try mask.writePNG(to: maskURL, bitDepth: bitDepth)
        let dataset = try ImageFolderDataset(
            root: root,
            configuration: .init(
                layout: .normalAnomalous(), masks: .besideImages(pattern: "{name}_mask.png"), maskRequirement: .anomalousImages))
        #expect(dataset.labels == [1, 0])
        let result = Result { () throws(DatasetError) -> Tensor? in try dataset.sample(at: 0).mask }
        return (result, maskURL.standardizedFileURL.path)
    }

    private let pattern: [Float] = [0, 1, 1, 0, 0, 0, 1, 0]

    @Test("0/255 masks, anti-aliased edges included, read as before")
    func zeroTo255() throws {
        #expect(try maskOfSample(pattern).0.get()?.scalars == pattern)
        let antiAliased: [Float] = [0.2, 1, 0.9, 0.4, 0, 0, 0.6, 0]
        #expect(try maskOfSample(antiAliased).0.get()?.scalars == pattern)
    }

    @Test("0/1 masks (8-bit, 16-bit, grey or RGB) read as binary, not as empty")
    func zeroToOne() throws {
        let eightBit = pattern.map { $0 / 255 }
        #expect(try maskOfSample(eightBit).0.get()?.scalars == pattern)
        #expect(try maskOfSample(eightBit, channels: 3).0.get()?.scalars == pattern)
        #expect(try maskOfSample(eightBit, channels: 2).0.get()?.scalars == pattern)
        #expect(try maskOfSample(pattern.map { $0 / 65535 }, bitDepth: 16).0.get()?.scalars == pattern)
        #expect(try maskOfSample([Float](repeating: 0, count: 8)).0.get()?.scalars == [Float](repeating: 0, count: 8))
    }

    @Test("masks of neither convention are refused, naming the file and the values found")
    func neitherConvention() throws {
        for values in [pattern.map { $0 * 100 / 255 }, pattern.map { $0 * 2 / 255 }, pattern.map { $0 * 127 / 255 }] {
            let (result, file) = try maskOfSample(values)
            guard case let .failure(.invalidMask(maskFile, expected, found)) = result else {
                Issue.record("expected invalidMask, got \(result)")
                continue
            }
            #expect(maskFile == file)
            #expect(expected.contains("0 and 255") && expected.contains("0 and 1"))
            let largest = Int((values.max()! * 255).rounded())
            #expect(found.contains("up to \(largest) of 255"), "\(found)")
        }
        // 128 of 255 is above half: the 0/255 convention, anomalous where above 0.5.
        #expect(try maskOfSample(pattern.map { $0 * 128 / 255 }).0.get()?.scalars == pattern)
    }
}

@Suite("Dataset messages")
struct DatasetMessageTests {
    @Test("wrong dimensions say what was expected once")
    func wrongDimensionsMessage() {
        let error = caughtError { try IDXFile(dimensions: [], bytes: []) }
        let message = error?.description ?? ""
        #expect(!message.contains("dimensions dimensions"), "\(message)")
        #expect(message == "<IDX in memory>: expected 1 to 255 dimensions, each in 0...\(UInt32.max), found dimensions []")
    }

    @Test("a folder of grey and colour images names both files and the channels setting")
    func mixedChannels() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("mixed")
        try SyntheticImages.writePNG(root.appendingPathComponent("a/grey.png"), width: 3, height: 2, channels: 1)
        try SyntheticImages.writePNG(root.appendingPathComponent("a/rgb.png"), width: 3, height: 2, channels: 3)
        let dataset = try ImageFolderDataset(root: root)
        let loader = try DataLoader(dataset: dataset, batchSize: 2, shuffles: false, seed: 0, workerCount: 1)
        let error = caughtError { try loader.batch(0, epoch: 0) }
        let message = error?.description ?? ""
        #expect(error?.caseName == "inconsistentBatch")
        #expect(message.contains(root.appendingPathComponent("a/grey.png").standardizedFileURL.path), "\(message)")
        #expect(message.contains(root.appendingPathComponent("a/rgb.png").standardizedFileURL.path), "\(message)")
        #expect(message.contains("1 channels") && message.contains("3 channels"), "\(message)")
        #expect(message.contains("--channels") && message.contains("ImageFolderConfiguration.channels"), "\(message)")
        // A size difference keeps the resize advice.
        let sizes = DatasetError.inconsistentBatch(first: "a.png", firstShape: [3, 2, 2], other: "b.png", otherShape: [3, 4, 4])
        #expect(sizes.description.contains("resize or crop") && !sizes.description.contains("--channels"))
    }
}
