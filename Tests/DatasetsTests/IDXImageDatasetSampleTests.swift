import Datasets
import Foundation
import TensorCore
import Testing

@Suite("IDX datasets as ImageDataset; EMNIST letters")
struct IDXImageDatasetSampleTests {
    @Test("sample(at:) returns one [1, 28, 28] image of the bundled sample, its label and name")
    func bundledSampleAsImageDataset() throws {
        let dataset = try FashionMNIST.bundledSample(split: .test)
        let generic: any ImageDataset = dataset
        #expect(generic.count == 1000)
        #expect(generic.classNames == FashionMNIST.classNames)
        #expect(generic.labels == dataset.labels)

        let all = dataset.images.scalars
        for index in [0, 1, 517, 999] {
            let sample = try generic.sample(at: index)
            #expect(sample.image.shape == [1, 28, 28])
            #expect(sample.label == dataset.labels[index])
            #expect(sample.name == "Fashion-MNIST/test[\(index)]")
            #expect(sample.mask == nil)
            #expect(sample.image.scalars == Array(all[(index * 784)..<((index + 1) * 784)]))
        }
        #expect(
            caughtError { try dataset.sample(at: 1000) }
                == .sampleIndexOutOfRange(dataset: "Fashion-MNIST/test", index: 1000, count: 1000))
        #expect(caughtError { try dataset.sample(at: -3) }?.caseName == "sampleIndexOutOfRange")
    }

    /// Stored byte of synthetic image `n` at stored row `r`, column `c` (distinct within an image).
    private static func storedByte(_ n: Int, _ r: Int, _ c: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (r * 28 + c) % 251 + n * 3)
    }

    /// Three synthetic EMNIST-letters images (stored as the files store them, transposed)
    /// with the given stored labels.
    private static func emnistFiles(labels: [UInt8]) throws -> (images: IDXFile, labels: IDXFile) {
        var pixels: [UInt8] = []
        for n in 0..<labels.count {
            for r in 0..<28 { for c in 0..<28 { pixels.append(storedByte(n, r, c)) } }
        }
        return (
            try IDXFile(dimensions: [labels.count, 28, 28], bytes: pixels),
            try IDXFile(dimensions: [labels.count], bytes: labels)
        )
    }

    @Test("EMNIST letters: file names, transposed images, labels 1…26 mapped to 0…25")
    func emnistLettersSynthetic() throws {
        let (images, labels) = try Self.emnistFiles(labels: [1, 26, 13])
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Images gzipped, labels raw: both spellings of the EMNIST names are found.
        try Data(StoredDeflate.gzip(Array(images.encoded())))
            .write(to: directory.appendingPathComponent("emnist-letters-test-images-idx3-ubyte.gz"))
        try labels.encoded().write(to: directory.appendingPathComponent("emnist-letters-test-labels-idx1-ubyte"))

        let letters = try IDXImageDataset(directory: directory, split: .test, kind: .emnistLetters)
        #expect(letters.count == 3)
        #expect(letters.labels == [0, 25, 12])
        #expect(letters.classNames.count == 26)
        #expect(letters.labels.map { letters.classNames[$0] } == ["a", "z", "m"])
        #expect(letters.images.shape == [3, 1, 28, 28])

        let scalars = letters.images.scalars
        for n in 0..<3 {
            for (y, x) in [(0, 0), (0, 27), (27, 0), (3, 17), (20, 9)] {
                // Upright pixel (y, x) is the stored pixel (x, y).
                #expect(scalars[n * 784 + y * 28 + x] == Float(Self.storedByte(n, x, y)) / 255, "image \(n) at y \(y), x \(x)")
            }
        }
        let sample = try letters.sample(at: 1)
        #expect(sample.name == "EMNIST-letters/test[1]")
        #expect(sample.label == 25)
        #expect(sample.image.scalars[2 * 28 + 5] == Float(Self.storedByte(1, 5, 2)) / 255)

        // The same bytes read as an upright kind are not transposed.
        let digits = try IDXFile(dimensions: [3], bytes: [1, 2, 3])
        let upright = try IDXImageDataset(images: images, labels: digits, split: .test, kind: .mnist)
        #expect(upright.images.scalars[3 * 28 + 17] == Float(Self.storedByte(0, 3, 17)) / 255)
    }

    @Test("EMNIST stored labels outside 1…26 are errors naming the file's range")
    func emnistLabelRange() throws {
        for bad: UInt8 in [0, 27] {
            let (images, labels) = try Self.emnistFiles(labels: [5, bad, 2])
            let error = caughtError { try IDXImageDataset(images: images, labels: labels, split: .train, kind: .emnistLetters) }
            #expect(error == .fileLabelOutOfRange(file: "<labels>", index: 1, label: Int(bad), expected: 1...26))
            #expect(error?.description.contains("expected a value in 1...26") == true)
        }
    }

    @Test("missing EMNIST files are listed by their EMNIST names")
    func emnistMissingFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = caughtError { try IDXImageDataset(directory: directory, split: .train, kind: .emnistLetters) }
        guard case let .missingFiles(_, expected, howToObtain)? = error else {
            Issue.record("expected missingFiles, got \(String(describing: error))")
            return
        }
        #expect(
            expected.map { URL(fileURLWithPath: $0).lastPathComponent } == [
                "emnist-letters-train-images-idx3-ubyte", "emnist-letters-train-images-idx3-ubyte.gz",
                "emnist-letters-train-labels-idx1-ubyte", "emnist-letters-train-labels-idx1-ubyte.gz",
            ])
        #expect(howToObtain.contains("gzip.zip"))
        #expect(IDXDatasetKind.emnistLetters.fileNames(for: .test).images == "emnist-letters-test-images-idx3-ubyte")
        #expect(IDXDatasetKind.mnist.fileNames(for: .test).labels == "t10k-labels-idx1-ubyte")
    }

    @Test("a transposed kind with non-square images: files hold [count, width, height]")
    func transposedNonSquare() throws {
        let kind = IDXDatasetKind(
            name: "tiny", classNames: ["a", "b"], imageHeight: 2, imageWidth: 3,
            defaultDirectories: [], howToObtain: "", transposed: true)
        // Stored row x holds column x of the upright 2×3 image: stored[x][y] = 10·y + x.
        let stored: [UInt8] = [0, 10, 1, 11, 2, 12]
        let images = try IDXFile(dimensions: [1, 3, 2], bytes: stored)
        let labels = try IDXFile(dimensions: [1], bytes: [1])
        let dataset = try IDXImageDataset(images: images, labels: labels, split: .train, kind: kind)
        #expect(dataset.images.shape == [1, 1, 2, 3])
        #expect(pixelBytes(dataset.images) == [0, 1, 2, 10, 11, 12])
        #expect(try dataset.sample(at: 0).image.shape == [1, 2, 3])

        let wrong = try IDXFile(dimensions: [1, 2, 3], bytes: stored)
        #expect(
            caughtError { try IDXImageDataset(images: wrong, labels: labels, split: .train, kind: kind) }
                == .wrongDimensions(file: "<images>", expected: "[count, 3, 2] (tiny images, stored transposed)", found: [1, 2, 3]))
    }
}
