import Datasets
import Foundation
import Testing

/// Damaged, missing and inconsistent files must surface as the matching ``DatasetError``,
/// never as a crash or a silently wrong dataset.
@Suite("Corrupt and missing inputs")
struct CorruptInputTests {
    /// Three 28×28 images with labels 0, 1, 2, as IDX files.
    private func tinyIDX(imageCount: Int = 3, labelCount: Int = 3) throws -> (images: IDXFile, labels: IDXFile) {
        let pixels = (0..<(imageCount * 784)).map { UInt8(truncatingIfNeeded: $0) }
        return (
            try IDXFile(dimensions: [imageCount, 28, 28], bytes: pixels),
            try IDXFile(dimensions: [labelCount], bytes: (0..<labelCount).map { UInt8($0 % 10) })
        )
    }

    /// Writes the test split's two files into a new temporary directory.
    private func directory(
        images: Data, imagesName: String = "t10k-images-idx3-ubyte",
        labels: Data, labelsName: String = "t10k-labels-idx1-ubyte"
    ) throws -> URL {
        let directory = try makeTemporaryDirectory()
        try images.write(to: directory.appendingPathComponent(imagesName))
        try labels.write(to: directory.appendingPathComponent(labelsName))
        return directory
    }

    @Test("a well-formed tiny set loads, raw and gzipped")
    func tinySetLoads() throws {
        let (images, labels) = try tinyIDX()
        let raw = try directory(images: images.encoded(), labels: labels.encoded())
        defer { try? FileManager.default.removeItem(at: raw) }
        let dataset = try FashionMNIST.load(split: .test, from: raw)
        #expect(dataset.labels == [0, 1, 2])
        #expect(dataset.images.shape == [3, 1, 28, 28])
        #expect(pixelBytes(dataset.images) == images.bytes)

        let gzipped = try directory(
            images: Data(StoredDeflate.gzip(Array(images.encoded()))), imagesName: "t10k-images-idx3-ubyte.gz",
            labels: Data(StoredDeflate.gzip(Array(labels.encoded()))), labelsName: "t10k-labels-idx1-ubyte.gz")
        defer { try? FileManager.default.removeItem(at: gzipped) }
        #expect(try FashionMNIST.load(split: .test, from: gzipped).labels == [0, 1, 2])
    }

    @Test("truncated IDX data and header")
    func truncatedIDX() throws {
        let (images, labels) = try tinyIDX()
        let full = images.encoded()
        let cut = try directory(images: full.prefix(full.count - 100), labels: labels.encoded())
        defer { try? FileManager.default.removeItem(at: cut) }
        let error = caughtError { try FashionMNIST.load(split: .test, from: cut) }
        guard case let .truncatedData(file, expectedBytes, foundBytes)? = error else {
            Issue.record("expected truncatedData, got \(String(describing: error))")
            return
        }
        #expect(file.hasSuffix("t10k-images-idx3-ubyte"))
        #expect(expectedBytes == 16 + 3 * 784)
        #expect(foundBytes == 16 + 3 * 784 - 100)
        #expect(error!.description.contains("expected \(expectedBytes) bytes, found \(foundBytes)"))

        // Cut inside the header: the dimensions are incomplete.
        #expect(caughtError { try IDXFile(parsing: full.prefix(9)) } == .truncatedData(file: "<IDX in memory>", expectedBytes: 16, foundBytes: 9))
        #expect(caughtError { try IDXFile(parsing: Data([0, 0])) }?.caseName == "truncatedData")
        // One byte too many.
        #expect(
            caughtError { try IDXFile(parsing: labels.encoded() + [7]) }
                == .trailingData(file: "<IDX in memory>", expectedBytes: 11, foundBytes: 12))
    }

    @Test(
        "wrong magic numbers",
        arguments: [
            [UInt8]([0x00, 0x00, 0x0D, 0x01]),  // float32 IDX: not unsigned bytes
            [0x01, 0x00, 0x08, 0x01],  // first bytes not zero
            [0x00, 0x00, 0x08, 0x00],  // zero dimensions
            [0x89, 0x50, 0x4E, 0x47],  // a PNG signature
        ])
    func wrongMagic(header: [UInt8]) throws {
        let data = Data(header + [0, 0, 0, 1, 5])
        let error = caughtError { try IDXFile(parsing: data, file: "bad.idx") }
        let expectedMagic = UInt32(header[0]) << 24 | UInt32(header[1]) << 16 | UInt32(header[2]) << 8 | UInt32(header[3])
        guard case let .badMagicNumber(file, _, found)? = error else {
            Issue.record("expected badMagicNumber, got \(String(describing: error))")
            return
        }
        #expect(file == "bad.idx")
        #expect(found == expectedMagic)
        #expect(error!.description.contains("0x000008nn"))
    }

    @Test("wrong dimensions: images that are not 28×28, labels that are not a vector")
    func wrongDimensions() throws {
        let big = try IDXFile(dimensions: [2, 32, 32], bytes: [UInt8](repeating: 1, count: 2 * 32 * 32))
        let labels = try IDXFile(dimensions: [2], bytes: [0, 1])
        #expect(caughtError { try IDXImageDataset(images: big, labels: labels, split: .test) }?.caseName == "wrongDimensions")
        let (images, _) = try tinyIDX()
        let matrixLabels = try IDXFile(dimensions: [3, 1], bytes: [0, 1, 2])
        #expect(caughtError { try IDXImageDataset(images: images, labels: matrixLabels, split: .test) }?.caseName == "wrongDimensions")
        #expect(caughtError { try IDXFile(dimensions: [], bytes: []) }?.caseName == "wrongDimensions")
        // Dimensions whose product overflows never allocate or crash.
        let huge = Data([0, 0, 8, 3] + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(caughtError { try IDXFile(parsing: huge) }?.caseName == "wrongDimensions")
    }

    @Test("image and label counts that differ")
    func countMismatch() throws {
        let (images, labels) = try tinyIDX(imageCount: 3, labelCount: 2)
        let mismatched = try directory(images: images.encoded(), labels: labels.encoded())
        defer { try? FileManager.default.removeItem(at: mismatched) }
        let error = caughtError { try FashionMNIST.load(split: .test, from: mismatched) }
        guard case let .countMismatch(imagesFile, imageCount, labelsFile, labelCount)? = error else {
            Issue.record("expected countMismatch, got \(String(describing: error))")
            return
        }
        #expect(imagesFile.hasSuffix("t10k-images-idx3-ubyte"))
        #expect(labelsFile.hasSuffix("t10k-labels-idx1-ubyte"))
        #expect((imageCount, labelCount) == (3, 2))
    }

    @Test("a label outside 0..<10")
    func labelOutOfRange() throws {
        let (images, _) = try tinyIDX()
        let labels = try IDXFile(dimensions: [3], bytes: [0, 10, 2])
        #expect(
            caughtError { try IDXImageDataset(images: images, labels: labels, split: .test) }
                == .labelOutOfRange(file: "<labels>", index: 1, label: 10, classCount: 10))
    }

    @Test("a missing directory lists every path looked for and how to get the files")
    func missingDirectory() throws {
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("DatasetsTests-missing-\(UUID().uuidString)")
        let error = caughtError { try FashionMNIST.load(split: .train, from: nowhere) }
        guard case let .missingFiles(directory, expected, howToObtain)? = error else {
            Issue.record("expected missingFiles, got \(String(describing: error))")
            return
        }
        #expect(directory == nowhere.path)
        let names = ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz"]
        #expect(expected == names.map { nowhere.appendingPathComponent($0).path })
        #expect(howToObtain.contains("apt-get install dataset-fashion-mnist"))
        #expect(error!.description.contains(nowhere.appendingPathComponent("train-labels-idx1-ubyte.gz").path))
    }

    @Test("a directory with only the labels names just the image files")
    func missingImagesOnly() throws {
        let (_, labels) = try tinyIDX()
        let partial = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: partial) }
        try labels.encoded().write(to: partial.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let error = caughtError { try FashionMNIST.load(split: .test, from: partial) }
        guard case let .missingFiles(_, expected, _)? = error else {
            Issue.record("expected missingFiles, got \(String(describing: error))")
            return
        }
        #expect(expected.map { URL(fileURLWithPath: $0).lastPathComponent } == ["t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"])
    }

    @Test("the default location (Debian's dataset-fashion-mnist) loads or says how to install it")
    func defaultLocation() throws {
        let installed = FileManager.default.fileExists(
            atPath: FashionMNIST.systemDirectory.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
        if installed {
            #expect(try FashionMNIST.load(split: .test).count == 10_000)
        } else {
            let error = caughtError { try FashionMNIST.load(split: .test) }
            guard case let .missingFiles(directory, expected, _)? = error else {
                Issue.record("expected missingFiles, got \(String(describing: error))")
                return
            }
            #expect(directory == "/usr/share/datasets/fashion-mnist")
            #expect(expected.contains("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
        }
        // MNIST has no default location.
        #expect(caughtError { try IDXImageDataset(split: .test, kind: .mnist) }?.caseName == "missingFiles")
    }

    @Test("a directory where a file should be")
    func directoryInsteadOfFile() throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let url = parent.appendingPathComponent("t10k-labels-idx1-ubyte")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        #expect(caughtError { try IDXFile(contentsOf: url) }?.caseName == "unreadableFile")
    }
}
