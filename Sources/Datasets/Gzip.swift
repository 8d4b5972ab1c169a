import CZlib
import Foundation

/// Decompression of gzip (and zlib) streams through the system's zlib.
///
/// Dataset files are often shipped gzipped (`train-images-idx3-ubyte.gz`). ``decompress(_:file:)``
/// inflates a whole file in memory; it accepts gzip and zlib headers alike (zlib's automatic
/// header detection), concatenated gzip members as `gunzip` does, and reports damaged or
/// cut-short input as a ``DatasetError`` instead of crashing.
public enum Gzip {
    /// The two bytes every gzip member starts with (RFC 1952).
    public static let magic: [UInt8] = [0x1F, 0x8B]

    /// Whether `data` starts with the gzip magic bytes.
    public static func hasMagic(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == magic[0] && data[data.startIndex + 1] == magic[1]
    }

    /// Inflates a complete gzip (or zlib) stream.
    ///
    /// - Parameters:
    ///   - compressed: the whole compressed file.
    ///   - file: the name used in error messages.
    /// - Throws: ``DatasetError/truncatedGzip(file:decompressedBytes:)`` when the input ends
    ///   before the stream's end marker, ``DatasetError/corruptGzip(file:reason:)`` when it is
    ///   damaged, is not gzip or zlib at all, or has trailing bytes that are not another gzip
    ///   member (trailing zero padding is ignored, as `gunzip` does).
    public static func decompress(_ compressed: Data, file: String) throws(DatasetError) -> Data {
        let result = compressed.withUnsafeBytes { raw in inflateAll(raw, file: file) }
        return try result.get()
    }

    /// The inflate loop over one contiguous input buffer.
    private static func inflateAll(_ input: UnsafeRawBufferPointer, file: String) -> Result<Data, DatasetError> {
        guard let inputBase = input.baseAddress, input.count > 0 else {
            return .failure(.truncatedGzip(file: file, decompressedBytes: 0))
        }
        let bytes = inputBase.assumingMemoryBound(to: UInt8.self)
        var output = GrowableBuffer(initialCapacity: initialCapacity(for: input))

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
            let room = output.reserveRoom()
            stream.next_out = room.baseAddress
            stream.avail_out = uInt(room.count)
            status = inflate(&stream, Z_NO_FLUSH)
            output.commit(room.count - Int(stream.avail_out))

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let next = fed - Int(stream.avail_in)  // first byte after this member
                if next == input.count { return .success(output.finish()) }
                if input.count - next >= 2 && bytes[next] == magic[0] && bytes[next + 1] == magic[1] {
                    inflateReset(&stream)  // another gzip member follows: `gunzip` concatenates them
                    continue
                }
                if (next..<input.count).allSatisfy({ bytes[$0] == 0 }) { return .success(output.finish()) }
                return .failure(.corruptGzip(
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
    /// exact for files under 4 GiB. Bounded by deflate's largest ratio (about 1032:1) so a
    /// damaged trailer cannot ask for absurd amounts of memory.
    private static func initialCapacity(for input: UnsafeRawBufferPointer) -> Int {
        let fallback = max(4096, input.count * 4)
        guard input.count >= 18, input[0] == magic[0], input[1] == magic[1] else { return fallback }
        let tail = input.count - 4
        let size = Int(input[tail]) | Int(input[tail + 1]) << 8 | Int(input[tail + 2]) << 16 | Int(input[tail + 3]) << 24
        return size > 0 ? min(size, input.count * 1032) : fallback
    }
}

/// A malloc'd byte buffer that inflate writes into and that becomes `Data` without a copy;
/// freed when dropped on an error path.
private struct GrowableBuffer: ~Copyable {
    private var pointer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(initialCapacity: Int) {
        capacity = max(1, initialCapacity)
        guard let memory = malloc(capacity) else { fatalError("Gzip: cannot allocate \(capacity) bytes") }
        pointer = memory.assumingMemoryBound(to: UInt8.self)
    }

    /// Free space after the written bytes (growing the buffer when it is full), at most
    /// what one zlib call can take.
    mutating func reserveRoom() -> UnsafeMutableBufferPointer<UInt8> {
        if count == capacity {
            let newCapacity = capacity * 2
            guard let memory = realloc(pointer, newCapacity) else { fatalError("Gzip: cannot allocate \(newCapacity) bytes") }
            pointer = memory.assumingMemoryBound(to: UInt8.self)
            capacity = newCapacity
        }
        return UnsafeMutableBufferPointer(start: pointer + count, count: min(capacity - count, Int(UInt32.max)))
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
