import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a whole file so that readers see either its old contents or its new contents,
/// never a partly written file, even when the process is killed or the machine loses power
/// in the middle of the write.
///
/// The bytes go to a new temporary file in the destination's directory (named
/// `.<name>.tmp-<random hex>`, so it is hidden and on the same file system), which is
/// flushed to disk with `fsync(2)` and then renamed over the destination with `rename(2)`,
/// an atomic replacement on POSIX file systems. Finally the directory itself is flushed so
/// that the rename survives a crash. On any failure the temporary file is removed and the
/// destination is left as it was.
///
/// Use it for every file that a later run reads back: checkpoints, caches, images.
public enum AtomicFile {
    /// Replaces the file at `url` (or creates it) with `data`, atomically.
    ///
    /// A new file gets the permissions `0666` minus the process's umask, like any file
    /// created with `open(2)`; an existing file is replaced by a new one, so its previous
    /// permissions and hard links are not kept.
    ///
    /// - Parameters:
    ///   - data: The complete new contents.
    ///   - url: A file URL; its directory must exist and be writable.
    /// - Throws: ``AtomicFileError`` naming the destination and the step that failed
    ///   (creating, writing, flushing or closing the temporary file, or the rename).
    public static func write(_ data: Data, to url: URL) throws(AtomicFileError) {
        let destination = url.path
        guard url.isFileURL else {
            throw AtomicFileError(path: url.absoluteString, operation: "expected a file URL", code: EINVAL)
        }
        let directory = url.deletingLastPathComponent().path
        let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(suffix)").path

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: destination, operation: "create temporary file \(temporary)", code: errno)
        }
        if let failure = writeAll(data, to: descriptor, path: temporary) ?? flush(descriptor, path: temporary) {
            close(descriptor)
            unlink(temporary)
            throw AtomicFileError(path: destination, operation: failure.operation, code: failure.code)
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporary)
            throw AtomicFileError(path: destination, operation: "close temporary file \(temporary)", code: code)
        }
        guard rename(temporary, destination) == 0 else {
            let code = errno
            unlink(temporary)
            throw AtomicFileError(path: destination, operation: "rename \(temporary) to the destination", code: code)
        }
        syncDirectory(directory)
    }
}

/// The reason ``AtomicFile/write(_:to:)`` could not replace a file.
///
/// The destination has its old contents (or still does not exist), and no temporary file
/// is left behind.
public struct AtomicFileError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The destination path that was to be written.
    public let path: String
    /// The step that failed, such as `write to temporary file /models/.a.bin.tmp-3f2c…`.
    public let operation: String
    /// The `errno` value the system reported for the step.
    public let code: Int32

    /// Creates an error for the step `operation` of writing `path`, which failed with the
    /// `errno` value `code`.
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// The system's text for ``code``, such as `No space left on device`.
    public var reason: String { String(cString: strerror(code)) }

    /// A message naming the destination, the failed step and the system's reason, e.g.
    /// `/models/a.bin: cannot write atomically: rename … failed: Is a directory`.
    public var description: String {
        "\(path): cannot write atomically: \(operation) failed: \(reason)"
    }
}

/// A failed system call on the temporary file, before it is wrapped with the destination.
private struct StepFailure {
    let operation: String
    let code: Int32
}

/// Writes every byte of `data` to `descriptor`, retrying short writes and interruptions.
/// Returns the failure, or `nil` when all bytes were written.
private func writeAll(_ data: Data, to descriptor: Int32, path: String) -> StepFailure? {
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> StepFailure? in
        guard let base = bytes.baseAddress else { return nil }
        var written = 0
        while written < bytes.count {
            let result = write(descriptor, base + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return StepFailure(operation: "write to temporary file \(path)", code: errno)
            }
            written += result
        }
        return nil
    }
}

/// Flushes the file's contents to the storage device. Returns the failure, or `nil`.
private func flush(_ descriptor: Int32, path: String) -> StepFailure? {
    while fsync(descriptor) != 0 {
        if errno != EINTR { return StepFailure(operation: "fsync temporary file \(path)", code: errno) }
    }
    return nil
}

/// Flushes a directory so that a rename inside it is durable. Best effort: the new file is
/// already in place when this runs, and some file systems refuse `fsync` on a directory.
func syncDirectory(_ path: String) {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
}
