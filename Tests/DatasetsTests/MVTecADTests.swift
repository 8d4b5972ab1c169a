import Datasets
import Foundation
import TensorCore
import Testing

/// Writers of small synthetic image trees for the folder dataset tests.
enum SyntheticImages {
    /// Writes a `width × height` PNG of `channels` channels to `url` (creating its folder)
    /// whose samples follow `value(x, y, channel)`, and returns the image.
    @discardableResult
    static func writePNG(
        _ url: URL, width: Int, height: Int, channels: Int = 1,
        value: (Int, Int, Int) -> Float = { x, y, c in Float((x * 7 + y * 13 + c * 29) % 256) / 255 }
    ) throws -> Image {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var pixels: [Float] = []
        pixels.reserveCapacity(width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { pixels.append(value(x, y, c)) }
            }
        }
        let image = try Image(width: width, height: height, channels: channels, pixels: pixels)
        try image.writePNG(to: url)
        return image
    }

    /// A grey `width × height` mask PNG at `url`: 1 (255) inside `box` (x range, y range), 0
    /// elsewhere, except `corner` (such as a grey value between 0 and 1) at pixel (0, 0)
    /// when given.
    static func writeMask(_ url: URL, width: Int, height: Int, box: (Range<Int>, Range<Int>), corner: Float? = nil) throws {
        try writePNG(url, width: width, height: height) { x, y, _ in
            if x == 0 && y == 0, let corner { return corner }
            return box.0.contains(x) && box.1.contains(y) ? 1 : 0
        }
    }

    /// Creates an empty folder at `url`.
    static func makeFolder(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
}

extension Tensor {
    /// The sum of the elements.
    var elementSum: Double { scalars.reduce(0) { $0 + Double($1) } }
}

@Suite("MVTec-AD folders")
struct MVTecADTests {
    /// Image size of the synthetic category: non-square.
    static let width = 6, height = 4

    /// A synthetic `bottle` category: 3 training images, test images `good` ×2,
    /// `broken` ×2, `crack` ×1, masks for the defective ones (with one grey pixel of 0.4 or
    /// 0.6 at (0, 0) to check binarisation). Returns the root.
    static func makeTree(in directory: URL, channels: Int = 3) throws -> URL {
        let root = directory.appendingPathComponent("mvtec")
        let bottle = root.appendingPathComponent("bottle")
        for name in ["002", "000", "001"] {
            try SyntheticImages.writePNG(bottle.appendingPathComponent("train/good/\(name).png"), width: width, height: height, channels: channels)
        }
        for path in ["test/good/001", "test/good/000", "test/broken/001", "test/broken/000", "test/crack/000"] {
            try SyntheticImages.writePNG(bottle.appendingPathComponent(path + ".png"), width: width, height: height, channels: channels)
        }
        let truth = bottle.appendingPathComponent("ground_truth")
        try SyntheticImages.writeMask(truth.appendingPathComponent("broken/000_mask.png"), width: width, height: height, box: (1..<3, 1..<2), corner: 0.4)
        try SyntheticImages.writeMask(truth.appendingPathComponent("broken/001_mask.png"), width: width, height: height, box: (0..<6, 3..<4), corner: 0.6)
        try SyntheticImages.writeMask(truth.appendingPathComponent("crack/000_mask.png"), width: width, height: height, box: (5..<6, 0..<4))
        return root
    }

    @Test("the 15 standard categories, in FCDD's class order")
    func categories() {
        #expect(MVTecAD.categories.count == 15)
        #expect(Set(MVTecAD.categories).count == 15)
        #expect(MVTecAD.categories.first == "bottle" && MVTecAD.categories.last == "zipper")
        #expect(MVTecAD.categories == MVTecAD.categories.sorted())
    }

    @Test("train lists train/good sorted by path: all good, with all-zero masks")
    func trainSplit() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory)
        let train = try MVTecAD(root: root, category: "bottle", split: .train)
        #expect(train.count == 3)
        #expect(train.imageFiles.map(\.lastPathComponent) == ["000.png", "001.png", "002.png"])
        #expect(train.labels == [0, 0, 0])
        #expect(train.classNames == ["good", "defective"])
        #expect(train.defectNames == ["good"])
        #expect(train.maskFiles.allSatisfy { $0 == nil })
        #expect(train.sourceFiles == train.imageFiles)
        for index in 0..<train.count {
            let sample = try train.sample(at: index)
            #expect(sample.image.shape == [3, Self.height, Self.width])
            #expect(sample.mask?.shape == [1, Self.height, Self.width])
            #expect(sample.mask?.elementSum == 0)
            #expect(sample.label == 0)
            #expect(sample.name == train.imageFiles[index].path)
            #expect(train.defectType(at: index) == "good")
        }
        #expect(caughtError { try train.sample(at: 3) } == .sampleIndexOutOfRange(dataset: "MVTec-AD bottle/train", index: 3, count: 3))
    }

    @Test("test lists every defect folder sorted by path, labels good 0 and defects 1, pairs binarised masks")
    func testSplit() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory)
        let test = try MVTecAD(root: root, category: "bottle", split: .test)
        #expect(test.count == 5)
        let relative = test.imageFiles.map { $0.pathComponents.suffix(2).joined(separator: "/") }
        #expect(relative == ["broken/000.png", "broken/001.png", "crack/000.png", "good/000.png", "good/001.png"])
        #expect(test.labels == [1, 1, 1, 0, 0])
        #expect(test.defectNames == ["good", "broken", "crack"])
        #expect((0..<5).map(test.defectType(at:)) == ["broken", "broken", "crack", "good", "good"])
        #expect(test.defectIndices == [1, 1, 2, 0, 0])
        #expect(test.maskFiles.map { $0?.lastPathComponent } == ["000_mask.png", "001_mask.png", "000_mask.png", nil, nil])
        #expect(test.maskFiles[2]?.path == root.appendingPathComponent("bottle/ground_truth/crack/000_mask.png").standardizedFileURL.path)
        #expect(test.sourceFiles.count == 8)

        // Mask sums: the box, plus the corner where it is above 0.5.
        let expectedMaskSums: [Double] = [2, 6 + 1, 4, 0, 0]
        for index in 0..<test.count {
            let sample = try test.sample(at: index)
            let mask = try #require(sample.mask)
            #expect(mask.shape == [1, Self.height, Self.width])
            #expect(mask.scalars.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(mask.elementSum == expectedMaskSums[index], "sample \(index)")
            #expect(sample.label == test.labels[index])
        }
        // The crack mask is the last column.
        let crack = try #require(try test.sample(at: 2).mask).scalars
        #expect((0..<Self.height).allSatisfy { crack[$0 * Self.width + 5] == 1 })
    }

    @Test("the image decodes as written; channels convert grey categories to RGB")
    func imagesAndChannels() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory, channels: 1)
        let file = root.appendingPathComponent("bottle/train/good/000.png")
        let written = try Image(contentsOf: file)

        let grey = try MVTecAD(root: root, category: "bottle", split: .train).sample(at: 0)
        #expect(grey.image.shape == [1, Self.height, Self.width])
        #expect(grey.image.scalars == written.tensor().scalars)

        let rgb = try MVTecAD(root: root, category: "bottle", split: .train, channels: .rgb).sample(at: 0)
        #expect(rgb.image.shape == [3, Self.height, Self.width])
        let plane = Self.height * Self.width
        #expect(Array(rgb.image.scalars[(2 * plane)...]) == written.tensor().scalars)
    }

    @Test("a missing category names the folders looked for and how to obtain MVTec-AD")
    func missingCategory() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory).standardizedFileURL
        let error = try #require(caughtError { try MVTecAD(root: root, category: "cable", split: .train) })
        let trainFolder = root.appendingPathComponent("cable/train/good").path
        #expect(
            error
                == .missingFiles(
                    directory: root.appendingPathComponent("cable").path, expected: [trainFolder + "/*.png"], howToObtain: MVTecAD.howToObtain))
        #expect(error.description.contains(trainFolder))
        #expect(error.description.contains("https://www.mvtec.com/company/research/datasets/mvtec-ad"))
        #expect(error.description.contains("CC BY-NC-SA 4.0"))

        let testError = try #require(caughtError { try MVTecAD(root: root, category: "cable", split: .test) })
        #expect(testError.description.contains(root.appendingPathComponent("cable/test").path + "/<defect>/*.png"))
        #expect(testError.description.contains(root.appendingPathComponent("cable/ground_truth").path + "/<defect>/<name>_mask.png"))

        // A name that is no MVTec-AD category says so and lists the categories.
        let unknown = try #require(caughtError { try MVTecAD(root: root, category: "bottel", split: .test) })
        #expect(unknown.caseName == "missingFiles")
        #expect(unknown.description.contains("\"bottel\" is not an MVTec-AD category"))
        #expect(unknown.description.contains("bottle, cable, capsule"))

        // No root at all.
        let nowhere = directory.appendingPathComponent("no-such-root")
        #expect(caughtError { try MVTecAD(root: nowhere, category: "bottle", split: .train) }?.caseName == "missingFiles")
    }

    @Test("a defective image without its mask is an error naming the expected mask path")
    func missingMask() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory).standardizedFileURL
        let mask = root.appendingPathComponent("bottle/ground_truth/broken/001_mask.png")
        try FileManager.default.removeItem(at: mask)
        let error = caughtError { try MVTecAD(root: root, category: "bottle", split: .test) }
        #expect(
            error
                == .missingMask(
                    image: root.appendingPathComponent("bottle/test/broken/001.png").path, expectedMask: mask.path, alsoMissing: 0))
        #expect(error?.description.contains(mask.path) == true)
        // The training split needs no masks.
        #expect(try MVTecAD(root: root, category: "bottle", split: .train).count == 3)

        // Without the whole ground_truth folder, all three are counted.
        try FileManager.default.removeItem(at: root.appendingPathComponent("bottle/ground_truth"))
        let all = caughtError { try MVTecAD(root: root, category: "bottle", split: .test) }
        #expect(
            all
                == .missingMask(
                    image: root.appendingPathComponent("bottle/test/broken/000.png").path,
                    expectedMask: root.appendingPathComponent("bottle/ground_truth/broken/000_mask.png").path, alsoMissing: 2))
        #expect(all?.description.contains("2 other images lack their masks too") == true)
    }

    @Test("a mask whose size differs from its image's is an error when the sample is read")
    func maskSizeMismatch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory).standardizedFileURL
        let mask = root.appendingPathComponent("bottle/ground_truth/crack/000_mask.png")
        try SyntheticImages.writeMask(mask, width: Self.height, height: Self.width, box: (0..<1, 0..<1))
        let test = try MVTecAD(root: root, category: "bottle", split: .test)
        let error = caughtError { try test.sample(at: 2) }
        let image = root.appendingPathComponent("bottle/test/crack/000.png").path
        #expect(error == .maskSizeMismatch(image: image, imageSize: [Self.height, Self.width], mask: mask.path, maskSize: [Self.width, Self.height]))
        #expect(error?.description == "\(mask.path): expected a mask of its image's size 4 × 6 (height × width, \(image)), found 6 × 4")
        #expect(try test.sample(at: 1).mask != nil)
    }

    @Test("empty folders of a split are errors naming the folder")
    func emptyFolders() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.makeTree(in: directory).standardizedFileURL
        let good = root.appendingPathComponent("carpet/train/good")
        try SyntheticImages.makeFolder(good)
        try Data("not an image".utf8).write(to: good.appendingPathComponent("notes.txt"))
        let error = caughtError { try MVTecAD(root: root, category: "carpet", split: .train) }
        #expect(error?.caseName == "noImages")
        #expect(error?.description.hasPrefix(good.path + ": expected the PNG images") == true)

        try SyntheticImages.makeFolder(root.appendingPathComponent("carpet/test"))
        let test = caughtError { try MVTecAD(root: root, category: "carpet", split: .test) }
        #expect(
            test
                == .noImages(
                    directory: root.appendingPathComponent("carpet/test").path,
                    expected: "one folder per defect type (good included) holding PNG images"))
    }
}
