import Datasets
import Foundation
import TensorCore
import Testing

@Suite("Bundled Fashion-MNIST sample")
struct BundledSampleTests {
    @Test("SHA-256 helper matches the FIPS 180-4 examples")
    func sha256KnownAnswers() {
        #expect(SHA256.hexDigest(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("counts, shape and class balance", arguments: DatasetSplit.allCases)
    func countsAndBalance(split: DatasetSplit) throws {
        let fixture = try SampleFixture.load()[split]
        let sample = try FashionMNIST.bundledSample(split: split)
        #expect(sample.split == split)
        #expect(sample.kind == .fashionMNIST)
        #expect(sample.count == (split == .train ? 3000 : 1000))
        #expect(sample.count == fixture.count)
        #expect(sample.images.shape == [fixture.count, 1] + fixture.imageShape)
        #expect(sample.labels.allSatisfy { (0..<10).contains($0) })
        var perClass = [Int](repeating: 0, count: 10)
        for label in sample.labels { perClass[label] += 1 }
        #expect(perClass == [Int](repeating: split == .train ? 300 : 100, count: 10))
        #expect(perClass == fixture.classCounts)
    }

    @Test("pixels lie in [0, 1] and decode to the bytes the script wrote", arguments: DatasetSplit.allCases)
    func pixelsMatchFixture(split: DatasetSplit) throws {
        let fixture = try SampleFixture.load()[split]
        let sample = try FashionMNIST.bundledSample(split: split)
        let inRange = sample.images.withUnsafeBufferPointer { values in values.allSatisfy { $0 >= 0 && $0 <= 1 } }
        #expect(inRange)

        let bytes = pixelBytes(sample.images)
        #expect(bytes.reduce(0) { $0 + Int($1) } == fixture.pixelSum)
        #expect(SHA256.hexDigest(of: bytes) == fixture.imagesSHA256)
        #expect(SHA256.hexDigest(of: sample.labels.map(UInt8.init)) == fixture.labelsSHA256)
        let imageSize = 28 * 28
        for probe in fixture.probes {
            #expect(sample.labels[probe.index] == probe.label)
            #expect(
                SHA256.hexDigest(of: bytes[(probe.index * imageSize)..<((probe.index + 1) * imageSize)]) == probe.sha256,
                "image \(probe.index) of the \(split) sample")
        }
    }

    @Test("the sample stays small")
    func sampleSize() throws {
        let fixture = try SampleFixture.load()
        #expect(fixture.sampleBytes < 2_500_000)
    }

    @Test("the same files load from a directory, raw or gzipped")
    func loadsFromDirectoryRawOrGzipped() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Labels decompressed (raw), images left gzipped: both paths in one load.
        let labels = try IDXFile(contentsOf: sampleSourceDirectory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        try labels.encoded().write(to: directory.appendingPathComponent("t10k-labels-idx1-ubyte"))
        try FileManager.default.copyItem(
            at: sampleSourceDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
            to: directory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))

        let loaded = try FashionMNIST.load(split: .test, from: directory)
        let bundled = try FashionMNIST.bundledSample(split: .test)
        #expect(loaded.labels == bundled.labels)
        #expect(loaded.images.scalars == bundled.images.scalars)
    }

    @Test("MNIST-kind loading uses the same format")
    func mnistKindLoadsSameFormat() throws {
        let sample = try IDXImageDataset(directory: sampleSourceDirectory, split: .test, kind: .mnist)
        #expect(sample.kind.name == "MNIST")
        #expect(sample.count == 1000)
    }
}

@Suite("Full Fashion-MNIST set (beside the repository, as on CI)")
struct FullSetTests {
    @Test(
        "60,000 train and 10,000 test images, 10 balanced classes, matching the sample",
        .enabled(if: fullFashionMNISTDirectory != nil, "the full set is not beside the repository"),
        arguments: DatasetSplit.allCases)
    func fullSetCounts(split: DatasetSplit) throws {
        let directory = try #require(fullFashionMNISTDirectory)
        let full = try FashionMNIST.load(split: split, from: directory)
        let expected = split == .train ? 60_000 : 10_000
        #expect(full.count == expected)
        #expect(full.images.shape == [expected, 1, 28, 28])
        var perClass = [Int](repeating: 0, count: 10)
        for label in full.labels { perClass[label] += 1 }
        #expect(perClass == [Int](repeating: expected / 10, count: 10))

        // The sample's probe images are the full set's images at their original indices.
        let fixture = try SampleFixture.load()[split]
        for probe in fixture.probes {
            let image = full.images.slice(alongAxis: 0, probe.originalIndex..<(probe.originalIndex + 1))
            #expect(SHA256.hexDigest(of: pixelBytes(image)) == probe.sha256)
            #expect(full.labels[probe.originalIndex] == probe.label)
        }
    }
}
