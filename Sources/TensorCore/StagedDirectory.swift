import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A set of output files published together: they are written into a hidden staging folder
/// inside the destination folder, and ``publish()`` moves them into place only when all are
/// written, so a failure in the middle leaves the destination's earlier files as they were,
/// never new files beside old ones.
///
/// Creating it creates the destination (so an unwritable or misnamed output is found before
/// any work; abandoned outputs take a destination they made with them) and removes leftovers
/// of runs that were killed there: staging folders and ``AtomicFile`` temporaries older than
/// `staleAfter`.
///
/// ```swift
/// let outputs = try StagedDirectory(publishingTo: runFolder)
/// try AtomicFile.write(metrics, to: outputs.url(for: "metrics.json"))
/// try model.save(to: outputs.url(for: "model.safetensors"))
/// try outputs.publish()
/// ```
public final class StagedDirectory {
    /// The folder the files are published to.
    public let destination: URL
    /// The hidden staging folder inside ``destination``.
    public let staging: URL
    private var published = false
    /// Whether this made the destination folder (removed again, if still empty, on discard).
    private let createdDestination: Bool

    /// Creates the destination folder if needed, removes stale leftovers in it, and creates
    /// a fresh staging folder.
    ///
    /// - Throws: ``AtomicFileError`` when the destination is a file, cannot be created, or
    ///   the staging folder cannot be made in it.
    public init(publishingTo destination: URL, staleAfter: TimeInterval = 3600) throws(AtomicFileError) {
        self.destination = destination
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw AtomicFileError(path: destination.path, operation: "create the output folder (a file of that name exists)", code: ENOTDIR)
        }
        createdDestination = !FileManager.default.fileExists(atPath: destination.path)
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(path: destination.path, operation: "create the output folder", code: Self.posixCode(of: error))
        }
        Self.removeLeftovers(in: destination, olderThan: staleAfter)
        staging = destination.appendingPathComponent(".staging-\(String(UInt64.random(in: .min ... .max), radix: 16))")
        guard mkdir(staging.path, 0o777) == 0 else {
            throw AtomicFileError(path: destination.path, operation: "create the staging folder \(staging.lastPathComponent)", code: errno)
        }
    }

    deinit {
        if !published { discard() }
    }

    /// Where to write the output file `name`; it appears in ``destination`` at ``publish()``.
    public func url(for name: String) -> URL {
        staging.appendingPathComponent(name)
    }

    /// Where to write the output file at `relativePath`, components separated by `/` (such as
    /// `good/a/x-heatmap.png`); its folders are made in the staging folder now and replace
    /// the destination's folders of the same names at ``publish()``.
    ///
    /// - Throws: ``AtomicFileError`` for a path that is empty, absolute or holds an empty,
    ///   `.` or `..` component, or when a folder cannot be made.
    public func url(forNestedFile relativePath: String) throws(AtomicFileError) -> URL {
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw AtomicFileError(path: relativePath, operation: "expected a relative path of named components inside the output folder", code: EINVAL)
        }
        let folder = components.dropLast().reduce(staging) { $0.appendingPathComponent($1, isDirectory: true) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(path: folder.path, operation: "create the staged folder", code: Self.posixCode(of: error))
        }
        return folder.appendingPathComponent(components[components.count - 1])
    }

    /// Moves every staged file and folder into ``destination`` (replacing files of the same
    /// name; a staged folder replaces a folder of its name whole, the old one being moved
    /// aside and removed), flushes the folder and removes the staging folder.
    ///
    /// - Throws: ``AtomicFileError`` when a move fails; the files not yet moved stay staged
    ///   and are discarded with the staging folder.
    public func publish() throws(AtomicFileError) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") {
            let target = destination.appendingPathComponent(name).path
            if isDirectory(staging.appendingPathComponent(name).path), isDirectory(target) {
                // rename(2) replaces only an empty folder: move the old one into the staging
                // folder, which is removed at the end.
                guard rename(target, staging.appendingPathComponent(".replaced-\(name)").path) == 0 else {
                    let code = errno
                    discard()
                    throw AtomicFileError(path: target, operation: "move the earlier folder aside", code: code)
                }
            }
            guard rename(staging.appendingPathComponent(name).path, target) == 0 else {
                let code = errno
                discard()
                throw AtomicFileError(path: target, operation: "move the staged file into place", code: code)
            }
        }
        syncDirectory(destination.path)
        published = true
        discard()
    }

    /// Whether `path` is a folder (not following a final symbolic link).
    private func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Removes the staging folder and whatever it holds, and the destination folder too when
    /// this made it and nothing was published into it.
    public func discard() {
        try? FileManager.default.removeItem(at: staging)
        if createdDestination, !published { rmdir(destination.path) }
    }

    /// Removes staging folders and atomic-write temporaries older than `age` seconds.
    private static func removeLeftovers(in directory: URL, olderThan age: TimeInterval) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return }
        let cutoff = Date().addingTimeInterval(-age)
        for name in names where name.hasPrefix(".staging-") || (name.hasPrefix(".") && name.contains(".tmp-")) {
            let url = directory.appendingPathComponent(name)
            let modified = (try? manager.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantFuture
            if modified < cutoff { try? manager.removeItem(at: url) }
        }
    }

    /// The `errno` behind a Foundation file error, or `EIO`.
    private static func posixCode(of error: any Error) -> Int32 {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return Int32(underlying.code) }
        return EIO
    }
}
