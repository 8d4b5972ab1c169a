import Datasets
import Foundation
import TensorCore
import Testing

/// What `Scripts/make_folder_reference.py` recorded about the Magnetic Tile Defect set.
struct MagneticTileReference: Decodable {
    struct Folder: Decodable {
        let name: String
        let count: Int
    }
    struct Probe: Decodable {
        let path: String
        let index: Int
        let label: Int
        let width: Int
        let height: Int
        let pixelSum: Int
        let maskAnomalousPixels: Int
        let maskSum: Int
    }
    let folders: [Folder]
    let normalFolder: String
    let normalCount: Int
    let anomalousCount: Int
    let sizeMismatches: Int
    let probes: [Probe]

    static func load() throws -> MagneticTileReference {
        let url = try #require(Bundle.module.url(forResource: "magnetic_tile_reference", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(MagneticTileReference.self, from: Data(contentsOf: url))
    }
}

/// The Magnetic Tile Defect set beside the repository (`../shared/data`), when it is there.
private let magneticTileDefectRoot: URL? = {
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/magnetic-tile-defect", isDirectory: true)
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("MT_Free").path) ? url : nil
}()

/// The width and height in an image file's header, without decoding it: a PNG's IHDR
/// chunk, or a JPEG's start-of-frame segment.
private func headerSize(of url: URL) throws -> (width: Int, height: Int) {
    let bytes = [UInt8](try Data(contentsOf: url))
    func be16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
        try #require(bytes.count >= 24)
        return (be16(16) << 16 | be16(18), be16(20) << 16 | be16(22))
    }
    try #require(bytes.starts(with: [0xFF, 0xD8]), "\(url.path): neither PNG nor JPEG")
    var offset = 2
    while offset + 9 < bytes.count {
        guard bytes[offset] == 0xFF else { break }
        let marker = bytes[offset + 1]
        if marker == 0xFF { offset += 1; continue }
        // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
            return (be16(offset + 7), be16(offset + 5))
        }
        offset += 2 + be16(offset + 2)
    }
    Issue.record("\(url.path): no JPEG start-of-frame segment")
    return (0, 0)
}

@Suite("Image folder datasets")
struct FolderDatasetTests {
    /// Relative paths of a dataset's images below `root`.
    static func relativePaths(_ files: [URL], under root: URL) -> [String] {
        let base = root.standardizedFileURL.path + "/"
        return files.map { $0.path.hasPrefix(base) ? String($0.path.dropFirst(base.count)) : $0.path }
    }

    /// A fixture image's bytes (`Fixtures/images/<name>`).
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/images"))
        return try Data(contentsOf: url)
    }

    @Test("class folders: recursive, case-insensitive extensions, sorted; hidden and other files skipped")
    func classFolders() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("data")
        try SyntheticImages.writePNG(root.appendingPathComponent("dogs/x.png"), width: 5, height: 3)
        try SyntheticImages.writePNG(root.appendingPathComponent("cats/b.PNG"), width: 4, height: 7, channels: 3)
        try SyntheticImages.writePNG(root.appendingPathComponent("cats/sub/deeper/a.png"), width: 2, height: 2)
        try Self.fixture("grey.jpg").write(to: root.appendingPathComponent("cats/c.Jpeg"))
        try SyntheticImages.writePNG(root.appendingPathComponent("cats/.hidden.png"), width: 2, height: 2)
        try SyntheticImages.writePNG(root.appendingPathComponent(".trash/d.png"), width: 2, height: 2)
        try SyntheticImages.writePNG(root.appendingPathComponent("top-level.png"), width: 2, height: 2)
        try Data("notes".utf8).write(to: root.appendingPathComponent("cats/readme.txt"))

        let dataset = try ImageFolderDataset(root: root)
        #expect(dataset.classNames == ["cats", "dogs"])
        #expect(dataset.folderNames == ["cats", "dogs"])
        #expect(Self.relativePaths(dataset.imageFiles, under: root) == ["cats/b.PNG", "cats/c.Jpeg", "cats/sub/deeper/a.png", "dogs/x.png"])
        #expect(dataset.labels == [0, 0, 0, 1])
        #expect(dataset.folder(at: 3) == "dogs")
        #expect(dataset.maskFiles.allSatisfy { $0 == nil })

        let rgb = try dataset.sample(at: 0)
        #expect(rgb.image.shape == [3, 7, 4])
        #expect(rgb.mask == nil)
        #expect(rgb.name == dataset.imageFiles[0].path)
        let jpeg = try dataset.sample(at: 1)
        let decoded = try Image(contentsOf: dataset.imageFiles[1])
        #expect(jpeg.image.shape == [decoded.channels, decoded.height, decoded.width])
        #expect(try dataset.sample(at: 3).image.shape == [1, 3, 5])
        #expect(caughtError { try dataset.sample(at: -1) }?.caseName == "sampleIndexOutOfRange")

        // A one-vs-rest view picks the normal class.
        let view = try OneClassView(dataset, normalClasses: [1], split: .test)
        #expect(view.labels == [1, 1, 1, 0])
    }

    @Test("channel modes make mixed grey, RGB and RGBA folders batch")
    func channelModes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("mixed")
        try SyntheticImages.writePNG(root.appendingPathComponent("a/grey.png"), width: 3, height: 2, channels: 1)
        try SyntheticImages.writePNG(root.appendingPathComponent("a/greyalpha.png"), width: 3, height: 2, channels: 2)
        try SyntheticImages.writePNG(root.appendingPathComponent("a/rgb.png"), width: 3, height: 2, channels: 3)
        try SyntheticImages.writePNG(root.appendingPathComponent("a/rgba.png"), width: 3, height: 2, channels: 4)

        let cases: [(ImageChannelMode, [Int])] = [(.asStored, [1, 1, 3, 3]), (.grey, [1, 1, 1, 1]), (.rgb, [3, 3, 3, 3])]
        for (mode, channels) in cases {
            let dataset = try ImageFolderDataset(root: root, configuration: .init(channels: mode))
            let samples = try (0..<dataset.count).map { try dataset.sample(at: $0) }
            #expect(samples.map { $0.image.shape[0] } == channels, "\(mode)")
            if mode != .asStored {
                #expect(try Batch(stacking: samples, indices: Array(samples.indices)).images.shape == [4, channels[0], 2, 3])
            }
        }
        // The RGB file read as grey is PIL's luma.
        let rgb = try Image(contentsOf: root.appendingPathComponent("a/rgb.png"))
        let grey = try ImageFolderDataset(root: root, configuration: .init(channels: .grey)).sample(at: 2)
        #expect(grey.image.scalars == rgb.converted(toChannels: 1).tensor().scalars)
    }

    @Test("normal and anomalous folders with mirrored masks: labels 0/1, zero masks for normal images")
    func normalAnomalousMirrored() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("test")
        let maps = directory.appendingPathComponent("test_maps")
        try SyntheticImages.writePNG(root.appendingPathComponent("normal/n1.png"), width: 4, height: 3)
        try SyntheticImages.writePNG(root.appendingPathComponent("normal/n0.png"), width: 4, height: 3)
        try SyntheticImages.writePNG(root.appendingPathComponent("anomalous/kind/a1.png"), width: 4, height: 3, channels: 3)
        try SyntheticImages.writePNG(root.appendingPathComponent("other/ignored.png"), width: 4, height: 3)
        try SyntheticImages.writeMask(maps.appendingPathComponent("anomalous/kind/a1.png"), width: 4, height: 3, box: (1..<3, 0..<2))

        let configuration = ImageFolderConfiguration(
            layout: .normalAnomalous(), masks: .mirrored(root: maps, pattern: "{name}.{ext}"), maskRequirement: .anomalousImages)
        let dataset = try ImageFolderDataset(root: root, configuration: configuration)
        #expect(Self.relativePaths(dataset.imageFiles, under: root) == ["anomalous/kind/a1.png", "normal/n0.png", "normal/n1.png"])
        #expect(dataset.labels == [1, 0, 0])
        #expect(dataset.classNames == ["normal", "anomalous"])
        #expect(dataset.folderNames == ["anomalous", "normal"])
        #expect(
            dataset.maskFiles.map { $0?.standardizedFileURL.path }
                == [maps.appendingPathComponent("anomalous/kind/a1.png").standardizedFileURL.path, nil, nil])
        #expect(dataset.sourceFiles.count == 4)
        let anomalous = try dataset.sample(at: 0)
        #expect(anomalous.mask?.shape == [1, 3, 4])
        #expect(anomalous.mask?.scalars == [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0])
        let normal = try dataset.sample(at: 1)
        #expect(normal.mask?.shape == [1, 3, 4])
        #expect(normal.mask?.elementSum == 0)

        // Every image must have its mask with .everyImage.
        var strict = configuration
        strict.maskRequirement = .everyImage
        let error = caughtError { try ImageFolderDataset(root: root, configuration: strict) }
        let standardMaps = maps.standardizedFileURL
        #expect(
            error
                == .missingMask(
                    image: root.appendingPathComponent("normal/n0.png").standardizedFileURL.path,
                    expectedMask: standardMaps.appendingPathComponent("normal/n0.png").path, alsoMissing: 1))

        // A missing anomalous mask is an error naming the path looked for.
        let mask = maps.appendingPathComponent("anomalous/kind/a1.png")
        try FileManager.default.removeItem(at: mask)
        let missing = caughtError { try ImageFolderDataset(root: root, configuration: configuration) }
        #expect(
            missing
                == .missingMask(
                    image: root.appendingPathComponent("anomalous/kind/a1.png").standardizedFileURL.path,
                    expectedMask: mask.standardizedFileURL.path, alsoMissing: 0))
        #expect(missing?.description.contains("expected its mask at \(mask.standardizedFileURL.path)") == true)

        // Optional masks: the image without one gets zeros.
        var optional = configuration
        optional.maskRequirement = .optional
        let lenient = try ImageFolderDataset(root: root, configuration: optional)
        #expect(try lenient.sample(at: 0).mask?.elementSum == 0)
    }

    @Test("a mask folder inside the root is not a class and its files are not images")
    func maskFolderInsideRoot() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("data")
        try SyntheticImages.writePNG(root.appendingPathComponent("good/a.png"), width: 2, height: 2)
        try SyntheticImages.writePNG(root.appendingPathComponent("bad/b.png"), width: 2, height: 2)
        try SyntheticImages.writeMask(root.appendingPathComponent("masks/good/a_gt.png"), width: 2, height: 2, box: (0..<0, 0..<0))
        try SyntheticImages.writeMask(root.appendingPathComponent("masks/bad/b_gt.png"), width: 2, height: 2, box: (0..<1, 0..<2))
        let dataset = try ImageFolderDataset(
            root: root,
            configuration: .init(
                masks: .mirrored(root: root.appendingPathComponent("masks"), pattern: "{name}_gt.png")))
        #expect(dataset.classNames == ["bad", "good"])
        #expect(Self.relativePaths(dataset.imageFiles, under: root) == ["bad/b.png", "good/a.png"])
        #expect(try dataset.sample(at: 0).mask?.scalars == [1, 0, 1, 0])
    }

    @Test("masks beside images named {name}_mask.png are paired and not listed as images")
    func masksBesideImages() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("data")
        try SyntheticImages.writePNG(root.appendingPathComponent("normal/n.png"), width: 3, height: 2)
        try SyntheticImages.writePNG(root.appendingPathComponent("anomalous/a.png"), width: 3, height: 2)
        try SyntheticImages.writeMask(root.appendingPathComponent("anomalous/a_mask.png"), width: 3, height: 2, box: (2..<3, 0..<2))
        let configuration = ImageFolderConfiguration(
            layout: .normalAnomalous(), masks: .besideImages(pattern: "{name}_mask.png"), maskRequirement: .anomalousImages)
        let dataset = try ImageFolderDataset(root: root, configuration: configuration)
        #expect(Self.relativePaths(dataset.imageFiles, under: root) == ["anomalous/a.png", "normal/n.png"])
        #expect(dataset.maskFiles.map { $0?.lastPathComponent } == ["a_mask.png", nil])
        #expect(try dataset.sample(at: 0).mask?.scalars == [0, 0, 1, 0, 0, 1])

        // A mask of another size fails when the sample is read.
        let mask = root.appendingPathComponent("anomalous/a_mask.png")
        try SyntheticImages.writeMask(mask, width: 2, height: 3, box: (0..<1, 0..<1))
        let reopened = try ImageFolderDataset(root: root, configuration: configuration)
        #expect(
            caughtError { try reopened.sample(at: 0) }
                == .maskSizeMismatch(
                    image: root.appendingPathComponent("anomalous/a.png").standardizedFileURL.path, imageSize: [2, 3],
                    mask: mask.standardizedFileURL.path, maskSize: [3, 2]))
        #expect(try reopened.sample(at: 1).mask?.elementSum == 0)
    }

    @Test("JPEG images with same-named PNG masks (the Magnetic Tile Defect layout): the masks are not images")
    func jpegWithPNGMasks() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("tiles")
        let jpeg = try Self.fixture("grey.jpg")
        let size = try Image(jpegData: jpeg)
        for path in ["MT_Free/Imgs/f1", "MT_Free/Imgs/f0", "MT_Crack/Imgs/c0"] {
            try SyntheticImages.makeFolder(root.appendingPathComponent(path).deletingLastPathComponent())
            try jpeg.write(to: root.appendingPathComponent(path + ".jpg"))
            try SyntheticImages.writeMask(
                root.appendingPathComponent(path + ".png"), width: size.width, height: size.height,
                box: path.contains("Crack") ? (0..<1, 0..<size.height) : (0..<0, 0..<0))
        }
        let dataset = try ImageFolderDataset(root: root, configuration: .magneticTileDefect)
        #expect(Self.relativePaths(dataset.imageFiles, under: root) == ["MT_Crack/Imgs/c0.jpg", "MT_Free/Imgs/f0.jpg", "MT_Free/Imgs/f1.jpg"])
        #expect(dataset.maskFiles.map { $0?.lastPathComponent } == ["c0.png", "f0.png", "f1.png"])
        #expect(dataset.labels == [1, 0, 0])
        #expect(dataset.folderNames == ["MT_Crack", "MT_Free"])
        let crack = try dataset.sample(at: 0)
        #expect(crack.image.shape == [1, size.height, size.width])
        #expect(crack.mask?.elementSum == Double(size.height))

        // A JPEG without its mask.
        try FileManager.default.removeItem(at: root.appendingPathComponent("MT_Free/Imgs/f1.png"))
        let error = caughtError { try ImageFolderDataset(root: root, configuration: .magneticTileDefect) }
        #expect(
            error
                == .missingMask(
                    image: root.appendingPathComponent("MT_Free/Imgs/f1.jpg").standardizedFileURL.path,
                    expectedMask: root.appendingPathComponent("MT_Free/Imgs/f1.png").standardizedFileURL.path, alsoMissing: 0))
    }

    @Test("errors: missing root, empty root, a class folder without images, a missing named folder")
    func folderErrors() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missingRoot = directory.appendingPathComponent("absent")
        #expect(
            caughtError { try ImageFolderDataset(root: missingRoot) }
                == .missingFiles(
                    directory: missingRoot.path, expected: [missingRoot.path + "/"],
                    howToObtain: "Expected a folder of images (.jpeg, .jpg, .png files under its first-level folders)."))

        let root = directory.appendingPathComponent("data")
        try SyntheticImages.makeFolder(root)
        let empty = caughtError { try ImageFolderDataset(root: root) }
        #expect(empty == .noImages(directory: root.path, expected: "one folder per class holding its images (<root>/<class>/…)"))

        try SyntheticImages.writePNG(root.appendingPathComponent("normal/a.png"), width: 2, height: 2)
        try SyntheticImages.makeFolder(root.appendingPathComponent("empty/sub"))
        try Data("x".utf8).write(to: root.appendingPathComponent("empty/sub/notes.txt"))
        let emptyClass = caughtError { try ImageFolderDataset(root: root) }
        #expect(
            emptyClass
                == .noImages(
                    directory: root.appendingPathComponent("empty").path, expected: "image files (.jpeg, .jpg, .png) in it or its subfolders"))
        #expect(
            emptyClass?.description
                == "\(root.appendingPathComponent("empty").path): expected image files (.jpeg, .jpg, .png) in it or its subfolders, found none")

        // normalVersusOthers also needs images in every other folder; normalAnomalous ignores them.
        #expect(
            caughtError { try ImageFolderDataset(root: root, configuration: .init(layout: .normalVersusOthers(normal: ["normal"]))) }?
                .caseName == "noImages")
        let missingFolder = caughtError { try ImageFolderDataset(root: root, configuration: .init(layout: .normalAnomalous())) }
        #expect(missingFolder?.caseName == "missingFiles")
        #expect(missingFolder?.description.contains(root.appendingPathComponent("anomalous").path + "/") == true)
        let normalOnly = try ImageFolderDataset(root: root, configuration: .init(layout: .normalAnomalous(anomalous: [])))
        #expect(normalOnly.labels == [0])
    }

    @Test("invalid configurations are refused before any file is read")
    func invalidConfigurations() {
        let root = URL(fileURLWithPath: "/nonexistent")
        let configurations: [(ImageFolderConfiguration, String)] = [
            (.init(masks: .besideImages(pattern: "mask.png")), "the mask name pattern"),
            (.init(masks: .mirrored(root: root, pattern: "/abs/{name}.png")), "the mask name pattern"),
            (.init(layout: .normalAnomalous(normal: ["a"], anomalous: ["a"])), "the folder names"),
            (.init(layout: .normalVersusOthers(normal: [])), "the normal folders"),
            (.init(layout: .normalAnomalous(normal: ["a/b"])), "a folder name"),
            (.init(masks: .besideImages(pattern: "{name}.png"), maskRequirement: .anomalousImages), "maskRequirement"),
            (.init(imageExtensions: []), "imageExtensions"),
        ]
        for (configuration, parameter) in configurations {
            let error = caughtError { try ImageFolderDataset(root: root, configuration: configuration) }
            guard case let .invalidFolderConfiguration(name, _, _)? = error else {
                Issue.record("expected invalidFolderConfiguration for \(parameter), got \(String(describing: error))")
                continue
            }
            #expect(name == parameter)
        }
    }

    @Test(
        "the real Magnetic Tile Defect set: MT_Free normal, 392 defective, masks paired and of the image's size",
        .enabled(if: magneticTileDefectRoot != nil, "../shared/data/magnetic-tile-defect is not beside the repository"))
    func magneticTileDefect() throws {
        let root = try #require(magneticTileDefectRoot)
        let reference = try MagneticTileReference.load()
        let dataset = try ImageFolderDataset(root: root, configuration: .magneticTileDefect)

        #expect(dataset.count == reference.normalCount + reference.anomalousCount)
        #expect(dataset.labels.filter { $0 == 0 }.count == reference.normalCount)
        #expect(dataset.labels.filter { $0 == 1 }.count == reference.anomalousCount)
        #expect(reference.normalCount == 952 && reference.anomalousCount == 392)
        #expect(dataset.folderNames == reference.folders.map(\.name))
        for (index, folder) in reference.folders.enumerated() {
            #expect(dataset.folderIndices.filter { $0 == index }.count == folder.count, "\(folder.name)")
        }
        #expect(dataset.classNames == ["normal", "anomalous"])
        #expect(
            zip(dataset.labels, dataset.folderIndices).allSatisfy { label, folder in
                (dataset.folderNames[folder] == reference.normalFolder) == (label == 0)
            })

        // Every image is a JPEG paired with the PNG of the same name and size (headers only).
        #expect(reference.sizeMismatches == 0)
        var mismatches: [String] = []
        for (image, mask) in zip(dataset.imageFiles, dataset.maskFiles) {
            #expect(image.pathExtension == "jpg")
            guard let mask else {
                mismatches.append("\(image.path): no mask")
                continue
            }
            #expect(mask.path == image.deletingPathExtension().path + ".png")
            let (imageSize, maskSize) = (try headerSize(of: image), try headerSize(of: mask))
            if imageSize != maskSize { mismatches.append("\(image.path): \(imageSize) vs \(maskSize)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")

        // A handful of decodes against PIL's.
        for probe in reference.probes {
            let sample = try dataset.sample(at: probe.index)
            #expect(sample.name == root.standardizedFileURL.appendingPathComponent(probe.path).path)
            #expect(sample.label == probe.label)
            #expect(sample.image.shape == [1, probe.height, probe.width])
            let pixelSum = pixelBytes(sample.image).reduce(0) { $0 + Int($1) }
            #expect(pixelSum == probe.pixelSum, "\(probe.path)")
            let mask = try #require(sample.mask)
            #expect(mask.shape == [1, probe.height, probe.width])
            #expect(mask.scalars.allSatisfy { $0 == 0 || $0 == 1 }, "\(probe.path): mask not binary")
            #expect(Int(mask.elementSum) == probe.maskAnomalousPixels, "\(probe.path)")
        }
    }
}
