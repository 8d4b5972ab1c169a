import CZlib
import Foundation

/// Decompression of gzip (and zlib) streams through the system's zlib.
///
/// Dataset files are often shipped gzipped (`train-images-idx3-ubyte.gz`). ``decompress(_:file:limits:)``
/// inflates a whole file in memory; it accepts gzip and zlib headers alike (zlib's automatic
/// header detection), concatenated gzip members as `gunzip` does, and reports damaged or
/// cut-short input, and output past ``DatasetLimits/maximumDecompressedBytes``, as a
/// ``DatasetError`` instead of crashing.
public enum Gzip {
    /// The two bytes every gzip member starts with (RFC 1952).
    public static let magic: [UInt8] = [0x1F, 0x8B]

    /// Whether `data` starts with the gzip magic bytes.
    public static func hasMagic(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == magic[0] && data[data.startIndex + 1] == magic[1]
    }

    /// Inflates a complete gzip (or zlib) stream.
    ///
    /// The output grows as it is inflated, from a first size that the gzip trailer suggests
    /// but never beyond what the input can plausibly hold; the trailer does not decide what
    /// is allocated, and inflating stops as soon as the output would pass
    /// `limits.maximumDecompressedBytes`.
    ///
    /// - Parameters:
    ///   - compressed: the whole compressed file.
    ///   - file: the name used in error messages.
    ///   - limits: the caps; ``DatasetLimits/maximumDecompressedBytes`` bounds the output.
    /// - Throws: ``DatasetError/truncatedGzip(file:decompressedBytes:)`` when the input ends
    ///   before the stream's end marker, ``DatasetError/corruptGzip(file:reason:)`` when it is
    ///   damaged, is not gzip or zlib at all, or has trailing bytes that are not another gzip
    ///   member (trailing zero padding is ignored, as `gunzip` does),
    ///   ``DatasetError/limitExceeded(file:limit:maximum:found:)`` when it inflates to more
    ///   than `limits.maximumDecompressedBytes`, and
    ///   ``DatasetError/allocationFailed(file:bytes:purpose:)`` when the output cannot be
    ///   allocated.
    public static func decompress(
        _ compressed: Data, file: String, limits: DatasetLimits = .default
    ) throws(DatasetError) -> Data {
        let result = compressed.withUnsafeBytes { raw in inflateAll(raw, file: file, limit: limits.maximumDecompressedBytes) }
        return try result.get()
    }

    /// The inflate loop over one contiguous input buffer.
    private static func inflateAll(_ input: UnsafeRawBufferPointer, file: String, limit: Int) -> Result<Data, DatasetError> {
        guard let inputBase = input.baseAddress, input.count > 0 else {
            return .failure(.truncatedGzip(file: file, decompressedBytes: 0))
        }
        let bytes = inputBase.assumingMemoryBound(to: UInt8.self)
        // One byte past the limit is room enough to notice that the output passes it.
        let hardCapacity = limit == Int.max ? limit : limit + 1
        let first = min(initialCapacity(for: input), hardCapacity)
        guard var output = GrowableBuffer(initialCapacity: first, maximumCapacity: hardCapacity) else {
            return .failure(.allocationFailed(file: file, bytes: first, purpose: "the decompressed data"))
        }

        var stream = z_stream()
        // windowBits 15 + 32: a 32 KiB window, gzip or zlib header detected automatically.
        var status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            return .failure(.corruptGzip(file: file, reason: "zlib could not start inflating (inflateInit2 returned \(status))"))
        }
        defer { inflateEnd(&stream) }

        var fed = 0  // input bytes handed to zlib so far
        while true {
            if stream.avail_in == 0 && fed < input.count {
                let chunk = min(input.count - fed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: bytes + fed)
                stream.avail_in = uInt(chunk)
                fed += chunk
            }
            let room: UnsafeMutableBufferPointer<UInt8>
            switch output.reserveRoom() {
            case let .room(free): room = free
            case .full:
                return .failure(
                    .limitExceeded(
                        file: file, limit: .decompressedBytes, maximum: limit,
                        found: "more (inflating stopped at \(output.count) bytes)"))
            case let .allocationFailed(bytes):
                return .failure(.allocationFailed(file: file, bytes: bytes, purpose: "the decompressed data"))
            }
            stream.next_out = room.baseAddress
            stream.avail_out = uInt(room.count)
            status = inflate(&stream, Z_NO_FLUSH)
            output.commit(room.count - Int(stream.avail_out))

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let next = fed - Int(stream.avail_in)  // first byte after this member
                if output.count > limit {
                    return .failure(
                        .limitExceeded(
                            file: file, limit: .decompressedBytes, maximum: limit,
                            found: "more (inflating stopped at \(output.count) bytes)"))
                }
                if next == input.count { return .success(output.finish()) }
                if input.count - next >= 2 && bytes[next] == magic[0] && bytes[next + 1] == magic[1] {
                    inflateReset(&stream)  // another gzip member follows: `gunzip` concatenates them
                    continue
                }
                if (next..<input.count).allSatisfy({ bytes[$0] == 0 }) { return .success(output.finish()) }
                return .failure(
                    .corruptGzip(
                        file: file,
                        reason: "\(input.count - next) bytes after the end of the compressed stream are not another gzip member"))
            case Z_BUF_ERROR:
                // No progress: either the output buffer is full (the next turn grows it), or
                // the input is used up before the end marker.
                if stream.avail_out == 0 { continue }
                if stream.avail_in == 0 && fed == input.count {
                    return .failure(.truncatedGzip(file: file, decompressedBytes: output.count))
                }
                return .failure(.corruptGzip(file: file, reason: "zlib made no progress"))
            case Z_NEED_DICT:
                return .failure(.corruptGzip(file: file, reason: "the zlib stream needs a preset dictionary, which dataset files never use"))
            case Z_MEM_ERROR:
                return .failure(.corruptGzip(file: file, reason: "zlib ran out of memory"))
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                return .failure(.corruptGzip(file: file, reason: message))
            }
        }
    }

    /// A first output size: gzip's trailer holds the uncompressed size modulo 2³², which is
    /// exact for honest files under 4 GiB, but a file can claim anything there. It is only
    /// taken up to 8 times the input (real dataset files, such as Fashion-MNIST's, inflate
    /// 2 to 6 times); the buffer then doubles as inflating needs, up to the limit.
    private static func initialCapacity(for input: UnsafeRawBufferPointer) -> Int {
        let plausible = max(1 << 16, input.count.multipliedReportingOverflow(by: 8).partialValue)
        let fallback = min(plausible, max(4096, input.count * 4))
        guard input.count >= 18, input[0] == magic[0], input[1] == magic[1] else { return fallback }
        let tail = input.count - 4
        let size = Int(input[tail]) | Int(input[tail + 1]) << 8 | Int(input[tail + 2]) << 16 | Int(input[tail + 3]) << 24
        return size > 0 ? min(size, plausible) : fallback
    }
}

/// A malloc'd byte buffer that inflate writes into and that becomes `Data` without a copy;
/// freed when dropped on an error path. It never grows beyond its maximum capacity.
private struct GrowableBuffer: ~Copyable {
    /// What ``reserveRoom()`` found.
    enum Room {
        /// Free space to write into.
        case room(UnsafeMutableBufferPointer<UInt8>)
        /// The buffer is full at its maximum capacity.
        case full
        /// Growing to `bytes` failed.
        case allocationFailed(bytes: Int)
    }

    private var pointer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let maximumCapacity: Int
    private(set) var count = 0

    /// A buffer of `initialCapacity` bytes (at least 1), or `nil` when malloc fails.
    init?(initialCapacity: Int, maximumCapacity: Int) {
        capacity = max(1, initialCapacity)
        self.maximumCapacity = max(capacity, maximumCapacity)
        guard let memory = malloc(capacity) else { return nil }
        pointer = memory.assumingMemoryBound(to: UInt8.self)
    }

    /// Free space after the written bytes (growing the buffer when it is full, doubling up
    /// to the maximum capacity), at most what one zlib call can take.
    mutating func reserveRoom() -> Room {
        if count == capacity {
            guard capacity < maximumCapacity else { return .full }
            let (doubled, overflow) = capacity.multipliedReportingOverflow(by: 2)
            let newCapacity = overflow ? maximumCapacity : min(doubled, maximumCapacity)
            guard let memory = realloc(pointer, newCapacity) else { return .allocationFailed(bytes: newCapacity) }
            pointer = memory.assumingMemoryBound(to: UInt8.self)
            capacity = newCapacity
        }
        return .room(UnsafeMutableBufferPointer(start: pointer + count, count: min(capacity - count, Int(UInt32.max))))
    }

    /// Marks `written` more bytes as filled.
    mutating func commit(_ written: Int) { count += written }

    /// Hands the bytes over to `Data`, which frees them.
    consuming func finish() -> Data {
        let data = Data(bytesNoCopy: pointer, count: count, deallocator: .free)
        discard self
        return data
    }

    deinit { free(pointer) }
}
