import Datasets
import Foundation
import Testing

/// A local HTTP server for download tests: Python's `http.server` serving a temporary
/// directory on 127.0.0.1 (a free port), logging each GET request's path to a file.
///
/// The server exits when its standard input closes: ``stop()`` closes it, and so does the
/// end of the test process, however it ends. (Signals are no way to stop it: the child
/// inherits the test process's blocked signals, so `SIGTERM` would wait forever.)
final class DownloadTestServer {
    /// The first executable `python3` on `PATH`, or `nil` (the download tests are skipped).
    static let python3: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "")
        .split(separator: ":")
        .map { "\($0)/python3" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private static let script = """
        import http.server, os, sys, threading
        directory, log = sys.argv[1], sys.argv[2]
        def exit_when_stdin_closes():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=directory, **kwargs)
            def do_GET(self):
                with open(log, "a") as f:
                    f.write(self.path + "\\n")
                super().do_GET()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    let root: URL
    let served: URL
    let port: Int
    private let log: URL
    private let process: Process
    private let input: Pipe

    /// Starts a server on a new temporary directory (`served`, inside `root`).
    init() throws {
        let python = try #require(Self.python3)
        root = try makeTemporaryDirectory()
        served = root.appendingPathComponent("served", isDirectory: true)
        log = root.appendingPathComponent("requests.log")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try Data().write(to: log)

        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", "-c", Self.script, served.path, log.path]
        let output = Pipe()
        input = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(text) else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: root)
            throw ServerError(message: "python3 http.server did not report a port (printed \"\(text)\")")
        }
        self.port = port
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The URL of a served file.
    func url(_ name: String) throws -> URL {
        try #require(URL(string: "http://127.0.0.1:\(port)/\(name)"))
    }

    /// The paths requested so far, in order.
    var requests: [String] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Stops the server (by closing its standard input) and removes its directories.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }
}

/// The ``DatasetError`` an async body throws, or `nil` when it returns.
private func caughtAsyncError<T>(_ body: () async throws(DatasetError) -> T) async -> DatasetError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// Every entry of a directory, hidden ones included (none when it does not exist).
private func entries(of directory: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
}

@Suite("Verified downloads")
struct DatasetDownloadTests {
    private static let payload: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }

    @Test(
        "download, verify, cache; a second call makes no request",
        .enabled(if: DownloadTestServer.python3 != nil, "python3 is not on PATH: no local HTTP server for download tests"))
    func downloadThenCache() async throws {
        let server = try DownloadTestServer()
        defer { server.stop() }
        try Data(Self.payload).write(to: server.served.appendingPathComponent("data.bin"))
        let checksum = Datasets.SHA256.hexDigest(of: Self.payload)
        let cache = server.root.appendingPathComponent("cache/nested", isDirectory: true)

        let first = try await DatasetDownload.fetch(try server.url("data.bin"), sha256: checksum.uppercased(), into: cache)
        #expect(first == cache.appendingPathComponent("data.bin"))
        #expect(try Data(contentsOf: first) == Data(Self.payload))
        #expect(entries(of: cache) == ["data.bin"])
        #expect(server.requests == ["/data.bin"])

        // Cached: no request, even when the server no longer has the file.
        try FileManager.default.removeItem(at: server.served.appendingPathComponent("data.bin"))
        let second = try await DatasetDownload.fetch(try server.url("data.bin"), sha256: checksum, into: cache)
        #expect(second == first)
        #expect(server.requests == ["/data.bin"])
    }

    @Test(
        "a damaged cached file is downloaded again and replaced",
        .enabled(if: DownloadTestServer.python3 != nil, "python3 is not on PATH: no local HTTP server for download tests"))
    func damagedCacheIsReplaced() async throws {
        let server = try DownloadTestServer()
        defer { server.stop() }
        try Data(Self.payload).write(to: server.served.appendingPathComponent("data.bin"))
        let cache = server.root.appendingPathComponent("cache", isDirectory: true)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try Data("half a file".utf8).write(to: cache.appendingPathComponent("data.bin"))

        let url = try await DatasetDownload.fetch(
            try server.url("data.bin"), sha256: Datasets.SHA256.hexDigest(of: Self.payload), into: cache)
        #expect(try Data(contentsOf: url) == Data(Self.payload))
        #expect(server.requests == ["/data.bin"])
        #expect(entries(of: cache) == ["data.bin"])
    }

    @Test(
        "a checksum mismatch names expected and found, and leaves no file in the cache",
        .enabled(if: DownloadTestServer.python3 != nil, "python3 is not on PATH: no local HTTP server for download tests"))
    func checksumMismatch() async throws {
        let server = try DownloadTestServer()
        defer { server.stop() }
        try Data(Self.payload).write(to: server.served.appendingPathComponent("data.bin"))
        let cache = server.root.appendingPathComponent("cache", isDirectory: true)
        let wrong = Datasets.SHA256.hexDigest(of: Data("something else".utf8))
        let url = try server.url("data.bin")

        let error = await caughtAsyncError { () async throws(DatasetError) in
            try await DatasetDownload.fetch(url, sha256: wrong, into: cache)
        }
        #expect(
            error
                == .checksumMismatch(
                    file: url.absoluteString, expected: wrong, found: Datasets.SHA256.hexDigest(of: Self.payload)))
        #expect(error?.description.contains("expected SHA-256 \(wrong)") == true)
        #expect(entries(of: cache).isEmpty)
        #expect(server.requests == ["/data.bin"])
    }

    @Test(
        "HTTP 404 is a typed error and leaves no file",
        .enabled(if: DownloadTestServer.python3 != nil, "python3 is not on PATH: no local HTTP server for download tests"))
    func notFound() async throws {
        let server = try DownloadTestServer()
        defer { server.stop() }
        let cache = server.root.appendingPathComponent("cache", isDirectory: true)
        let url = try server.url("missing.bin")
        let checksum = String(repeating: "0", count: 64)
        let error = await caughtAsyncError { () async throws(DatasetError) in
            try await DatasetDownload.fetch(url, sha256: checksum, into: cache)
        }
        #expect(error == .httpStatus(url: url.absoluteString, statusCode: 404))
        #expect(entries(of: cache).isEmpty)
        #expect(server.requests == ["/missing.bin"])
    }

    @Test("a malformed checksum is rejected before any request; no server is a download failure")
    func malformedChecksumAndNoServer() async throws {
        let cache = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let url = try #require(URL(string: "http://127.0.0.1:1/data.bin"))
        for checksum in ["abc", String(repeating: "g", count: 64), String(repeating: "0", count: 65)] {
            let error = await caughtAsyncError { () async throws(DatasetError) in
                try await DatasetDownload.fetch(url, sha256: checksum, into: cache)
            }
            #expect(error == .malformedChecksum(url: url.absoluteString, checksum: checksum))
        }
        // Port 1 on the loopback interface: nothing listens, the connection is refused.
        let refused = await caughtAsyncError { () async throws(DatasetError) in
            try await DatasetDownload.fetch(url, sha256: String(repeating: "a", count: 64), into: cache)
        }
        #expect(refused?.caseName == "downloadFailed")
        #expect(entries(of: cache).isEmpty)
    }

    @Test("the built-in archives carry well-formed checksums and official URLs")
    func builtInArchives() {
        let all = DatasetArchive.fashionMNIST + DatasetArchive.mnist + [DatasetArchive.cifar10Binary, DatasetArchive.cifar100Binary]
        #expect(all.count == 10)
        for archive in all {
            #expect(archive.sha256.count == 64 && archive.sha256.allSatisfy { "0123456789abcdef".contains($0) }, "\(archive.url)")
            #expect(archive.byteCount > 0)
        }
        #expect(DatasetArchive.cifar10Binary.fileName == "cifar-10-binary.tar.gz")
        #expect(DatasetArchive.mnistTestLabels.url.absoluteString == "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz")
        #expect(
            Set(DatasetArchive.fashionMNIST.map(\.fileName)) == [
                "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
            ])
    }

    @Test(
        "the Fashion-MNIST and MNIST checksums match the upstream-identical copies in ../shared/data",
        .enabled(if: CIFARTests.sharedData != nil, "../shared/data is not beside the repository"))
    func builtInChecksumsMatchSharedCopies() throws {
        let data = try #require(CIFARTests.sharedData)
        for (folder, archives) in [("fashion-mnist", DatasetArchive.fashionMNIST), ("mnist", DatasetArchive.mnist)] {
            for archive in archives {
                let file = data.appendingPathComponent(folder).appendingPathComponent(archive.fileName)
                #expect(try Datasets.SHA256.hexDigest(ofFileAt: file) == archive.sha256, "\(folder)/\(archive.fileName)")
                let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int
                #expect(size == archive.byteCount, "\(folder)/\(archive.fileName)")
            }
        }
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180-4 / NIST example vectors")
    func nistVectors() {
        #expect(Datasets.SHA256.hexDigest(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Datasets.SHA256.hexDigest(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Datasets.SHA256.hexDigest(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Datasets.SHA256.hexDigest(of: million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(Datasets.SHA256.digest(of: Data("abc".utf8)).count == 32)
    }

    @Test("incremental updates in any chunking equal the one-shot digest, at every padding boundary")
    func incrementalMatchesOneShot() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 300] {
            let prefix = Array(message.prefix(length))
            let expected = Datasets.SHA256.hexDigest(of: prefix)  // one shot; the known answers above anchor it
            #expect(Datasets.SHA256.hexDigest(of: prefix) == expected, "length \(length)")
            for chunk in [1, 3, 63, 64, 100] {
                var hasher = Datasets.SHA256()
                var start = 0
                while start < length {
                    hasher.update(Array(prefix[start..<min(length, start + chunk)]))
                    start += chunk
                }
                #expect(hasher.hexDigest() == expected, "length \(length) in chunks of \(chunk)")
            }
        }
        var hasher = Datasets.SHA256()
        hasher.update(Data("ab".utf8))
        #expect(hasher.hexDigest() == "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603")
        hasher.update(Data("c".utf8))  // digest() leaves the hasher usable
        #expect(hasher.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("a file's digest, read in chunks")
    func fileDigest() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 >> 3) }
        let url = directory.appendingPathComponent("big.bin")
        try Data(bytes).write(to: url)
        #expect(try Datasets.SHA256.hexDigest(ofFileAt: url) == Datasets.SHA256.hexDigest(of: bytes))
        #expect(caughtError { try Datasets.SHA256.hexDigest(ofFileAt: directory.appendingPathComponent("none")) }?.caseName == "missingFiles")
    }
}
