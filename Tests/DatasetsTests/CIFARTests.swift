import Datasets
import Foundation
import TensorCore
import Testing

/// What `Scripts/make_cifar_reference.py` recorded about the real CIFAR subsets.
struct CIFARReference: Decodable {
    struct Value: Decodable {
        let channel: Int
        let y: Int
        let x: Int
        let byte: Int
    }
    struct Probe: Decodable {
        let index: Int
        let label: Int?
        let fineLabel: Int?
        let coarseLabel: Int?
        let pixelSum: Int
        let sha256: String
        let values: [Value]
    }
    struct Subset: Decodable {
        let file: String
        let fileSHA256: String
        let count: Int
        let classNames: [String]?
        let fineClassNames: [String]?
        let coarseClassNames: [String]?
        let classCounts: [Int]?
        let fineClassCounts: [Int]?
        let coarseClassCounts: [Int]?
        let pixelSum: Int
        let probes: [Probe]
    }
    let cifar10: Subset
    let cifar100: Subset

    static func load() throws -> CIFARReference {
        let url = try #require(Bundle.module.url(forResource: "cifar_reference", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(CIFARReference.self, from: Data(contentsOf: url))
    }
}

/// Synthetic CIFAR records: distinct, position-dependent pixel bytes per record.
enum SyntheticCIFAR {
    /// The 3,072 pixel bytes of synthetic image `seed`.
    static func image(_ seed: Int) -> [UInt8] {
        (0..<CIFARVariant.imageByteCount).map { UInt8(truncatingIfNeeded: seed &* 37 &+ $0 &* 13 &+ ($0 >> 10)) }
    }

    /// Records with the given label bytes (one per CIFAR-10 record, coarse and fine for
    /// CIFAR-100) and images `image(firstSeed + i)`.
    static func records(_ labelBytes: [[UInt8]], firstSeed: Int = 0) -> Data {
        var data = Data()
        for (offset, labels) in labelBytes.enumerated() {
            data.append(contentsOf: labels)
            data.append(contentsOf: image(firstSeed + offset))
        }
        return data
    }
}

@Suite("CIFAR binary version")
struct CIFARTests {
    /// The shared real-data folder beside the repository (`../shared/data`), when it exists.
    static let sharedData: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data", isDirectory: true)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    @Test("CIFAR-10: the existing batch files of a split load in order; images decode as RGB planes")
    func cifar10LoadsExistingBatches() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticCIFAR.records([[3], [0], [9]], firstSeed: 0).write(to: directory.appendingPathComponent("data_batch_1.bin"))
        try SyntheticCIFAR.records([[5], [7]], firstSeed: 3).write(to: directory.appendingPathComponent("data_batch_3.bin"))

        let train = try CIFAR(directory: directory, split: .train, variant: .cifar10)
        #expect(train.count == 5)
        #expect(train.labels == [3, 0, 9, 5, 7])
        #expect(train.files.map(\.lastPathComponent) == ["data_batch_1.bin", "data_batch_3.bin"])
        #expect(train.classNames == CIFARVariant.cifar10.builtInClassNames)
        #expect(train.classNames[9] == "truck")
        #expect(train.pixels.count == 5 * 3072)

        for index in 0..<train.count {
            let sample = try train.sample(at: index)
            #expect(sample.image.shape == [3, 32, 32])
            #expect(sample.label == train.labels[index])
            #expect(sample.name == "CIFAR-10/train[\(index)]")
            #expect(sample.mask == nil)
            #expect(pixelBytes(sample.image) == SyntheticCIFAR.image(index))
        }
        // Plane order: channel c, row y, column x is byte c·1024 + y·32 + x of the record.
        let image = try train.sample(at: 4).image.scalars
        let bytes = SyntheticCIFAR.image(4)
        for (c, y, x) in [(0, 0, 0), (1, 5, 7), (2, 31, 31)] {
            #expect(image[c * 1024 + y * 32 + x] == Float(bytes[c * 1024 + y * 32 + x]) / 255)
        }
        let inRange = try train.sample(at: 0).image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }
        #expect(inRange)
        #expect(caughtError { try train.sample(at: 5) } == .sampleIndexOutOfRange(dataset: "CIFAR-10/train", index: 5, count: 5))
        #expect(caughtError { try train.sample(at: -1) }?.caseName == "sampleIndexOutOfRange")
    }

    @Test("a split with none of its files says which were expected and how to obtain CIFAR")
    func missingSplitListsExpectedFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticCIFAR.records([[1]]).write(to: directory.appendingPathComponent("data_batch_1.bin"))

        let error = caughtError { try CIFAR(directory: directory, split: .test, variant: .cifar10) }
        guard case let .missingFiles(reported, expected, howToObtain)? = error else {
            Issue.record("expected missingFiles, got \(String(describing: error))")
            return
        }
        #expect(reported == directory.path)
        #expect(
            expected == [
                directory.appendingPathComponent("test_batch.bin").path,
                directory.appendingPathComponent("cifar-10-batches-bin/test_batch.bin").path,
            ])
        #expect(howToObtain.contains("https://www.cs.toronto.edu/~kriz/cifar.html"))
        #expect(howToObtain.contains("binary version"))

        let train = caughtError { try CIFAR(directory: directory.appendingPathComponent("nothing-here"), split: .train, variant: .cifar10) }
        guard case let .missingFiles(_, trainExpected, _)? = train else {
            Issue.record("expected missingFiles, got \(String(describing: train))")
            return
        }
        #expect(trainExpected.count == 10)
        #expect(trainExpected.contains { $0.hasSuffix("nothing-here/data_batch_5.bin") })
        #expect(trainExpected.contains { $0.hasSuffix("nothing-here/cifar-10-batches-bin/data_batch_1.bin") })
        #expect(error?.description.contains("test_batch.bin") == true)

        let hundred = caughtError { try CIFAR(directory: directory, split: .train, variant: .cifar100Fine) }
        guard case let .missingFiles(_, hundredExpected, _)? = hundred else {
            Issue.record("expected missingFiles, got \(String(describing: hundred))")
            return
        }
        #expect(hundredExpected.map { URL(fileURLWithPath: $0).lastPathComponent } == ["train.bin", "train.bin"])
        #expect(hundredExpected[1].hasSuffix("cifar-100-binary/train.bin"))
    }

    @Test("CIFAR-100: fine or coarse labels, files inside the archive's folder, class-name files")
    func cifar100FineAndCoarse() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("cifar-100-binary", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SyntheticCIFAR.records([[19, 99], [0, 0], [7, 42], [3, 15]]).write(to: folder.appendingPathComponent("test.bin"))

        let fine = try CIFAR(directory: directory, split: .test, variant: .cifar100Fine)
        #expect(fine.labels == [99, 0, 42, 15])
        #expect(fine.classNames.count == 100)
        #expect(fine.classNames[99] == "worm")
        #expect(try fine.sample(at: 2).name == "CIFAR-100/test[2]")
        #expect(pixelBytes(try fine.sample(at: 3).image) == SyntheticCIFAR.image(3))

        let coarse = try CIFAR(directory: folder, split: .test, variant: .cifar100Coarse)
        #expect(coarse.labels == [19, 0, 7, 3])
        #expect(coarse.classNames.count == 20)
        #expect(coarse.classNames[19] == "vehicles_2")
        #expect(coarse.pixels == fine.pixels)

        // A names file beside the batches wins over the built-in list.
        let coarseNames = (0..<20).map { "  superclass \($0) " }.joined(separator: "\n") + "\n\n"
        try Data(coarseNames.utf8).write(to: folder.appendingPathComponent("coarse_label_names.txt"))
        let named = try CIFAR(directory: directory, split: .test, variant: .cifar100Coarse)
        #expect(named.classNames.first == "superclass 0")
        #expect(named.classNames.last == "superclass 19")

        try Data("a\nb\nc\n".utf8).write(to: folder.appendingPathComponent("fine_label_names.txt"))
        let wrongCount = caughtError { try CIFAR(directory: directory, split: .test, variant: .cifar100Fine) }
        #expect(
            wrongCount
                == .classNameCountMismatch(
                    file: folder.appendingPathComponent("fine_label_names.txt").path, expected: 100, found: 3))
        #expect(wrongCount?.description.contains("expected 100 class names") == true)
    }

    @Test("batches.meta.txt names the CIFAR-10 classes; blank lines are skipped")
    func cifar10MetaFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticCIFAR.records([[2]]).write(to: directory.appendingPathComponent("test_batch.bin"))
        let names = (0..<10).map { "class\($0)" }
        try Data((names.joined(separator: "\n") + "\n\n\n").utf8).write(to: directory.appendingPathComponent("batches.meta.txt"))
        let test = try CIFAR(directory: directory, split: .test)
        #expect(test.variant == .cifar10)
        #expect(test.classNames == names)
        #expect(test.labels == [2])
    }

    @Test("a truncated file and a file that is not a whole number of records")
    func truncatedAndPartialFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("data_batch_1.bin")

        let full = SyntheticCIFAR.records([[1], [2], [3]])
        try full.prefix(full.count - 100).write(to: url)
        let partial = caughtError { try CIFAR(directory: directory, split: .train) }
        #expect(partial == .partialRecord(file: url.path, recordBytes: 3073, foundBytes: 3 * 3073 - 100))
        #expect(partial?.description.contains("2 records and 2973 bytes more") == true)

        try full.prefix(1000).write(to: url)
        #expect(
            caughtError { try CIFAR(directory: directory, split: .train) }
                == .truncatedData(file: url.path, expectedBytes: 3073, foundBytes: 1000))
        try Data().write(to: url)
        #expect(
            caughtError { try CIFAR(directory: directory, split: .train) }
                == .truncatedData(file: url.path, expectedBytes: 3073, foundBytes: 0))

        // A CIFAR-10 batch read as CIFAR-100 does not fit its 3,074-byte records.
        #expect(
            caughtError { try CIFARBatchFile(parsing: full, variant: .cifar100Fine, file: "x.bin") }
                == .partialRecord(file: "x.bin", recordBytes: 3074, foundBytes: 3 * 3073))
    }

    @Test("labels out of range name the file, the record and the class count")
    func labelsOutOfRange() throws {
        #expect(
            caughtError { try CIFARBatchFile(parsing: SyntheticCIFAR.records([[1], [10]]), variant: .cifar10, file: "b.bin") }
                == .labelOutOfRange(file: "b.bin", index: 1, label: 10, classCount: 10))
        #expect(
            caughtError { try CIFARBatchFile(parsing: SyntheticCIFAR.records([[0, 5], [1, 1], [2, 100]]), variant: .cifar100Fine, file: "t.bin") }
                == .labelOutOfRange(file: "t.bin", index: 2, label: 100, classCount: 100))
        // Both label bytes are checked, whichever the variant uses.
        #expect(
            caughtError { try CIFARBatchFile(parsing: SyntheticCIFAR.records([[20, 5]]), variant: .cifar100Fine, file: "t.bin") }
                == .labelOutOfRange(file: "t.bin", index: 0, label: 20, classCount: 20))
        #expect(
            caughtError { try CIFARBatchFile(parsing: SyntheticCIFAR.records([[3, 255]]), variant: .cifar100Coarse, file: "t.bin") }
                == .labelOutOfRange(file: "t.bin", index: 0, label: 255, classCount: 100))

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("test_batch.bin")
        try SyntheticCIFAR.records([[0], [1], [200]]).write(to: url)
        let error = caughtError { try CIFAR(directory: directory, split: .test) }
        #expect(error == .labelOutOfRange(file: url.path, index: 2, label: 200, classCount: 10))
    }

    @Test("batch files given explicitly; class names checked")
    func explicitBatchFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.bin"), b = directory.appendingPathComponent("b.bin")
        try SyntheticCIFAR.records([[4]], firstSeed: 10).write(to: a)
        try SyntheticCIFAR.records([[6], [8]], firstSeed: 11).write(to: b)
        let dataset = try CIFAR(batchFiles: [b, a], split: .train, variant: .cifar10)
        #expect(dataset.labels == [6, 8, 4])
        #expect(pixelBytes(try dataset.sample(at: 2).image) == SyntheticCIFAR.image(10))
        #expect(
            caughtError { try CIFAR(batchFiles: [a], split: .train, variant: .cifar10, classNames: ["x"]) }
                == .classNameCountMismatch(file: "<class names given>", expected: 10, found: 1))
        #expect(caughtError { try CIFAR(batchFiles: [], split: .train, variant: .cifar10) }?.caseName == "missingFiles")
    }

    // MARK: real subsets in ../shared/data

    @Test(
        "the CIFAR-10 subset: 10,000 images, 1,000 per class, decoded bytes match numpy",
        .enabled(if: CIFARTests.sharedData != nil, "../shared/data is not beside the repository"))
    func realCIFAR10Subset() throws {
        let reference = try CIFARReference.load().cifar10
        let directory = try #require(Self.sharedData).appendingPathComponent("cifar-10-subset")
        let train = try CIFAR(directory: directory, split: .train, variant: .cifar10)
        #expect(train.count == 10_000)
        #expect(train.count == reference.count)
        #expect(train.files.map(\.lastPathComponent) == ["data_batch_1.bin"])
        #expect(train.classNames == reference.classNames)
        #expect(train.classNames == CIFARVariant.cifar10.builtInClassNames)
        let histogram = Self.histogram(train.labels, classCount: 10)
        #expect(histogram == [Int](repeating: 1000, count: 10))
        #expect(histogram == reference.classCounts)
        #expect(Self.byteSum(train.pixels) == reference.pixelSum)
        for probe in reference.probes {
            try Self.check(probe, label: probe.label, in: train)
        }
        // The test split is deliberately absent from the subset.
        #expect(caughtError { try CIFAR(directory: directory, split: .test) }?.caseName == "missingFiles")
    }

    @Test(
        "the CIFAR-100 subset: 100 images per fine class, fine and coarse labels match numpy",
        .enabled(if: CIFARTests.sharedData != nil, "../shared/data is not beside the repository"))
    func realCIFAR100Subset() throws {
        let reference = try CIFARReference.load().cifar100
        let directory = try #require(Self.sharedData).appendingPathComponent("cifar-100-subset")
        let fine = try CIFAR(directory: directory, split: .train, variant: .cifar100Fine)
        #expect(fine.count == 10_000)
        #expect(fine.count == reference.count)
        #expect(fine.classNames == reference.fineClassNames)
        #expect(fine.classNames == CIFARVariant.cifar100Fine.builtInClassNames)
        let fineHistogram = Self.histogram(fine.labels, classCount: 100)
        #expect(fineHistogram == [Int](repeating: 100, count: 100))
        #expect(fineHistogram == reference.fineClassCounts)
        #expect(Self.byteSum(fine.pixels) == reference.pixelSum)
        for probe in reference.probes {
            try Self.check(probe, label: probe.fineLabel, in: fine)
        }

        let coarse = try CIFAR(directory: directory, split: .train, variant: .cifar100Coarse)
        #expect(coarse.classNames == reference.coarseClassNames)
        #expect(coarse.classNames == CIFARVariant.cifar100Coarse.builtInClassNames)
        #expect(Self.histogram(coarse.labels, classCount: 20) == reference.coarseClassCounts)
        for probe in reference.probes {
            #expect(coarse.labels[probe.index] == probe.coarseLabel)
        }
    }

    /// Compares one decoded image with what numpy recorded.
    private static func check(_ probe: CIFARReference.Probe, label: Int?, in dataset: CIFAR) throws {
        let sample = try dataset.sample(at: probe.index)
        #expect(sample.label == label, "label of image \(probe.index)")
        #expect(sample.image.shape == [3, 32, 32])
        let bytes = pixelBytes(sample.image)
        #expect(bytes.reduce(0) { $0 + Int($1) } == probe.pixelSum, "pixel sum of image \(probe.index)")
        #expect(SHA256.hexDigest(of: bytes) == probe.sha256, "SHA-256 of image \(probe.index)")
        let scalars = sample.image.scalars
        for value in probe.values {
            let position = value.channel * 1024 + value.y * 32 + value.x
            #expect(scalars[position] == Float(value.byte) / 255, "image \(probe.index) at \(value.channel), \(value.y), \(value.x)")
        }
    }

    private static func histogram(_ labels: [Int], classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    private static func byteSum(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var sum = 0
            for byte in buffer { sum &+= Int(byte) }
            return sum
        }
    }
}
