import Datasets
import Foundation
import TensorCore
import Testing

/// Sample `i`: a 3×2×(2 + i % 2) image of values on the 1/255 grid, a 0/1 mask for even
/// `i`, label `i % 2`. Counts how often a sample is decoded; optionally backed by a file.
private final class GridDataset: FileBackedDataset, @unchecked Sendable {
    let count: Int
    let sourceFiles: [URL]
    private let lock = NSLock()
    private var decodes = 0

    init(count: Int, sourceFiles: [URL] = []) {
        self.count = count
        self.sourceFiles = sourceFiles
    }

    var decodeCount: Int { lock.withLock { decodes } }
    var classNames: [String] { ["even", "odd"] }
    var labels: [Int] { (0..<count).map { $0 % 2 } }

    func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        lock.withLock { decodes += 1 }
        let width = 2 + index % 2
        let image = Tensor(shape: [3, 2, width]) { values in
            for i in values.indices { values[i] = Float((index * 7 + i * 13) % 256) / 255 }
        }
        let mask =
            index % 2 == 0
            ? Tensor(shape: [1, 2, width]) { values in
                for i in values.indices { values[i] = Float((index + i) % 2) }
            } : nil
        return DatasetSample(image: image, label: index % 2, mask: mask, name: "grid[\(index)]")
    }
}

@Suite("DecodedImageCache")
struct DecodedImageCacheTests {
    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("image-cache-\(UUID().uuidString).bin")
    }

    @Test("a built cache serves the same samples, and a second open reads the file without decoding")
    func roundTrip() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let source = GridDataset(count: 7)
        let cache = try DecodedImageCache.open(at: url, source: source, description: "none")
        #expect(source.decodeCount == 7)
        #expect(cache.count == 7 && cache.labels == source.labels && cache.classNames == source.classNames)
        for index in 0..<7 {
            let expected = try source.sample(at: index)
            let cached = try cache.sample(at: index)
            #expect(cached.image.shape == expected.image.shape)
            #expect(cached.image.scalars == expected.image.scalars)
            #expect(cached.mask?.scalars == expected.mask?.scalars)
            #expect(cached.name == expected.name && cached.label == expected.label)
        }
        let decodesBefore = source.decodeCount
        let reopened = try DecodedImageCache.open(at: url, source: source, description: "none")
        #expect(source.decodeCount == decodesBefore)
        #expect(try reopened.sample(at: 3).image.scalars == cache.sample(at: 3).image.scalars)
    }

    @Test("pre-processing runs once and is part of the fingerprint")
    func preprocessingChangesRebuild() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let source = GridDataset(count: 4)
        let resized = try DecodedImageCache.open(
            at: url, source: source, preprocessing: Resize(height: 4, width: 4, interpolation: .nearest), description: "resize 4")
        #expect(try resized.sample(at: 1).image.shape == [3, 4, 4])
        #expect(try resized.sample(at: 0).mask?.shape == [1, 4, 4])
        let plain = try DecodedImageCache.open(at: url, source: source, description: "none")
        #expect(source.decodeCount == 8)
        #expect(try plain.sample(at: 1).image.shape == [3, 2, 3])
    }

    @Test("a changed source file, a changed dataset or a damaged cache file is rebuilt")
    func rebuilds() throws {
        let url = Self.temporaryURL()
        let dataFile = Self.temporaryURL()
        defer { for file in [url, dataFile] { try? FileManager.default.removeItem(at: file) } }
        try Data("v1".utf8).write(to: dataFile)
        let source = GridDataset(count: 3, sourceFiles: [dataFile])
        _ = try DecodedImageCache.open(at: url, source: source)
        #expect(source.decodeCount == 3)
        try Data("version 2".utf8).write(to: dataFile)
        _ = try DecodedImageCache.open(at: url, source: source)
        #expect(source.decodeCount == 6)

        let bigger = GridDataset(count: 4, sourceFiles: [dataFile])
        _ = try DecodedImageCache.open(at: url, source: bigger)
        #expect(bigger.decodeCount == 4)

        let bytes = try Data(contentsOf: url)
        for cut in [0, 10, 45, bytes.count - 1] {
            try bytes.prefix(cut).write(to: url)
            let before = bigger.decodeCount
            let cache = try DecodedImageCache.open(at: url, source: bigger)
            #expect(bigger.decodeCount == before + 4, "cut at \(cut)")
            #expect(try cache.sample(at: 2).image.scalars == bigger.sample(at: 2).image.scalars)
        }
        #expect(try Data(contentsOf: url) == bytes)
    }

    @Test("a sample whose mask does not match its image cannot be cached")
    func invalidSample() throws {
        struct BadMask: ImageDataset {
            var count: Int { 1 }
            var classNames: [String] { ["x"] }
            var labels: [Int] { [0] }
            func sample(at index: Int) throws(DatasetError) -> DatasetSample {
                DatasetSample(image: Tensor.zeros(shape: [1, 2, 2]), label: 0, mask: Tensor.zeros(shape: [1, 3, 3]), name: "bad")
            }
        }
        let url = Self.temporaryURL()
        #expect(throws: DatasetError.self) { try DecodedImageCache.open(at: url, source: BadMask()) }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
