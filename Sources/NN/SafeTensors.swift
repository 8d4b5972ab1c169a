import Foundation
import TensorCore

// swift-format-ignore: AlwaysUseLowerCamelCase
// The case names are the format's own dtype strings, as its header spells them.
/// An element type of the safetensors format, named as in the file's header.
///
/// ``SafeTensors`` reads every one of these into float32 tensors and writes ``F32``.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    /// IEEE 754 binary64; read rounded to the nearest float32.
    case F64
    /// IEEE 754 binary32; read and written bit for bit.
    case F32
    /// IEEE 754 binary16; every value, NaN payloads included, is exact in float32.
    case F16
    /// bfloat16, the upper half of a float32; exact in float32.
    case BF16
    /// Signed 64-bit integer; read exactly, or rejected when float32 cannot hold the value.
    case I64
    /// Signed 32-bit integer; read exactly, or rejected when float32 cannot hold the value.
    case I32
    /// Signed 16-bit integer; always exact in float32.
    case I16
    /// Signed 8-bit integer; always exact in float32.
    case I8
    /// Unsigned 8-bit integer; always exact in float32.
    case U8
    /// One byte per element, zero for false; read as 0 or 1 (any non-zero byte is true).
    case BOOL

    /// The size of one element in bytes.
    public var elementSize: Int {
        switch self {
        case .F64, .I64: 8
        case .F32, .I32: 4
        case .F16, .BF16, .I16: 2
        case .I8, .U8, .BOOL: 1
        }
    }
}

/// The tensors and string metadata of a safetensors file, the format of Hugging Face's
/// `safetensors` library (`safetensors.torch.save_file` / `load_file`).
///
/// A file is an 8-byte little-endian header length `N`, then `N` bytes of UTF-8 JSON (an
/// object mapping each tensor name to `{"dtype", "shape", "data_offsets"}`, plus an optional
/// `"__metadata__"` object of strings), then the data buffer that the offsets index. See
/// <https://github.com/huggingface/safetensors>.
///
/// Reading converts every supported ``SafeTensorsDType`` to float32 and validates the whole
/// file first: every malformed input surfaces as a ``SafeTensorsError``, never as a crash.
/// Writing produces float32 data, keys sorted, so equal contents give identical bytes.
///
/// Data is little-endian in the format and is copied as raw bytes, so this type supports
/// little-endian hosts only (every platform Swift runs on today); a big-endian host would
/// need a byte swap when reading and writing.
public struct SafeTensors: Sendable {
    /// The tensors by name.
    ///
    /// The name `__metadata__` is reserved by the format and cannot name a tensor.
    public var tensors: [String: Tensor]
    /// Free-form string metadata stored in the header's `__metadata__` entry (PyTorch
    /// writers store for example `"format": "pt"`).
    public var metadata: [String: String]
    /// The dtype each tensor had in the file it was read from (``SafeTensorsDType/F32`` for
    /// tensors created in Swift). Not updated when ``tensors`` changes.
    public private(set) var storedTypes: [String: SafeTensorsDType]

    /// The header key that holds the metadata rather than a tensor.
    static let metadataKey = "__metadata__"
    /// The largest header length accepted, as in the reference implementation.
    static let maximumHeaderLength = 100_000_000

    /// Collects tensors and metadata for writing.
    ///
    /// - Parameters:
    ///   - tensors: The tensors by name; `__metadata__` is not a valid name.
    ///   - metadata: String metadata to store in the header.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.init(tensors: tensors, metadata: metadata, storedTypes: tensors.mapValues { _ in .F32 })
    }

    private init(tensors: [String: Tensor], metadata: [String: String], storedTypes: [String: SafeTensorsDType]) {
        self.tensors = tensors
        self.metadata = metadata
        self.storedTypes = storedTypes
    }

    /// Reads a safetensors file.
    ///
    /// The file is read into memory rather than mapped, so that another process truncating
    /// it cannot crash this one.
    ///
    /// - Throws: ``SafeTensorsError/unreadableFile(file:reason:)`` when the file cannot be
    ///   read, and the errors of ``init(bytes:source:)`` with the path as the source.
    public init(contentsOf url: URL) throws(SafeTensorsError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadableFile(file: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadableFile(file: url.path, reason: "expected a file, found a directory")
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        try self.init(bytes: bytes, source: url.path)
    }

    /// Parses the bytes of a safetensors file.
    ///
    /// - Parameters:
    ///   - bytes: The whole file.
    ///   - source: The name of the file, used in error messages.
    /// - Throws: A ``SafeTensorsError`` naming `source` when the bytes are not a valid
    ///   safetensors file, use an unsupported dtype, or hold an integer that float32 cannot
    ///   represent exactly.
    public init(bytes: Data, source: String) throws(SafeTensorsError) {
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(SafeTensorsError) -> SafeTensors in
                try SafeTensors.parse(raw, source: source)
            }
        }
        self = try parsed.get()
    }

    /// The safetensors encoding: float32 little-endian data, tensors in the byte order of
    /// their UTF-8 names, the header padded with spaces so the data starts at a multiple of
    /// 8 bytes. Equal tensors and metadata always give identical bytes.
    ///
    /// - Precondition: No tensor is named `__metadata__`.
    public func serialized() -> Data {
        precondition(
            tensors[Self.metadataKey] == nil,
            "SafeTensors: \"\(Self.metadataKey)\" is reserved for metadata and cannot name a tensor")
        let entries = tensors.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }

        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { jsonString($0.key) + ":" + jsonString($0.value) }
            fields.append(jsonString(Self.metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, tensor) in entries {
            let end = offset + tensor.scalarCount * MemoryLayout<Float>.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append(jsonString(name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, tensor) in entries {
            tensor.withUnsafeBufferPointer { data.append($0) }
        }
        return data
    }

    /// Writes ``serialized()`` to `url` atomically (see `AtomicFile`): readers see the old
    /// file or the complete new one, never a partial file.
    ///
    /// - Throws: ``SafeTensorsError/writeFailed(file:underlying:)`` when the file cannot be
    ///   written; an existing file is then unchanged.
    public func write(to url: URL) throws(SafeTensorsError) {
        do throws(AtomicFileError) {
            try AtomicFile.write(serialized(), to: url)
        } catch {
            throw .writeFailed(file: url.path, underlying: error)
        }
    }
}

// MARK: - Reading

/// One validated tensor entry of a header.
private struct Entry {
    let name: String
    let dtype: SafeTensorsDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

extension SafeTensors {
    /// Validates the whole file, then converts every tensor.
    private static func parse(_ file: UnsafeRawBufferPointer, source: String) throws(SafeTensorsError) -> SafeTensors {
        guard file.count >= 8 else { throw .fileTooShort(file: source, foundBytes: file.count) }
        let headerLength = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw .headerTooLarge(file: source, headerLength: headerLength, limit: maximumHeaderLength)
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= file.count else {
            throw .headerLengthExceedsFile(file: source, headerLength: headerLength, availableBytes: file.count - 8)
        }
        let header = try parseHeader(UnsafeRawBufferPointer(rebasing: file[8..<dataStart]), source: source)
        let buffer = UnsafeRawBufferPointer(rebasing: file[dataStart...])

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in header.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            if name == metadataKey {
                metadata = try parseMetadata(value, source: source)
            } else {
                entries.append(try parseEntry(named: name, value, bufferBytes: buffer.count, source: source))
            }
        }
        try checkCoverage(of: entries, bufferBytes: buffer.count, source: source)

        var tensors: [String: Tensor] = [:]
        var storedTypes: [String: SafeTensorsDType] = [:]
        for entry in entries {
            tensors[entry.name] = try decode(entry, UnsafeRawBufferPointer(rebasing: buffer[entry.begin..<entry.end]), source: source)
            storedTypes[entry.name] = entry.dtype
        }
        return SafeTensors(tensors: tensors, metadata: metadata, storedTypes: storedTypes)
    }

    /// The header's JSON object, after checking that it is UTF-8 text.
    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, source: String) throws(SafeTensorsError) -> [String: HeaderValue] {
        let invalidUTF8 = transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
        guard !invalidUTF8 else { throw .invalidHeader(file: source, reason: "bytes that are not valid UTF-8") }
        let value: HeaderValue
        do {
            value = try JSONDecoder().decode(HeaderValue.self, from: Data(bytes))
        } catch {
            throw .invalidHeader(file: source, reason: "text that is not valid JSON (\(describeDecodingFailure(error)))")
        }
        guard case let .object(object) = value else {
            throw .invalidHeader(file: source, reason: value.summary)
        }
        return object
    }

    /// The `__metadata__` entry: an object of strings (or `null`, as some writers store).
    private static func parseMetadata(_ value: HeaderValue, source: String) throws(SafeTensorsError) -> [String: String] {
        switch value {
        case .null:
            return [:]
        case let .object(object):
            var metadata: [String: String] = [:]
            for (key, item) in object {
                guard case let .string(text) = item else {
                    throw .invalidMetadata(file: source, reason: "\(key) = \(item.summary)")
                }
                metadata[key] = text
            }
            return metadata
        default:
            throw .invalidMetadata(file: source, reason: value.summary)
        }
    }

    /// One tensor's entry, checked on its own: field types, dtype, shape and the size and
    /// range of its offsets.
    private static func parseEntry(named name: String, _ value: HeaderValue, bufferBytes: Int, source: String) throws(SafeTensorsError) -> Entry {
        guard case let .object(fields) = value else {
            throw .invalidEntry(
                file: source, tensor: name, field: "the entry",
                expected: "an object with dtype, shape and data_offsets", found: value.summary)
        }
        guard case let .string(dtypeName)? = fields["dtype"] else {
            throw .invalidEntry(
                file: source, tensor: name, field: "dtype", expected: "a string such as \"F32\"",
                found: fields["dtype"]?.summary ?? "missing")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .unsupportedDType(file: source, tensor: name, found: dtypeName)
        }
        guard let shape = fields["shape"]?.integers else {
            throw .invalidEntry(
                file: source, tensor: name, field: "shape", expected: "an array of integers",
                found: fields["shape"]?.summary ?? "missing")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .negativeDimension(file: source, tensor: name, shape: shape)
        }
        guard let offsets = fields["data_offsets"]?.integers, offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw .invalidEntry(
                file: source, tensor: name, field: "data_offsets", expected: "[begin, end] with 0 ≤ begin ≤ end",
                found: fields["data_offsets"]?.summary ?? "missing")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard let expectedBytes = byteCount(of: shape, dtype: dtype) else {
            throw .tensorTooLarge(file: source, tensor: name, dtype: dtype, shape: shape)
        }
        guard end - begin == expectedBytes else {
            throw .sizeMismatch(
                file: source, tensor: name, dtype: dtype, shape: shape,
                expectedBytes: expectedBytes, foundBytes: end - begin)
        }
        guard end <= bufferBytes else {
            throw .offsetsOutOfBuffer(file: source, tensor: name, begin: begin, end: end, bufferBytes: bufferBytes)
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// The number of bytes of a tensor, or `nil` when it overflows `Int`.
    private static func byteCount(of shape: [Int], dtype: SafeTensorsDType) -> Int? {
        var bytes = dtype.elementSize
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            bytes = product
        }
        return bytes
    }

    /// Checks that the entries, taken in the order of their offsets, tile the data buffer
    /// exactly: each starts where the previous one ends and the last ends at the buffer's end.
    private static func checkCoverage(of entries: [Entry], bufferBytes: Int, source: String) throws(SafeTensorsError) {
        var covered = 0
        var owner = ""
        for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if entry.begin > covered {
                throw .bufferHole(file: source, begin: covered, end: entry.begin)
            }
            if entry.begin < covered {
                throw .bufferOverlap(
                    file: source, tensor: entry.name, begin: entry.begin, end: entry.end,
                    otherTensor: owner, otherEnd: covered)
            }
            covered = entry.end
            owner = entry.name
        }
        if covered < bufferBytes {
            throw .bufferHole(file: source, begin: covered, end: bufferBytes)
        }
    }

    /// Converts one tensor's bytes (already checked to match its shape) to float32.
    private static func decode(_ entry: Entry, _ bytes: UnsafeRawBufferPointer, source: String) throws(SafeTensorsError) -> Tensor {
        var unrepresentable: (index: Int, value: Int64)?
        let tensor = Tensor(shape: entry.shape) { scalars in
            unrepresentable = convert(bytes, from: entry.dtype, into: scalars)
        }
        if let first = unrepresentable {
            throw .integerNotRepresentable(file: source, tensor: entry.name, index: first.index, value: first.value)
        }
        return tensor
    }

    /// Fills `scalars` from `bytes` holding as many little-endian elements of `dtype`.
    /// Returns the first integer that float32 cannot represent exactly, if any.
    private static func convert(
        _ bytes: UnsafeRawBufferPointer, from dtype: SafeTensorsDType,
        into scalars: UnsafeMutableBufferPointer<Float>
    ) -> (index: Int, value: Int64)? {
        guard let source = bytes.baseAddress, let destination = scalars.baseAddress else { return nil }
        switch dtype {
        case .F32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: bytes.count)
        case .F64:
            for index in scalars.indices {
                scalars[index] = Float(Double(bitPattern: element(bytes, index, as: UInt64.self)))
            }
        case .F16:
            for index in scalars.indices {
                scalars[index] = floatFromHalf(element(bytes, index, as: UInt16.self))
            }
        case .BF16:
            for index in scalars.indices {
                scalars[index] = Float(bitPattern: UInt32(element(bytes, index, as: UInt16.self)) << 16)
            }
        case .I64:
            return convertIntegers(bytes, as: Int64.self, into: scalars)
        case .I32:
            return convertIntegers(bytes, as: Int32.self, into: scalars)
        case .I16:
            for index in scalars.indices {
                scalars[index] = Float(element(bytes, index, as: Int16.self))
            }
        case .I8:
            for index in scalars.indices {
                scalars[index] = Float(Int8(bitPattern: bytes[index]))
            }
        case .U8:
            for index in scalars.indices {
                scalars[index] = Float(bytes[index])
            }
        case .BOOL:
            for index in scalars.indices {
                scalars[index] = bytes[index] == 0 ? 0 : 1
            }
        }
        return nil
    }

    /// Converts integers that may exceed float32's exact range, returning the first one
    /// that has no exact float32 value (it is stored rounded).
    private static func convertIntegers<T: FixedWidthInteger & BitwiseCopyable>(
        _ bytes: UnsafeRawBufferPointer, as type: T.Type, into scalars: UnsafeMutableBufferPointer<Float>
    ) -> (index: Int, value: Int64)? {
        var first: (index: Int, value: Int64)?
        for index in scalars.indices {
            let value = element(bytes, index, as: T.self)
            if let exact = Float(exactly: value) {
                scalars[index] = exact
            } else {
                scalars[index] = Float(value)
                if first == nil { first = (index, Int64(value)) }
            }
        }
        return first
    }

    /// The little-endian element `index` of type `T` in `bytes`, which may be unaligned.
    private static func element<T: FixedWidthInteger & BitwiseCopyable>(
        _ bytes: UnsafeRawBufferPointer, _ index: Int, as type: T.Type
    ) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }

    /// The float32 value of IEEE binary16 bits: exact for every value, signed zeros,
    /// subnormals, infinities and NaN payloads included.
    private static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2^-24, a normal float32 (or zero).
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// A short reason from a `JSONDecoder` failure, without the coding path boilerplate.
    private static func describeDecodingFailure(_ error: any Error) -> String {
        guard case let DecodingError.dataCorrupted(context) = error else { return "\(error)" }
        guard let underlying = context.underlyingError else { return context.debugDescription }
        return "\(context.debugDescription) \(underlying)"
    }
}

// MARK: - JSON

/// Any JSON value of a header, decoded without assuming its type so that a wrong type can
/// be reported with what was found.
/// A safetensors header is read as ``JSONValue`` (TensorCore) and checked here.
private typealias HeaderValue = JSONValue

extension JSONValue {
    /// The elements of an array of integers, or `nil` for anything else.
    var integers: [Int]? {
        guard case let .array(items) = self else { return nil }
        var values: [Int] = []
        for item in items {
            guard case let .integer(value) = item, let integer = Int(exactly: value) else { return nil }
            values.append(integer)
        }
        return values
    }

    /// The value in JSON-like notation, shortened to about 80 characters, for messages.
    var summary: String {
        let text = fullText
        return text.count <= 80 ? text : text.prefix(77) + "…"
    }

    private var fullText: String {
        switch self {
        case .null: "null"
        case let .bool(value): String(value)
        case let .integer(value): String(value)
        case let .unsigned(value): String(value)
        case let .number(value): String(value)
        case let .string(value): jsonString(value)
        case let .array(items): "[" + items.map(\.fullText).joined(separator: ", ") + "]"
        case let .object(fields): "an object with keys " + fields.keys.sorted().map(jsonString).joined(separator: ", ")
        }
    }
}

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
/// everything else as UTF-8.
private func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
