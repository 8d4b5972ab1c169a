import Datasets
import Foundation
import Testing

/// Expanding the files and folders a user names into image inputs: recursion, order, hidden
/// files, extensions, link loops and unique output names that mirror the tree.
@Suite("Image inputs from files and folders")
struct ImageInputTests {
    /// Writes an empty file at `path` under `root`, making its folders.
    private func touch(_ path: String, in root: URL) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data().write(to: url)
    }

    @Test("folders give their images recursively and sorted; names clash nowhere; files are taken as given")
    func expand() throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        for path in [
            "photos/b/x.png", "photos/a/x.png", "photos/x.png", "photos/x.JPG", "photos/deep/er/z.jpeg", "photos/notes.txt",
            "photos/.hidden/y.png", "photos/.y.png", "other/photos/x.png", "single/x.png", "single/readme.txt",
        ] {
            try touch(path, in: base)
        }
        // A link back to the folder itself: followed once, not forever.
        try FileManager.default.createSymbolicLink(
            at: base.appendingPathComponent("photos/loop"), withDestinationURL: base.appendingPathComponent("photos"))
        let roots = ["photos", "other/photos", "single/x.png", "single/readme.txt"].map { base.appendingPathComponent($0) }
        let inputs = try ImageInput.expand(roots)
        #expect(inputs.map(\.relativePath) == ["a/x.png", "b/x.png", "deep/er/z.jpeg", "x.JPG", "x.png", "x.png", "x.png", "readme.txt"])
        #expect(
            inputs.map(\.outputStem) == [
                "photos/a/x", "photos/b/x", "photos/deep/er/z", "photos/x", "photos/x-2", "photos-2/x", "x", "readme",
            ])
        #expect(
            inputs.map(\.path)
                == [
                    "photos/a/x.png", "photos/b/x.png", "photos/deep/er/z.jpeg", "photos/x.JPG", "photos/x.png", "other/photos/x.png",
                    "single/x.png", "single/readme.txt",
                ].map { base.path + "/" + $0 })
        #expect(inputs.map(\.root) == [roots[0], roots[0], roots[0], roots[0], roots[0], roots[1], roots[2], roots[3]])
        #expect(inputs[1].url.standardizedFileURL == base.appendingPathComponent("photos/b/x.png").standardizedFileURL)
        // Output names are unique even where the file system ignores case.
        #expect(Set(inputs.map { $0.outputStem.lowercased() }).count == inputs.count)
        // The same tree gives the same list.
        #expect(try ImageInput.expand(roots) == inputs)
        // Paths are shown as given.
        let relative = URL(fileURLWithPath: "photos/b", relativeTo: base)
        #expect(try ImageInput.expand([relative]).map(\.path) == ["photos/b/x.png"])
    }

    @Test("missing paths are listed together; no image at all is an error")
    func refusals() throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        try touch("empty/notes.txt", in: base)
        let missing = caughtError { try ImageInput.expand(["nope.png", "empty", "gone"].map { base.appendingPathComponent($0) }) }
        guard case let .missingFiles(_, expected, _)? = missing else {
            Issue.record("expected missingFiles, found \(String(describing: missing))")
            return
        }
        #expect(expected == ["nope.png", "gone"].map { base.appendingPathComponent($0).path })
        #expect(caughtError { try ImageInput.expand([base.appendingPathComponent("empty")]) }?.caseName == "noImages")
    }
}
