import Datasets
import Foundation
import TensorCore
import Testing

@Suite("Image files as a data set")
struct ImageFileDatasetTests {
    /// `root/b/x.png` (grey 5×4), `root/a/deep/y.jpg`-named PNG (colour 3×6), `root/.hidden.png`
    /// and `root/notes.txt`.
    private func writeFolder() throws -> (root: URL, grey: Image, colour: Image) {
        let root = try makeTemporaryDirectory()
        let grey = try Image(width: 5, height: 4, channels: 1, pixels: (0..<20).map { Float($0) / 19 })
        let colour = try Image(width: 6, height: 3, channels: 3, pixels: (0..<54).map { Float(($0 * 7) % 54) / 53 })
        for folder in ["b", "a/deep"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try grey.writePNG(to: root.appendingPathComponent("b/x.png"), bitDepth: 16)
        try colour.writePNG(to: root.appendingPathComponent("a/deep/y.png"), bitDepth: 16)
        try grey.writePNG(to: root.appendingPathComponent(".hidden.png"), bitDepth: 8)
        try Data("not an image".utf8).write(to: root.appendingPathComponent("notes.txt"))
        return (root, grey, colour)
    }

    @Test("a folder gives its images recursively, sorted by path, with one channel mode, label 0 and the path as name")
    func folder() throws {
        let (root, _, _) = try writeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let grey = try Image(contentsOf: root.appendingPathComponent("b/x.png"))
        let colour = try Image(contentsOf: root.appendingPathComponent("a/deep/y.png"))
        let dataset = try ImageFileDataset(folders: [root], channels: .rgb)
        #expect(dataset.count == 2 && dataset.labels == [0, 0] && dataset.classNames == ["images"])
        #expect(dataset.imageFiles.map(\.lastPathComponent) == ["y.png", "x.png"])
        let first = try dataset.sample(at: 0), second = try dataset.sample(at: 1)
        #expect(first.image.shape == [3, 3, 6] && second.image.shape == [3, 4, 5])
        #expect(first.image.scalars == colour.tensor().scalars && first.label == 0 && first.mask == nil && first.name.hasSuffix("a/deep/y.png"))
        // The grey image repeated in R, G and B.
        #expect(second.image.scalars == grey.tensor().scalars + grey.tensor().scalars + grey.tensor().scalars)
        #expect(try ImageFileDataset(folders: [root], channels: .grey).sample(at: 0).image.shape == [1, 3, 6])
        #expect(caughtError { try dataset.sample(at: 2) }?.caseName == "sampleIndexOutOfRange")
    }

    @Test("no images, missing folders and unreadable files are typed errors")
    func errors() throws {
        let (root, _, _) = try writeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(caughtError { try ImageFileDataset(files: []) }?.caseName == "noImages")
        #expect(caughtError { try ImageFileDataset(folders: [root.appendingPathComponent("missing")]) }?.caseName == "missingFiles")
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(caughtError { try ImageFileDataset(folders: [empty]) }?.caseName == "noImages")
        let text = try ImageFileDataset(files: [root.appendingPathComponent("notes.txt")])
        #expect(caughtError { try text.sample(at: 0) }?.caseName == "notAnImage")
    }
}
