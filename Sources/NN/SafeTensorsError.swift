import TensorCore

/// An error thrown while reading or writing a safetensors file.
///
/// Every case names the file (the `source` given to ``SafeTensors/init(bytes:source:)``,
/// or the path) and says what was expected and what was found, so the message alone tells
/// a user what is wrong with the file.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read (it does not exist, is a directory, or is not
    /// readable).
    case unreadableFile(file: String, reason: String)
    /// The file is shorter than the 8-byte header length that starts every safetensors file.
    case fileTooShort(file: String, foundBytes: Int)
    /// The header length is above the limit that readers accept (100 MB, as in the
    /// reference implementation), which a real header never reaches.
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The header length announces more bytes than the file holds after it.
    case headerLengthExceedsFile(file: String, headerLength: UInt64, availableBytes: Int)
    /// The header is not UTF-8 text holding one JSON object.
    case invalidHeader(file: String, reason: String)
    /// The `__metadata__` entry is not an object whose values are all strings.
    case invalidMetadata(file: String, reason: String)
    /// A tensor's entry is not an object, or one of its fields (`dtype`, `shape`,
    /// `data_offsets`) is missing or has the wrong type. `found` is `missing` for a
    /// missing field.
    case invalidEntry(file: String, tensor: String, field: String, expected: String, found: String)
    /// A tensor's `dtype` is not one that this reader converts to float32.
    case unsupportedDType(file: String, tensor: String, found: String)
    /// A tensor's shape has a negative dimension.
    case negativeDimension(file: String, tensor: String, shape: [Int])
    /// A tensor's shape is so large that its size in bytes does not fit in an `Int`.
    case tensorTooLarge(file: String, tensor: String, dtype: SafeTensorsDType, shape: [Int])
    /// A tensor's `data_offsets` span a number of bytes other than the product of its shape
    /// times the size of its dtype.
    case sizeMismatch(file: String, tensor: String, dtype: SafeTensorsDType, shape: [Int], expectedBytes: Int, foundBytes: Int)
    /// A tensor's `data_offsets` reach past the end of the data buffer (the file was cut
    /// short, or the offsets are wrong).
    case offsetsOutOfBuffer(file: String, tensor: String, begin: Int, end: Int, bufferBytes: Int)
    /// The bytes `begin..<end` of the data buffer belong to no tensor: a gap between two
    /// tensors, or unused bytes at the end of the file.
    case bufferHole(file: String, begin: Int, end: Int)
    /// A tensor's bytes `begin..<end` start before the end of `otherTensor`'s bytes,
    /// `otherEnd`: two tensors share bytes of the data buffer.
    case bufferOverlap(file: String, tensor: String, begin: Int, end: Int, otherTensor: String, otherEnd: Int)
    /// An element of an integer tensor has no exact float32 value (only integers up to
    /// 2^24 in magnitude all have one).
    case integerNotRepresentable(file: String, tensor: String, index: Int, value: Int64)
    /// Writing the file failed; the previous file, if any, is unchanged.
    case writeFailed(file: String, underlying: AtomicFileError)

    /// A message that names the file, what was expected and what was found.
    public var description: String {
        switch self {
        case let .unreadableFile(file, reason):
            return "\(file): cannot be read: \(reason)"
        case let .fileTooShort(file, foundBytes):
            return "\(file): expected a safetensors file of at least 8 bytes (the header length), found \(foundBytes) bytes"
        case let .headerTooLarge(file, headerLength, limit):
            return "\(file): expected a header length of at most \(limit) bytes, found \(headerLength); this is not a safetensors file"
        case let .headerLengthExceedsFile(file, headerLength, availableBytes):
            return
                "\(file): the header length is \(headerLength) bytes but only \(availableBytes) bytes follow it; the file is incomplete or not a safetensors file"
        case let .invalidHeader(file, reason):
            return "\(file): expected the header to be a UTF-8 JSON object, found \(reason)"
        case let .invalidMetadata(file, reason):
            return "\(file): expected __metadata__ to map strings to strings, found \(reason)"
        case let .invalidEntry(file, tensor, field, expected, found):
            return "\(file): tensor \(quoted(tensor)): expected \(field) to be \(expected), found \(found)"
        case let .unsupportedDType(file, tensor, found):
            let supported = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor \(quoted(tensor)): unsupported dtype \(quoted(found)); expected one of \(supported)"
        case let .negativeDimension(file, tensor, shape):
            return "\(file): tensor \(quoted(tensor)): expected non-negative dimensions, found shape \(describeShape(shape))"
        case let .tensorTooLarge(file, tensor, dtype, shape):
            return "\(file): tensor \(quoted(tensor)): shape \(describeShape(shape)) of \(dtype.rawValue) holds more bytes than an Int can count"
        case let .sizeMismatch(file, tensor, dtype, shape, expectedBytes, foundBytes):
            return
                "\(file): tensor \(quoted(tensor)): expected data_offsets spanning \(expectedBytes) bytes for shape \(describeShape(shape)) of \(dtype.rawValue), found \(foundBytes) bytes"
        case let .offsetsOutOfBuffer(file, tensor, begin, end, bufferBytes):
            return
                "\(file): tensor \(quoted(tensor)): expected data_offsets within the \(bufferBytes)-byte data buffer, found [\(begin), \(end)]; the file is incomplete or its header is wrong"
        case let .bufferHole(file, begin, end):
            return "\(file): expected the tensors to cover the data buffer without gaps, found bytes \(begin)..<\(end) that belong to no tensor"
        case let .bufferOverlap(file, tensor, begin, end, otherTensor, otherEnd):
            return
                "\(file): expected tensors not to overlap, found tensor \(quoted(tensor)) at [\(begin), \(end)] starting before tensor \(quoted(otherTensor)) ends at \(otherEnd)"
        case let .integerNotRepresentable(file, tensor, index, value):
            return "\(file): tensor \(quoted(tensor)): expected integers that float32 represents exactly, found \(value) at element \(index)"
        case let .writeFailed(file, underlying):
            return "\(file): cannot write safetensors file: \(underlying.operation) failed: \(underlying.reason)"
        }
    }
}

/// A tensor name or dtype in double quotes, as it appears in the JSON header.
private func quoted(_ text: String) -> String {
    "\"\(text)\""
}

/// Formats a shape the way error messages print it, e.g. `[2, 3]`.
private func describeShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
