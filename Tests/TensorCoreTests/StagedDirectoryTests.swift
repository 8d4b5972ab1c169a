import Foundation
import TensorCore
import Testing

@Suite("Staged output folders")
struct StagedDirectoryTests {
    private func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)")
    }

    private func contents(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test("files appear in the destination only when published, replacing older ones")
    func publish() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(Data("old".utf8), to: folder.appendingPathComponent("metrics.json"))
        let outputs = try StagedDirectory(publishingTo: folder)
        try AtomicFile.write(Data("new".utf8), to: outputs.url(for: "metrics.json"))
        try AtomicFile.write(Data("model".utf8), to: outputs.url(for: "model.bin"))
        #expect(try String(contentsOf: folder.appendingPathComponent("metrics.json"), encoding: .utf8) == "old")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.bin").path))
        try outputs.publish()
        #expect(contents(folder) == ["metrics.json", "model.bin"])
        #expect(try String(contentsOf: folder.appendingPathComponent("metrics.json"), encoding: .utf8) == "new")
    }

    @Test("nested files publish into folders, which replace the folders a previous run left")
    func nested() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (run, names) in [(1, ["a/x.txt", "a/b/y.txt"]), (2, ["a/x.txt", "a/b/z.txt", "c/w.txt"])] {
            let outputs = try StagedDirectory(publishingTo: folder)
            for name in names { try AtomicFile.write(Data("\(run)".utf8), to: outputs.url(forNestedFile: name)) }
            try outputs.publish()
        }
        #expect(contents(folder) == ["a", "c"])
        #expect(contents(folder.appendingPathComponent("a")) == ["b", "x.txt"])
        #expect(contents(folder.appendingPathComponent("a/b")) == ["z.txt"], "the first run's y.txt went with its folder")
        #expect(try String(contentsOf: folder.appendingPathComponent("a/x.txt"), encoding: .utf8) == "2")
        let outputs = try StagedDirectory(publishingTo: folder)
        for bad in ["", "/etc/x", "a/../../x", "a//x", "./x"] {
            #expect(throws: AtomicFileError.self, "\(bad)") { try outputs.url(forNestedFile: bad) }
        }
        outputs.discard()
    }

    @Test("a staged folder replaces an earlier folder of its name whole")
    func publishFolder() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let earlier = folder.appendingPathComponent("report", isDirectory: true)
        try FileManager.default.createDirectory(at: earlier, withIntermediateDirectories: true)
        try AtomicFile.write(Data("old".utf8), to: earlier.appendingPathComponent("stale.png"))
        try AtomicFile.write(Data("old".utf8), to: earlier.appendingPathComponent("kept-name.png"))
        let outputs = try StagedDirectory(publishingTo: folder)
        try FileManager.default.createDirectory(at: outputs.url(for: "report"), withIntermediateDirectories: true)
        try AtomicFile.write(Data("new".utf8), to: outputs.url(for: "report").appendingPathComponent("kept-name.png"))
        try outputs.publish()
        #expect(contents(folder) == ["report"])
        #expect(contents(earlier) == ["kept-name.png"], "nothing of the earlier folder is left beside the new files")
        #expect(try String(contentsOf: earlier.appendingPathComponent("kept-name.png"), encoding: .utf8) == "new")
    }

    @Test("outputs abandoned before publishing leave the destination as it was")
    func abandon() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let outputs = try StagedDirectory(publishingTo: folder)
            try AtomicFile.write(Data("half".utf8), to: outputs.url(for: "metrics.json"))
        }
        #expect(contents(folder).isEmpty, "the staging folder goes with the abandoned outputs")
    }

    @Test("leftovers of killed runs are removed when old; fresh ones are kept")
    func leftovers() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".staging-dead"), withIntermediateDirectories: true)
        for name in [".model.safetensors.tmp-1f", ".fresh.json.tmp-2e", "keep.txt"] {
            try Data("x".utf8).write(to: folder.appendingPathComponent(name))
        }
        let old = Date().addingTimeInterval(-7200)
        for name in [".staging-dead", ".model.safetensors.tmp-1f", "keep.txt"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: folder.appendingPathComponent(name).path)
        }
        let outputs = try StagedDirectory(publishingTo: folder)
        #expect(contents(folder).filter { !$0.hasPrefix(".staging-") } == [".fresh.json.tmp-2e", "keep.txt"])
        #expect(contents(folder).filter { $0.hasPrefix(".staging-") } == [outputs.staging.lastPathComponent])
        outputs.discard()
    }

    @Test("an output path that is a file, or cannot be created, is an error before any work")
    func badDestination() throws {
        let file = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("x".utf8).write(to: file)
        #expect {
            _ = try StagedDirectory(publishingTo: file)
        } throws: { error in
            "\(error)".contains("a file of that name exists") && "\(error)".contains(file.path)
        }
        #expect(throws: AtomicFileError.self) { _ = try StagedDirectory(publishingTo: file.appendingPathComponent("inside")) }
    }
}
