import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Downloading dataset files into a cache directory, verified against a published SHA-256.
///
/// ```swift
/// let archive = try await DatasetDownload.fetch(DatasetArchive.cifar10Binary, into: cache)
/// // cache/cifar-10-binary.tar.gz, verified; a second call returns it without a request
/// ```
///
/// A file in the cache is always complete and verified: the download goes to a temporary
/// file, is moved into a hidden file in the cache directory (`.<name>.partial-<hex>`), is
/// checked there, and only then renamed onto its final name with `rename(2)`, which is
/// atomic. A failed or mismatching download leaves nothing behind.
public enum DatasetDownload {
    /// The file `url` names, from the cache when it is there and verified, downloaded
    /// otherwise.
    ///
    /// The cached file is `cacheDirectory/<last path component of url>`. When it exists and
    /// its SHA-256 is `sha256`, it is returned without any request. When it exists but its
    /// checksum differs (damaged, or an older version), it is downloaded again and replaced.
    ///
    /// - Parameters:
    ///   - url: the file to download, `http` or `https` (URLSession on Linux does not download `file` URLs).
    ///   - sha256: its expected SHA-256, 64 hexadecimal digits (either case).
    ///   - cacheDirectory: where files are kept; created, with its parents, when missing.
    /// - Returns: the cached file's URL.
    /// - Throws: ``DatasetError/malformedChecksum(url:checksum:)`` when `sha256` is not 64
    ///   hexadecimal digits; ``DatasetError/httpStatus(url:statusCode:)`` for an answer
    ///   other than 2xx (such as 404); ``DatasetError/downloadFailed(url:reason:)`` when no
    ///   complete answer arrives; ``DatasetError/checksumMismatch(file:expected:found:)``
    ///   when the downloaded file's SHA-256 differs (nothing is then left in the cache); and
    ///   ``DatasetError/fileOperationFailed(file:operation:reason:)`` when the cache cannot be
    ///   created, written or read.
    public static func fetch(_ url: URL, sha256: String, into cacheDirectory: URL) async throws(DatasetError) -> URL {
        let expected = sha256.lowercased()
        guard expected.utf8.count == 64, expected.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw .malformedChecksum(url: url.absoluteString, checksum: sha256)
        }
        let name = url.lastPathComponent
        guard !name.isEmpty, name != "/", name != ".", name != ".." else {
            throw .downloadFailed(url: url.absoluteString, reason: "the URL does not end in a file name to cache the file under")
        }
        let destination = cacheDirectory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: destination.path),
            try SHA256.hexDigest(ofFileAt: destination) == expected
        {
            return destination
        }
        do {
            try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw .fileOperationFailed(file: cacheDirectory.path, operation: "create the cache directory", reason: error.localizedDescription)
        }

        let downloaded = try await download(url)
        let partial = cacheDirectory.appendingPathComponent(".\(name).partial-\(String(UInt64.random(in: .min ... .max), radix: 16))")
        do {
            try FileManager.default.moveItem(at: downloaded, to: partial)
        } catch {
            try? FileManager.default.removeItem(at: downloaded)
            throw .fileOperationFailed(
                file: partial.path, operation: "move the download \(downloaded.path) into the cache", reason: error.localizedDescription)
        }
        let found: String
        do {
            found = try SHA256.hexDigest(ofFileAt: partial)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        guard found == expected else {
            try? FileManager.default.removeItem(at: partial)
            throw .checksumMismatch(file: url.absoluteString, expected: expected, found: found)
        }
        guard rename(partial.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: partial)
            throw .fileOperationFailed(file: destination.path, operation: "rename \(partial.path) onto it", reason: reason)
        }
        return destination
    }

    /// ``fetch(_:sha256:into:)`` for a file whose URL and checksum are known, such as
    /// ``DatasetArchive/cifar10Binary``.
    public static func fetch(_ archive: DatasetArchive, into cacheDirectory: URL) async throws(DatasetError) -> URL {
        try await fetch(archive.url, sha256: archive.sha256, into: cacheDirectory)
    }

    /// Downloads `url` into a temporary file, checking the HTTP status.
    private static func download(_ url: URL) async throws(DatasetError) -> URL {
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let temporary: URL
        let response: URLResponse
        do {
            (temporary, response) = try await session.download(for: URLRequest(url: url))
        } catch {
            throw .downloadFailed(url: url.absoluteString, reason: error.localizedDescription)
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            try? FileManager.default.removeItem(at: temporary)
            throw .httpStatus(url: url.absoluteString, statusCode: http.statusCode)
        }
        return temporary
    }
}
