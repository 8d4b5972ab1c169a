import Foundation
import TensorCore
import Testing

@testable import NN

// MARK: - Helpers

/// A new empty directory under the system's temporary directory, removed by the caller.
private func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("SafeTensorsTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The names in a directory, sorted.
private func listing(_ directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

/// The float32 bit patterns of a tensor's elements, which compare NaN payloads, signed
/// zeros and subnormals exactly.
private func bits(_ tensor: Tensor) -> [UInt32] {
    tensor.scalars.map(\.bitPattern)
}

/// A tensor of the given shape whose elements have exactly the given bit patterns.
private func tensor(shape: [Int], bits patterns: [UInt32]) throws -> Tensor {
    Tensor(shape: shape, scalars: patterns.map(Float.init(bitPattern:)))
}

/// A file made of an 8-byte little-endian header length, the header and the data, with
/// the header taken as is (not padded), so tests control every byte.
private func fileBytes(header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
    let json = Array(header.utf8)
    var bytes = Data()
    withUnsafeBytes(of: (headerLength ?? UInt64(json.count)).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: json)
    bytes.append(contentsOf: data)
    return bytes
}

/// The error that parsing `bytes` (named `bad.safetensors`) throws, or `nil` (recorded as
/// a failure) when it parses.
private func parseError(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) -> SafeTensorsError? {
    #expect(throws: SafeTensorsError.self, sourceLocation: sourceLocation) {
        try SafeTensors(bytes: bytes, source: "bad.safetensors")
    }
}

/// The file name used in the errors of ``parseError(_:sourceLocation:)``.
private let badFile = "bad.safetensors"

// MARK: - Round trips and the Python fixture

@Suite("SafeTensors reading and writing")
struct SafeTensorsTests {
    /// Tensors whose bits are hard to preserve: signed zeros, infinities, NaNs with
    /// payloads (quiet and signalling, both signs), subnormals, the largest finite value,
    /// a rank-0 NaN, empty tensors and an ordinary 3-d tensor.
    private func awkwardTensors() throws -> [String: Tensor] {
        let specials: [UInt32] = [
            0x0000_0000, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0001,
            0x7F80_0001, 0x7FBF_FFFF, 0x0000_0001, 0x807F_FFFF, 0x7F7F_FFFF, 0x3F80_0000,
        ]
        return [
            "specials": try tensor(shape: [3, 4], bits: specials),
            "scalar.nan": try tensor(shape: [], bits: [0x7FC1_2345]),
            "scalar.negative_zero": try tensor(shape: [], bits: [0x8000_0000]),
            "empty": try tensor(shape: [0], bits: []),
            "empty.3d": try tensor(shape: [2, 0, 3], bits: []),
            "layer.weight": Tensor(shape: [3, 4, 5], scalars: (0..<60).map { Float(sin(Double($0))) }),
        ]
    }

    @Test("save then load is bit-exact, through a file and in memory")
    func roundTripIsBitExact() throws {
        let original = SafeTensors(tensors: try awkwardTensors(), metadata: ["format": "pt"])
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try original.write(to: url)

        for loaded in [try SafeTensors(contentsOf: url), try SafeTensors(bytes: original.serialized(), source: "memory")] {
            #expect(loaded.tensors.keys.sorted() == original.tensors.keys.sorted())
            for (name, expected) in original.tensors {
                let actual = try #require(loaded.tensors[name])
                #expect(actual.shape == expected.shape, "\(name)")
                #expect(bits(actual) == bits(expected), "\(name)")
                #expect(loaded.storedTypes[name] == .F32)
            }
            #expect(loaded.metadata == ["format": "pt"])
        }
        #expect(original.storedTypes == original.tensors.mapValues { _ in .F32 })
    }

    @Test("metadata with escapes, control characters and non-ASCII text round-trips")
    func metadataRoundTrip() throws {
        let metadata = [
            "format": "pt",
            "quote\"key": "back\\slash and \"quotes\"",
            "control": "\u{0}\u{1}\n\t\r\u{8}\u{C}\u{1F}\u{7F}",
            "unicode ✓": "ünïcødé 🚀 \u{301}",
            "": "empty key",
            "empty value": "",
        ]
        let file = SafeTensors(tensors: ["x": Tensor([1, 2])], metadata: metadata)
        let loaded = try SafeTensors(bytes: file.serialized(), source: "memory")
        #expect(loaded.metadata == metadata)
        #expect(loaded.metadata.keys.sorted() == metadata.keys.sorted())

        // No metadata: no __metadata__ entry, and an empty file is "{}" padded to 8 bytes.
        let empty = SafeTensors(tensors: [:]).serialized()
        #expect(Array(empty) == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        let reloaded = try SafeTensors(bytes: empty, source: "memory")
        #expect(reloaded.tensors.isEmpty && reloaded.metadata.isEmpty)
        #expect(try SafeTensors(bytes: fileBytes(header: #"{"__metadata__": null}"#), source: "memory").metadata.isEmpty)
    }

    @Test("serialization is deterministic: sorted keys, fixed layout, header padded with spaces")
    func deterministicSerialization() throws {
        let weight = Tensor(shape: [2, 2], scalars: [1, -2, 0.5, 4])
        let bias = Tensor([0.25, -0.0])
        let first = SafeTensors(tensors: ["weight": weight, "bias": bias], metadata: ["b": "2", "a": "1"])
        var second = SafeTensors(tensors: ["zzz": bias], metadata: ["a": "1"])
        second.tensors["weight"] = weight
        second.tensors["bias"] = bias
        second.tensors["zzz"] = nil
        second.metadata["b"] = "2"

        let bytes = first.serialized()
        #expect(second.serialized() == bytes)
        let header =
            #"{"__metadata__":{"a":"1","b":"2"},"#
            + #""bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""weight":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var expected = Data()
        withUnsafeBytes(of: UInt64(padded.utf8.count).littleEndian) { expected.append(contentsOf: $0) }
        expected.append(contentsOf: Array(padded.utf8))
        for value: Float in [0.25, -0.0, 1, -2, 0.5, 4] {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { expected.append(contentsOf: $0) }
        }
        #expect(bytes == expected)
        #expect((bytes.count - 24) % 8 == 0)

        // Reading and writing again reproduces the bytes.
        #expect(try SafeTensors(bytes: bytes, source: "memory").serialized() == bytes)
    }

    /// What `Scripts/make_safetensors_fixture.py` recorded about the file it wrote.
    private struct PythonFixture: Decodable {
        struct Entry: Decodable {
            let dtype: String
            let shape: [Int]
            let data: [Value]
        }

        /// A float32 value: a JSON number, or "Infinity", "-Infinity", "NaN".
        struct Value: Decodable {
            let float: Float

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) {
                    float = Float(number)
                    return
                }
                switch try container.decode(String.self) {
                case "Infinity": float = .infinity
                case "-Infinity": float = -.infinity
                case "NaN": float = .nan
                case let other:
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown value \(other)")
                }
            }
        }

        let metadata: [String: String]
        let tensors: [String: Entry]
    }

    @Test("reads a file written by safetensors.torch.save_file, every dtype")
    func readsPythonWrittenFile() throws {
        let url = try #require(Bundle.module.url(forResource: "python_written", withExtension: "safetensors", subdirectory: "Fixtures"))
        let jsonURL = try #require(Bundle.module.url(forResource: "python_written", withExtension: "json", subdirectory: "Fixtures"))
        let expected = try JSONDecoder().decode(PythonFixture.self, from: Data(contentsOf: jsonURL))
        let file = try SafeTensors(contentsOf: url)

        #expect(file.metadata == expected.metadata)
        #expect(file.tensors.keys.sorted() == expected.tensors.keys.sorted())
        #expect(Set(file.storedTypes.values) == Set(SafeTensorsDType.allCases))
        for (name, entry) in expected.tensors {
            let tensor = try #require(file.tensors[name], "\(name)")
            #expect(tensor.shape == entry.shape, "\(name)")
            #expect(file.storedTypes[name]?.rawValue == entry.dtype, "\(name)")
            #expect(tensor.scalarCount == entry.data.count, "\(name)")
            for (index, (actual, wanted)) in zip(tensor.scalars, entry.data.map(\.float)).enumerated() {
                if wanted.isNaN {
                    #expect(actual.isNaN, "\(name)[\(index)]")
                } else {
                    #expect(actual.bitPattern == wanted.bitPattern, "\(name)[\(index)]: \(actual) != \(wanted)")
                }
            }
        }
        #expect(file.tensors["bn.num_batches_tracked"]?.item() == 1234)
        #expect(file.tensors["bn.num_batches_tracked"]?.rank == 0)
    }

    @Test("an unpadded header: data at odd offsets is read, every byte of a BOOL")
    func unpaddedHeaderIsRead() throws {
        // Writers need not pad the header, so the data may start at any byte and elements
        // are read from unaligned addresses.
        var data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]  // F16 1.0 and -2.0
        data += [0, 1, 2, 255]  // BOOL: any non-zero byte is true
        withUnsafeBytes(of: (0.1 as Double).bitPattern.littleEndian) { data += $0 }
        withUnsafeBytes(of: Int32(-5).littleEndian) { data += $0 }
        let header =
            #"{"h": {"dtype":"F16","shape":[2],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"BOOL","shape":[2,2],"data_offsets":[4,8]},"#
            + #""d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},"#
            + #""i":{"dtype":"I32","shape":[],"data_offsets":[16,20]}}"#
        #expect(Array(header.utf8).count % 2 == 1)
        let file = try SafeTensors(bytes: fileBytes(header: header, data: data), source: "memory")
        #expect(file.tensors["h"]?.scalars == [1, -2])
        #expect(file.tensors["b"]?.scalars == [0, 1, 1, 1])
        #expect(file.tensors["d"]?.scalars == [Float(0.1)])
        #expect(file.tensors["i"]?.shape == [])
        #expect(file.tensors["i"]?.scalars == [-5])
        #expect(file.storedTypes == ["h": .F16, "b": .BOOL, "d": .F64, "i": .I32])
    }

    @Test("integers are exact up to 2^24 and beyond when float32 holds them")
    func exactIntegers() throws {
        var data: [UInt8] = []
        for value: Int64 in [16_777_216, -16_777_216, 33_554_432, -(1 << 62), 0] {
            withUnsafeBytes(of: value.littleEndian) { data += $0 }
        }
        let header = #"{"n":{"dtype":"I64","shape":[5],"data_offsets":[0,40]}}"#
        let file = try SafeTensors(bytes: fileBytes(header: header, data: data), source: "memory")
        #expect(file.tensors["n"]?.scalars == [16_777_216, -16_777_216, 33_554_432, -0x1p62, 0])
    }
}

// MARK: - Atomic writes

@Suite("SafeTensors atomic writes (AtomicFile)")
struct SafeTensorsAtomicWriteTests {
    @Test("writes a new file and leaves no temporary file")
    func createsFile() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("cache.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(try listing(directory) == ["cache.bin"])

        let empty = directory.appendingPathComponent("empty.bin")
        try AtomicFile.write(Data(), to: empty)
        #expect(try Data(contentsOf: empty).isEmpty)
        #expect(try listing(directory) == ["cache.bin", "empty.bin"])
    }

    @Test("replaces an existing file, longer or shorter")
    func replacesExistingFile() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try Data(repeating: 7, count: 1000).write(to: url)

        let file = SafeTensors(tensors: ["w": Tensor([1, 2, 3])])
        try file.write(to: url)
        #expect(try Data(contentsOf: url) == file.serialized())
        try AtomicFile.write(Data(repeating: 9, count: 5000), to: url)
        #expect(try Data(contentsOf: url) == Data(repeating: 9, count: 5000))
        #expect(try listing(directory) == ["model.safetensors"])
    }

    @Test("a failed write throws, names the path and step, and removes the temporary file")
    func failureCleansUp() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        // The destination is a directory: the rename fails after the data was written.
        let occupied = directory.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: false)
        let renameError = #expect(throws: AtomicFileError.self) {
            try AtomicFile.write(Data([1]), to: occupied)
        }
        #expect(renameError?.path == occupied.path)
        #expect(renameError?.operation.hasPrefix("rename ") == true)
        #expect(renameError?.code == EISDIR)
        #expect(try listing(directory) == ["occupied"])
        #expect(try listing(occupied).isEmpty)

        // The directory does not exist: creating the temporary file fails.
        let missing = directory.appendingPathComponent("no-such-dir/file.bin")
        let createError = #expect(throws: AtomicFileError.self) {
            try AtomicFile.write(Data([1]), to: missing)
        }
        #expect(createError?.code == ENOENT)
        #expect(createError?.operation.hasPrefix("create temporary file") == true)
        #expect(createError?.description.hasPrefix("\(missing.path): cannot write atomically: create temporary file ") == true)
        #expect(createError?.description.hasSuffix(" failed: No such file or directory") == true)

        // SafeTensors wraps the failure.
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensors(tensors: [:]).write(to: missing)
        }
        guard case let .writeFailed(file, underlying)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(file == missing.path)
        #expect(underlying.code == ENOENT)
        #expect(try listing(directory) == ["occupied"])
    }
}

// MARK: - Corrupt input

@Suite("SafeTensors corrupt input")
struct SafeTensorsCorruptInputTests {
    /// Tensors `a` (2 floats, bytes 0..<8) and `b` (3 floats, bytes 8..<20).
    private let valid = SafeTensors(tensors: ["a": Tensor([1, 2]), "b": Tensor([3, 4, 5])]).serialized()

    /// The header length of ``valid``.
    private var validHeaderLength: Int {
        valid.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    @Test("files cut at any point throw the error for where the cut is")
    func truncatedFiles() {
        let headerLength = validHeaderLength
        #expect(valid.count == 8 + headerLength + 20)
        for cut in [0, 1, 7] {
            #expect(parseError(valid.prefix(cut)) == .fileTooShort(file: badFile, foundBytes: cut))
        }
        for cut in [8, 9, 8 + headerLength / 2, 8 + headerLength - 1] {
            #expect(
                parseError(valid.prefix(cut))
                    == .headerLengthExceedsFile(file: badFile, headerLength: UInt64(headerLength), availableBytes: cut - 8))
        }
        let dataStart = 8 + headerLength
        #expect(
            parseError(valid.prefix(dataStart))
                == .offsetsOutOfBuffer(file: badFile, tensor: "a", begin: 0, end: 8, bufferBytes: 0))
        for kept in [8, 10, 19] {
            #expect(
                parseError(valid.prefix(dataStart + kept))
                    == .offsetsOutOfBuffer(file: badFile, tensor: "b", begin: 8, end: 20, bufferBytes: kept))
        }
    }

    @Test("a header length that is off by one breaks the JSON")
    func wrongHeaderLength() {
        let header = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#
        let length = UInt64(header.utf8.count)
        for wrong in [length - 1, length + 1, 0] {
            let error = parseError(fileBytes(header: header, data: [0x80], headerLength: wrong))
            guard case let .invalidHeader(file, _)? = error else {
                Issue.record("header length \(wrong): expected invalidHeader, got \(String(describing: error))")
                continue
            }
            #expect(file == badFile)
        }
    }

    @Test(
        "headers that are not a JSON object",
        arguments: [
            #"{"a": "#, #"[1, 2]"#, #""text""#, "null", "42", "{'a': 1}", "", "   ", #"{"a": 1} trailing"#,
            String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
        ])
    func notAJSONObject(header: String) {
        let error = parseError(fileBytes(header: header))
        guard case let .invalidHeader(file, reason)? = error else {
            Issue.record("expected invalidHeader, got \(String(describing: error))")
            return
        }
        #expect(file == badFile)
        #expect(!reason.isEmpty)
    }

    @Test("a header that is not UTF-8")
    func notUTF8() throws {
        var bytes = fileBytes(header: #"{"a\#u{1}": 1}"#)
        bytes[try #require(bytes.lastIndex(of: 0x01))] = 0xFF
        #expect(parseError(bytes) == .invalidHeader(file: badFile, reason: "bytes that are not valid UTF-8"))
    }

    @Test(
        "entries with a missing or wrongly typed field",
        arguments: [
            (#"{"t": 5}"#, "the entry", "5"),
            (#"{"t": {"shape": [1], "data_offsets": [0, 4]}}"#, "dtype", "missing"),
            (#"{"t": {"dtype": 32, "shape": [1], "data_offsets": [0, 4]}}"#, "dtype", "32"),
            (#"{"t": {"dtype": "F32", "data_offsets": [0, 4]}}"#, "shape", "missing"),
            (#"{"t": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}"#, "shape", #""1""#),
            (#"{"t": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, "shape", "[1.5]"),
            (#"{"t": {"dtype": "F32", "shape": [1]}}"#, "data_offsets", "missing"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#, "data_offsets", "[0]"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}"#, "data_offsets", "[0, 4, 8]"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#, "data_offsets", "[4, 0]"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#, "data_offsets", "[-4, 0]"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e30]}}"#, "data_offsets", "[0, 1e+30]"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": null}}"#, "data_offsets", "null"),
        ])
    func invalidEntries(header: String, field: String, found: String) {
        let error = parseError(fileBytes(header: header, data: [0, 0, 0, 0]))
        guard case let .invalidEntry(file, tensor, actualField, _, actualFound)? = error else {
            Issue.record("expected invalidEntry, got \(String(describing: error))")
            return
        }
        #expect(file == badFile)
        #expect(tensor == "t")
        #expect(actualField == field)
        #expect(actualFound == found)
    }

    @Test("metadata that does not map strings to strings")
    func invalidMetadata() {
        #expect(
            parseError(fileBytes(header: #"{"__metadata__": {"epoch": 3}}"#))
                == .invalidMetadata(file: badFile, reason: "epoch = 3"))
        #expect(
            parseError(fileBytes(header: #"{"__metadata__": ["a"]}"#))
                == .invalidMetadata(file: badFile, reason: #"["a"]"#))
    }

    @Test("an unsupported dtype is named, with the supported ones", arguments: ["F8_E4M3", "U16", "U64", "f32", ""])
    func unsupportedDType(dtype: String) throws {
        let error = parseError(fileBytes(header: #"{"t": {"dtype": "\#(dtype)", "shape": [1], "data_offsets": [0, 2]}}"#, data: [0, 0]))
        #expect(error == .unsupportedDType(file: badFile, tensor: "t", found: dtype))
        #expect(
            try #require(error).description
                == "bad.safetensors: tensor \"t\": unsupported dtype \"\(dtype)\"; expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL")
    }

    @Test("a negative dimension")
    func negativeDimension() {
        #expect(
            parseError(fileBytes(header: #"{"t": {"dtype": "F32", "shape": [-2, -2], "data_offsets": [0, 16]}}"#, data: Array(repeating: 0, count: 16)))
                == .negativeDimension(file: badFile, tensor: "t", shape: [-2, -2]))
    }

    @Test("offsets that do not span product(shape) · dtype size bytes")
    func sizeMismatch() throws {
        let error = parseError(fileBytes(header: #"{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}}"#, data: Array(repeating: 0, count: 12)))
        #expect(error == .sizeMismatch(file: badFile, tensor: "t", dtype: .F32, shape: [2], expectedBytes: 8, foundBytes: 12))
        #expect(
            try #require(error).description
                == "bad.safetensors: tensor \"t\": expected data_offsets spanning 8 bytes for shape [2] of F32, found 12 bytes")
        #expect(
            parseError(fileBytes(header: #"{"t": {"dtype": "BF16", "shape": [3, 0], "data_offsets": [0, 2]}}"#, data: [0, 0]))
                == .sizeMismatch(file: badFile, tensor: "t", dtype: .BF16, shape: [3, 0], expectedBytes: 0, foundBytes: 2))
    }

    @Test("shapes whose byte count overflows Int", arguments: [[Int.max, 2], [1 << 62, 4], [1 << 31, 1 << 31, 2]])
    func tensorTooLarge(shape: [Int]) {
        let dims = shape.map(String.init).joined(separator: ",")
        #expect(
            parseError(fileBytes(header: #"{"t": {"dtype": "F32", "shape": [\#(dims)], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]))
                == .tensorTooLarge(file: badFile, tensor: "t", dtype: .F32, shape: shape))
    }

    @Test("offsets past the end of the data buffer")
    func offsetsOutOfBuffer() {
        #expect(
            parseError(fileBytes(header: #"{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: [0, 0, 0, 0]))
                == .offsetsOutOfBuffer(file: badFile, tensor: "t", begin: 0, end: 8, bufferBytes: 4))
    }

    @Test("holes: bytes before, between or after the tensors")
    func holes() {
        let gap = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}"#
        #expect(
            parseError(fileBytes(header: gap, data: Array(repeating: 0, count: 12)))
                == .bufferHole(file: badFile, begin: 4, end: 8))
        let leading = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#
        #expect(
            parseError(fileBytes(header: leading, data: Array(repeating: 0, count: 8)))
                == .bufferHole(file: badFile, begin: 0, end: 4))
        let trailing = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#
        #expect(
            parseError(fileBytes(header: trailing, data: Array(repeating: 0, count: 6)))
                == .bufferHole(file: badFile, begin: 4, end: 6))
        #expect(
            parseError(fileBytes(header: "{}", data: [1]))
                == .bufferHole(file: badFile, begin: 0, end: 1))
    }

    @Test("overlaps: tensors that share bytes")
    func overlaps() {
        let partial = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
        #expect(
            parseError(fileBytes(header: partial, data: Array(repeating: 0, count: 12)))
                == .bufferOverlap(file: badFile, tensor: "b", begin: 4, end: 12, otherTensor: "a", otherEnd: 8))
        let same = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}}"#
        #expect(
            parseError(fileBytes(header: same, data: Array(repeating: 0, count: 4)))
                == .bufferOverlap(file: badFile, tensor: "b", begin: 0, end: 4, otherTensor: "a", otherEnd: 4))
        let emptyInside = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}}"#
        #expect(
            parseError(fileBytes(header: emptyInside, data: Array(repeating: 0, count: 8)))
                == .bufferOverlap(file: badFile, tensor: "e", begin: 4, end: 4, otherTensor: "a", otherEnd: 8))
    }

    @Test("header lengths above the 100 MB limit", arguments: [UInt64.max, UInt64(Int.max), 100_000_001])
    func hugeHeaderLength(length: UInt64) {
        #expect(
            parseError(fileBytes(header: "{}", headerLength: length))
                == .headerTooLarge(file: badFile, headerLength: length, limit: 100_000_000))
        #expect(
            parseError(fileBytes(header: "{}", headerLength: 100_000_000))
                == .headerLengthExceedsFile(file: badFile, headerLength: 100_000_000, availableBytes: 2))
    }

    @Test("integers that float32 cannot represent exactly")
    func integerNotRepresentable() throws {
        var int64s: [UInt8] = []
        for value: Int64 in [1, 16_777_217, .max] {
            withUnsafeBytes(of: value.littleEndian) { int64s += $0 }
        }
        let error = parseError(fileBytes(header: #"{"n": {"dtype": "I64", "shape": [3], "data_offsets": [0, 24]}}"#, data: int64s))
        #expect(error == .integerNotRepresentable(file: badFile, tensor: "n", index: 1, value: 16_777_217))
        #expect(
            try #require(error).description
                == "bad.safetensors: tensor \"n\": expected integers that float32 represents exactly, found 16777217 at element 1")

        var int32s: [UInt8] = []
        withUnsafeBytes(of: Int32(-16_777_219).littleEndian) { int32s += $0 }
        #expect(
            parseError(fileBytes(header: #"{"n": {"dtype": "I32", "shape": [], "data_offsets": [0, 4]}}"#, data: int32s))
                == .integerNotRepresentable(file: badFile, tensor: "n", index: 0, value: -16_777_219))
    }

    @Test("files that cannot be read")
    func unreadableFiles() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.safetensors")
        #expect(throws: SafeTensorsError.unreadableFile(file: missing.path, reason: "no such file")) {
            try SafeTensors(contentsOf: missing)
        }
        #expect(throws: SafeTensorsError.unreadableFile(file: directory.path, reason: "expected a file, found a directory")) {
            try SafeTensors(contentsOf: directory)
        }
        let error = SafeTensorsError.unreadableFile(file: missing.path, reason: "no such file")
        #expect(error.description == "\(missing.path): cannot be read: no such file")
    }

    @Test("no cut or byte change of the Python file crashes the reader")
    func damagedFilesNeverCrash() throws {
        let url = try #require(Bundle.module.url(forResource: "python_written", withExtension: "safetensors", subdirectory: "Fixtures"))
        let original = try Data(contentsOf: url)
        var parsed = 0
        for cut in 0..<original.count {
            if (try? SafeTensors(bytes: original.prefix(cut), source: "cut")) != nil { parsed += 1 }
        }
        // Only the complete file is valid; the header is padded with spaces, but cutting a
        // space out of the header still leaves the data one byte short.
        #expect(parsed == 0)

        // Every fifth byte replaced by a value that varies with its position (deterministic).
        for index in stride(from: original.startIndex, to: original.endIndex, by: 5) {
            var damaged = original
            damaged[index] = UInt8(truncatingIfNeeded: index &* 37 &+ 11)
            _ = try? SafeTensors(bytes: damaged, source: "damaged")
        }
    }
}
