import Datasets
import Foundation
import TensorCore
import Testing

/// What `Scripts/make_image_fixtures.py` recorded about the images it wrote.
private struct ImageFixtures: Decodable {
    struct Entry: Decodable {
        let file: String
        let width: Int
        let height: Int
        let channels: Int
        let maxValue: Int
        let pixels: [Int]
        /// For JPEGs: how many levels another IDCT may differ by.
        let tolerance: Int?

        var expected: [Float] { pixels.map { Float($0) / Float(maxValue) } }
    }

    struct RealFile: Decodable {
        let path: String
        let width: Int
        let height: Int
        let channels: Int
        let sum: Int
        let zeros: Int
        let maxima: Int
        /// `[y, x, value]`.
        let probes: [[Int]]
    }

    let png: [Entry]
    let jpeg: [Entry]
    let luma: [String: [Int]]
    let unsupported: [String]
    let oversized: [String]
    let realFiles: [RealFile]

    static func load() throws -> ImageFixtures {
        try JSONDecoder().decode(ImageFixtures.self, from: Data(contentsOf: try directory().appendingPathComponent("images.json")))
    }

    /// The folder of the fixture images in the test bundle.
    static func directory() throws -> URL {
        try #require(Bundle.module.url(forResource: "images", withExtension: "json", subdirectory: "Fixtures/images"))
            .deletingLastPathComponent()
    }

    func entry(_ file: String) throws -> Entry {
        try #require((png + jpeg).first { $0.file == file })
    }
}

/// The Magnetic Tile Defect set beside the repository (`../shared/data`), when it is there.
private let codecTestsMagneticTileDirectory: URL? = {
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/magnetic-tile-defect")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}()

/// The fixture file's bytes.
private func fixtureData(_ file: String) throws -> Data {
    try Data(contentsOf: try ImageFixtures.directory().appendingPathComponent(file))
}

/// Width, height and channel count.
private func layout(_ image: Image) -> [Int] { [image.width, image.height, image.channels] }

/// The samples of `image` as integer levels (`value × maximum`, rounded).
private func levels(_ image: Image, maximum: Float = 255) -> [Int] {
    image.pixels.map { Int(($0 * maximum).rounded()) }
}

/// A deterministic image whose samples lie on the grid of `maximum + 1` levels.
private func gridImage(width: Int, height: Int, channels: Int, maximum: Int, seed: UInt64) throws -> Image {
    var state = seed
    let pixels = (0..<(width * height * channels)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int(state >> 33) % (maximum + 1)) / Float(maximum)
    }
    return try Image(width: width, height: height, channels: channels, pixels: pixels)
}

@Suite("Image decoding and encoding")
struct ImageCodecTests {
    // MARK: decoding every variant

    @Test("every PNG variant decodes to the samples written, by content and by file")
    func pngVariants() throws {
        let fixtures = try ImageFixtures.load()
        #expect(fixtures.png.count == 15)
        for entry in fixtures.png {
            let url = try ImageFixtures.directory().appendingPathComponent(entry.file)
            let image = try Image(contentsOf: url)
            #expect(layout(image) == [entry.width, entry.height, entry.channels], "\(entry.file)")
            #expect(image.pixels == entry.expected, "\(entry.file)")
            #expect(try Image(pngData: Data(contentsOf: url), source: entry.file) == image, "\(entry.file)")
        }
    }

    @Test("16-bit PNGs keep values that 8 bits cannot hold")
    func sixteenBitPrecision() throws {
        for file in ["grey16.png", "greyalpha16.png", "rgb16.png", "rgba16.png", "interlaced-grey16.png"] {
            let image = try Image(pngData: fixtureData(file))
            let offGrid = image.pixels.filter { ($0 * 255).rounded() != $0 * 255 }
            #expect(offGrid.count > image.pixels.count / 2, "\(file): expected most samples off the 8-bit grid")
        }
        // Alpha does not scale the colour (no premultiplication): transparent pixels keep it.
        let rgba = try Image(pngData: fixtureData("rgba16.png"))
        #expect(rgba.pixels[3] == 0 && rgba.pixels[0] == 0)
        let entry = try ImageFixtures.load().entry("rgba16.png")
        #expect(rgba.pixels == entry.expected)
    }

    @Test("JPEG variants decode as PIL does, within the IDCT tolerance")
    func jpegVariants() throws {
        for entry in try ImageFixtures.load().jpeg {
            let image = try Image(jpegData: fixtureData(entry.file), source: entry.file)
            #expect(layout(image) == [entry.width, entry.height, entry.channels], "\(entry.file)")
            let tolerance = try #require(entry.tolerance)
            let difference = zip(levels(image), entry.pixels).map { abs($0 - $1) }.max() ?? 0
            #expect(difference <= tolerance, "\(entry.file): a sample differs from PIL's by \(difference) levels")
            // Samples are on the 8-bit grid.
            #expect(image.pixels.allSatisfy { ($0 * 255).rounded() / 255 == $0 }, "\(entry.file)")
        }
    }

    @Test("CMYK JPEGs are refused as unsupported")
    func cmykIsUnsupported() throws {
        let fixtures = try ImageFixtures.load()
        #expect(!fixtures.unsupported.isEmpty)
        for file in fixtures.unsupported {
            let error = caughtError { try Image(jpegData: fixtureData(file), source: file) }
            guard case let .unsupportedImage(source, format, reason)? = error else {
                Issue.record("\(file): expected unsupportedImage, got \(String(describing: error))")
                continue
            }
            #expect(source == file && format == "JPEG")
            #expect(reason.contains("CMYK"), "\(reason)")
        }
    }

    @Test("headers announcing huge images are refused before anything is allocated")
    func oversizedHeaders() throws {
        for file in try ImageFixtures.load().oversized {
            let error = caughtError { try Image(contentsOf: ImageFixtures.directory().appendingPathComponent(file)) }
            guard case let .limitExceeded(source, limit, maximum, found)? = error else {
                Issue.record("\(file): expected limitExceeded, got \(String(describing: error))")
                continue
            }
            #expect(source.hasSuffix(file))
            #expect(limit == .imageSamples && maximum == DatasetLimits.standardMaximumImageSamples)
            #expect(found.contains("header announcing"), "\(found)")
        }
    }

    @Test("the format comes from the signature, not the file name")
    func formatFromSignature() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = try fixtureData("rgb8.png"), jpeg = try fixtureData("grey.jpg")
        try png.write(to: directory.appendingPathComponent("named-as.jpg"))
        try jpeg.write(to: directory.appendingPathComponent("named-as.png"))
        #expect(try Image(contentsOf: directory.appendingPathComponent("named-as.jpg")) == Image(pngData: png))
        #expect(try Image(contentsOf: directory.appendingPathComponent("named-as.png")) == Image(jpegData: jpeg))

        // The format-specific initialisers want their own signature.
        let error = caughtError { try Image(jpegData: png, source: "x.jpg") }
        #expect(error == .notAnImage(file: "x.jpg", expected: "the JPEG signature FF D8 FF", found: Array(png.prefix(8))))
        #expect(
            error?.description == "x.jpg: expected the JPEG signature FF D8 FF, found the bytes 89 50 4E 47 0D 0A 1A 0A; not an image of the expected format")
        #expect(caughtError { try Image(pngData: jpeg) }?.caseName == "notAnImage")
    }

    // MARK: encoding

    @Test("decode → encode → decode gives the same samples for every PNG fixture")
    func fixtureRoundTrips() throws {
        for entry in try ImageFixtures.load().png {
            let image = try Image(pngData: fixtureData(entry.file))
            let bitDepth = entry.maxValue == 65535 ? 16 : 8
            #expect(try Image(pngData: image.pngData(bitDepth: bitDepth)) == image, "\(entry.file)")
        }
    }

    @Test("8-bit round trips are exact on the 1/255 grid, 16-bit ones on the 1/65535 grid", arguments: 1...4)
    func gridRoundTrips(channels: Int) throws {
        let eight = try gridImage(width: 11, height: 7, channels: channels, maximum: 255, seed: UInt64(channels))
        #expect(try Image(pngData: eight.pngData(bitDepth: 8)) == eight)
        // 16 bits hold every 8-bit level exactly (b / 255 = 257 b / 65535).
        #expect(try Image(pngData: eight.pngData(bitDepth: 16)) == eight)
        let sixteen = try gridImage(width: 5, height: 9, channels: channels, maximum: 65535, seed: UInt64(10 + channels))
        #expect(try Image(pngData: sixteen.pngData(bitDepth: 16)) == sixteen)
        let decoded = try Image(pngData: sixteen.pngData(bitDepth: 16))
        #expect(decoded.channels == channels)
    }

    @Test("encoding rounds to the nearest level and clamps to [0, 1]")
    func encodingQuantises() throws {
        let image = try Image(width: 6, height: 1, channels: 1, pixels: [0.2, 0.5, 1.7, -0.3, .nan, 0.999])
        #expect(levels(try Image(pngData: image.pngData(bitDepth: 8))) == [51, 128, 255, 0, 0, 255])
        #expect(levels(try Image(pngData: image.pngData(bitDepth: 16)), maximum: 65535) == [13107, 32768, 65535, 0, 0, 65469])
        let error = caughtError { try image.pngData(bitDepth: 12) }
        #expect(error == .unsupportedImage(file: "<PNG in memory>", format: "PNG", reason: "bit depth 12; expected 8 or 16"))
    }

    @Test("writePNG writes atomically and reports a missing directory")
    func writePNG() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("heatmap.png")
        let first = try gridImage(width: 4, height: 3, channels: 1, maximum: 65535, seed: 1)
        try first.writePNG(to: url, bitDepth: 16)
        #expect(try Image(contentsOf: url) == first)
        let second = try gridImage(width: 5, height: 2, channels: 3, maximum: 255, seed: 2)
        try second.writePNG(to: url)
        #expect(try Image(contentsOf: url) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["heatmap.png"])

        let missing = directory.appendingPathComponent("no-such-folder/heatmap.png")
        let error = caughtError { try second.writePNG(to: missing) }
        guard case let .fileOperationFailed(file, operation, reason)? = error else {
            Issue.record("expected fileOperationFailed, got \(String(describing: error))")
            return
        }
        #expect(file == missing.path && operation == "write the PNG")
        #expect(reason.contains("No such file or directory"), "\(reason)")
    }

    // MARK: tensors and channels

    @Test("tensor() is [C, H, W] and init(tensor:) inverts it")
    func tensorConversion() throws {
        let image = try Image(pngData: fixtureData("rgba8.png"))
        let tensor = image.tensor()
        #expect(tensor.shape == [4, image.height, image.width])
        let scalars = tensor.scalars
        for (y, x, c) in [(0, 0, 0), (1, 2, 3), (image.height - 1, image.width - 1, 2), (3, 4, 1)] {
            #expect(scalars[(c * image.height + y) * image.width + x] == image.pixels[(y * image.width + x) * 4 + c])
        }
        #expect(try Image(tensor: tensor) == image)

        let grey = try Image(tensor: Tensor(shape: [2, 3], scalars: [0, 0.25, 0.5, -1, 2, .nan]))
        #expect(layout(grey) == [3, 2, 1])
        #expect(grey.pixels == [0, 0.25, 0.5, 0, 1, 0])
        #expect(grey.tensor().shape == [1, 2, 3])

        for shape in [[5, 2, 2], [1, 1, 2, 2], [3, 0, 2], [4]] {
            let error = caughtError { try Image(tensor: Tensor(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))) }
            #expect(error?.caseName == "wrongDimensions", "\(shape)")
        }
        #expect(caughtError { try Image(width: 2, height: 2, channels: 3, pixels: [0, 1]) }?.caseName == "wrongDimensions")
    }

    @Test("colour → grey uses PIL's ITU-R 601 luma; alpha is added opaque or dropped")
    func channelConversion() throws {
        let fixtures = try ImageFixtures.load()
        for file in ["rgb8.png", "rgba8.png"] {
            let image = try Image(pngData: fixtureData(file))
            let grey = image.converted(toChannels: 1)
            let expected = try #require(fixtures.luma[file])
            #expect(grey.channels == 1 && grey.pixels.count == expected.count)
            // PIL rounds to 8 bits; the float luma is within half a level of it.
            let difference = zip(grey.pixels, expected).map { abs($0 * 255 - Float($1)) }.max() ?? 0
            #expect(difference <= 0.51, "\(file): luma differs from PIL's by \(difference) levels")
            let greyAlpha = image.converted(toChannels: 2)
            #expect(greyAlpha.pixels.count == image.width * image.height * 2)
            for index in 0..<(image.width * image.height) {
                #expect(greyAlpha.pixels[2 * index] == grey.pixels[index])
                #expect(greyAlpha.pixels[2 * index + 1] == (image.channels == 4 ? image.pixels[4 * index + 3] : 1))
            }
        }

        let rgba = try Image(pngData: fixtureData("rgba8.png"))
        let colours: [[Float]] = stride(from: 0, to: rgba.pixels.count, by: 4).map { Array(rgba.pixels[$0..<($0 + 3)]) }
        let rgb = rgba.converted(toChannels: 3)
        #expect(rgb.pixels == colours.flatMap { $0 })
        let opaque: [Float] = colours.flatMap { $0 + [1] }
        #expect(rgb.converted(toChannels: 4).pixels == opaque)

        let grey = try Image(pngData: fixtureData("grey8.png"))
        #expect(grey.converted(toChannels: 3).pixels == grey.pixels.flatMap { [$0, $0, $0] })
        #expect(grey.converted(toChannels: 4).pixels == grey.pixels.flatMap { [$0, $0, $0, 1] })
        #expect(grey.converted(toChannels: 1) == grey)
        let back = grey.converted(toChannels: 3).converted(toChannels: 1)
        #expect(zip(back.pixels, grey.pixels).allSatisfy { abs($0 - $1) <= 1e-6 })

        let greyAlpha = try Image(pngData: fixtureData("greyalpha8.png"))
        #expect(greyAlpha.converted(toChannels: 1).pixels == stride(from: 0, to: greyAlpha.pixels.count, by: 2).map { greyAlpha.pixels[$0] })
        let expandedRGBA: [Float] = stride(from: 0, to: greyAlpha.pixels.count, by: 2).flatMap { index -> [Float] in
            let value = greyAlpha.pixels[index]
            return [value, value, value, greyAlpha.pixels[index + 1]]
        }
        #expect(greyAlpha.converted(toChannels: 4).pixels == expandedRGBA)
    }

    // MARK: damaged and missing files

    @Test("a PNG cut at any point is reported as truncated")
    func truncatedPNG() throws {
        let png = try fixtureData("interlaced-rgb8.png")
        for cut in [1, 5, 8, 16, 33, 45, png.count / 2, png.count - 12, png.count - 1] {
            let error = caughtError { try Image(pngData: png.prefix(cut), source: "cut.png") }
            #expect(error == .truncatedImage(file: "cut.png", format: "PNG", foundBytes: cut), "cut at \(cut)")
        }
        let error = DatasetError.truncatedImage(file: "cut.png", format: "PNG", foundBytes: 45)
        #expect(error.description.contains("cut.png: the PNG data ends early (after 45 bytes)"))
    }

    @Test("a PNG with a bad CRC is reported as corrupt, with libpng's message")
    func badCRC() throws {
        let png = try fixtureData("rgb8.png")
        // Byte 16 is inside IHDR's data; the other offset is the first byte of IDAT's CRC.
        let idat = try #require(png.range(of: Data("IDAT".utf8)))
        let idatLength = png[(idat.lowerBound - 4)..<idat.lowerBound].reduce(0) { $0 << 8 | Int($1) }
        for offset in [16, idat.upperBound + idatLength] {
            var damaged = png
            damaged[offset] ^= 0x5A
            let error = caughtError { try Image(pngData: damaged, source: "crc.png") }
            guard case let .corruptImage(file, format, reason)? = error else {
                Issue.record("byte \(offset): expected corruptImage, got \(String(describing: error))")
                continue
            }
            #expect(file == "crc.png" && format == "PNG")
            #expect(reason.contains("CRC"), "\(reason)")
        }
        // Damaged compressed data fails in zlib before the chunk's CRC is checked.
        var damaged = png
        damaged[idat.upperBound + 2] ^= 0xFF
        #expect(caughtError { try Image(pngData: damaged) }?.caseName == "corruptImage")
    }

    @Test("a JPEG cut short is truncated, garbage in its middle is corrupt")
    func damagedJPEG() throws {
        let jpeg = try fixtureData("rgb.jpg")
        for cut in [2, 20, jpeg.count / 2, jpeg.count - 2] {
            let error = caughtError { try Image(jpegData: jpeg.prefix(cut), source: "cut.jpg") }
            #expect(error == .truncatedImage(file: "cut.jpg", format: "JPEG", foundBytes: cut), "cut at \(cut)")
        }
        // Overwrite 24 bytes in the middle of the entropy-coded data (after the start-of-scan
        // marker) with bytes that contain no marker.
        let scan = try #require(jpeg.range(of: Data([0xFF, 0xDA])))
        let start = scan.upperBound + (jpeg.count - scan.upperBound) / 2
        var damaged = jpeg
        for index in 0..<24 { damaged[start + index] = UInt8((index * 37 + 11) % 251) }
        let error = caughtError { try Image(jpegData: damaged, source: "garbage.jpg") }
        guard case let .corruptImage(file, format, reason)? = error else {
            Issue.record("expected corruptImage, got \(String(describing: error))")
            return
        }
        #expect(file == "garbage.jpg" && format == "JPEG")
        #expect(reason.contains("Corrupt JPEG data"), "\(reason)")
    }

    @Test("empty, text, directory and missing files")
    func notImages() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        let text = directory.appendingPathComponent("notes.jpg")
        try Data("<!DOCTYPE html>".utf8).write(to: text)
        let expected = "the PNG signature 89 50 4E 47 0D 0A 1A 0A or the JPEG signature FF D8 FF"

        let emptyError = caughtError { try Image(contentsOf: empty) }
        #expect(emptyError == .notAnImage(file: empty.path, expected: expected, found: []))
        #expect(emptyError?.description == "\(empty.path): expected \(expected), found an empty file")
        #expect(caughtError { try Image(contentsOf: text) } == .notAnImage(file: text.path, expected: expected, found: Array("<!DOCTYP".utf8)))
        #expect(caughtError { try Image(contentsOf: directory) }?.caseName == "unreadableFile")
        #expect(caughtError { try Image(contentsOf: directory.appendingPathComponent("missing.png")) }?.caseName == "missingFiles")
    }

    // MARK: real files

    @Test(
        "Magnetic Tile Defect images and masks decode as PIL decodes them",
        .enabled(if: codecTestsMagneticTileDirectory != nil, "needs ../shared/data/magnetic-tile-defect"))
    func magneticTiles() throws {
        let root = try #require(codecTestsMagneticTileDirectory)
        let files = try ImageFixtures.load().realFiles
        #expect(files.count == 6)
        var sizes: [String: [Int]] = [:]
        for file in files {
            let image = try Image(contentsOf: root.appendingPathComponent(file.path))
            #expect(layout(image) == [file.width, file.height, file.channels], "\(file.path)")
            let samples = levels(image)
            let isJPEG = file.path.hasSuffix(".jpg")
            // JPEG: another IDCT may move single samples by a level or two.
            let sumTolerance = isJPEG ? samples.count / 100 : 0
            #expect(abs(samples.reduce(0, +) - file.sum) <= sumTolerance, "\(file.path)")
            for probe in file.probes {
                #expect(abs(samples[probe[0] * image.width + probe[1]] - probe[2]) <= (isJPEG ? 2 : 0), "\(file.path) at \(probe)")
            }
            if !isJPEG {
                #expect(samples.count { $0 == 0 } == file.zeros && samples.count { $0 == 255 } == file.maxima, "\(file.path)")
            }
            sizes[file.path, default: []] = [image.width, image.height]
        }
        // Each mask has the size of its image.
        for (path, size) in sizes where path.hasSuffix(".png") {
            #expect(sizes[String(path.dropLast(4)) + ".jpg"] == size, "\(path)")
        }
    }
}
