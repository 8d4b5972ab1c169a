// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import Foundation
import TensorCore

// The JSON reference fixtures that the scripts under Scripts/ write into the test targets'
// Fixtures/ folders (tensor_ops.json and kernel_ops.json for TensorCoreTests,
// nn_modules.json for NNTests): the tensor and attribute encodings they share, loading
// from a test bundle, an attribute reader that fails on anything it was not asked for,
// and the comparison of computed tensors with reference values.

// MARK: - Values

/// A tensor as a fixture stores it: shape plus row-major values.
public struct FixtureTensor: Decodable, Sendable {
    public let shape: [Int]
    /// The row-major values; for a sampled tensor every ``stride``-th one, from index 0.
    public let data: [Float]
    /// For a large tensor the script keeps only every `stride`-th value, plus ``sum`` and
    /// ``absoluteSum`` of all of them (float64); `nil` when every value is stored.
    public let stride: Int?
    /// The sum of all values of a sampled tensor.
    public let sum: Double?
    /// The sum of the absolute values of a sampled tensor.
    public let absoluteSum: Double?

    /// A tensor with the given shape and row-major values.
    public init(shape: [Int], data: [Float]) {
        self.shape = shape
        self.data = data
        (stride, sum, absoluteSum) = (nil, nil, nil)
    }

    private enum CodingKeys: String, CodingKey { case shape, data, stride, sum, abs_sum }

    /// Decodes the values as doubles first: Foundation refuses a number that underflows
    /// Float (such as 7e-58, a valid reference for a vanishing gradient), while the
    /// conversion rounds it to zero as float32 arithmetic would.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shape = try container.decode([Int].self, forKey: .shape)
        data = try container.decode([Double].self, forKey: .data).map { Float($0) }
        stride = try container.decodeIfPresent(Int.self, forKey: .stride)
        sum = try container.decodeIfPresent(Double.self, forKey: .sum)
        absoluteSum = try container.decodeIfPresent(Double.self, forKey: .abs_sum)
    }

    /// The tensor; fails for a sampled one, which holds only part of the values.
    public func tensor() throws -> Tensor {
        guard stride == nil else { throw FixtureError("a sampled fixture tensor \(shape) holds every \(stride!)-th value only") }
        return Tensor(shape: shape, scalars: data)
    }
}

/// A JSON attribute value.
public enum FixtureValue: Decodable, Sendable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([FixtureValue])
    case object([String: FixtureValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let values = try? container.decode([FixtureValue].self) {
            self = .array(values)
        } else {
            self = .object(try container.decode([String: FixtureValue].self))
        }
    }

    public var description: String {
        switch self {
        case let .number(value): "\(value)"
        case let .string(value): "\"\(value)\""
        case let .bool(value): "\(value)"
        case let .array(values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case let .object(values): "{" + values.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .null: "null"
        }
    }
}

/// Why a fixture or one of its cases could not be used; thrown so that the test fails.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// MARK: - Loading

/// A fixture case, looked up by its name.
public protocol NamedFixtureCase: Decodable, Sendable {
    var name: String { get }
}

/// A fixture file: its cases, plus whatever else the file holds.
public protocol FixtureCaseFile: Decodable, Sendable {
    associatedtype Case: NamedFixtureCase
    var cases: [Case] { get }
}

/// One JSON file of the test bundle's Fixtures folder, decoded once, with its cases by name.
/// Non-finite numbers are stored as the strings "NaN", "Infinity" and "-Infinity".
public struct FixtureCatalog<File: FixtureCaseFile>: Sendable {
    /// The decoded file, or why it cannot be used.
    public let file: Result<File, FixtureError>
    /// The cases by name (the first one wins where names repeat; the tests reject that).
    public let casesByName: [String: File.Case]

    /// Loads `Fixtures/<resource>.json` from a test target's `bundle`; `generator` (a
    /// script) writes it.
    public init(resource: String, generator: String, bundle: Bundle) {
        file = loadFixture(File.self, resource: resource, generator: generator, bundle: bundle)
        if case let .success(file) = file {
            casesByName = Dictionary(file.cases.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        } else {
            casesByName = [:]
        }
    }

    /// The case names in file order; throws (failing the test) when the file is unusable.
    public func caseNames() throws -> [String] {
        try file.get().cases.map(\.name)
    }
}

/// Decodes `Fixtures/<resource>.json` from a test target's `bundle`, or says why it cannot.
/// Non-finite numbers are read from the strings "NaN", "Infinity" and "-Infinity".
public func loadFixture<File: Decodable>(
    _ type: File.Type, resource: String, generator: String, bundle: Bundle
) -> Result<File, FixtureError> {
    let path = "Fixtures/\(resource).json"
    guard let url = bundle.url(forResource: resource, withExtension: "json", subdirectory: "Fixtures") else {
        return .failure(FixtureError("\(path) is missing from the test bundle; run \(generator)"))
    }
    do {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return .success(try decoder.decode(File.self, from: Data(contentsOf: url)))
    } catch {
        return .failure(FixtureError("cannot decode \(path): \(error)"))
    }
}

/// A fixture file made of sections of named cases (`{"layers": [...], "losses": [...]}`),
/// decoded once, with the case names of a section for parameterised tests and a lookup by
/// name.
public struct FixtureSections<File: Decodable & Sendable>: Sendable {
    /// The decoded file, or why it cannot be used.
    public let file: Result<File, FixtureError>

    /// Loads `Fixtures/<resource>.json` from a test target's `bundle`; `generator` writes it.
    public init(resource: String, generator: String, bundle: Bundle) {
        file = loadFixture(File.self, resource: resource, generator: generator, bundle: bundle)
    }

    /// The case names of a section (one placeholder name when the file is unusable, so the
    /// parameterised test runs and reports why).
    public func names<Case>(_ section: KeyPath<File, [Case]>, _ name: KeyPath<Case, String>) -> [String] {
        (try? file.get()[keyPath: section].map { $0[keyPath: name] }) ?? ["<fixture file unusable>"]
    }

    /// The case of a section called `wanted`.
    public func lookup<Case>(_ section: KeyPath<File, [Case]>, _ name: KeyPath<Case, String>, _ wanted: String) throws -> Case {
        guard let found = try file.get()[keyPath: section].first(where: { $0[keyPath: name] == wanted }) else {
            throw FixtureError("no fixture case \(wanted)")
        }
        return found
    }
}

/// A namespace (an enum) for one fixture file of named-case sections: it provides
/// `sections` and gets from them the file, a section's case names and the lookup of a case
/// by name, as in `MyFixtures.lookup(\.layers, \.name, name)`.
public protocol SectionedFixtures {
    associatedtype File: Decodable & Sendable
    /// The file, loaded once (a `static let`).
    static var sections: FixtureSections<File> { get }
}

extension SectionedFixtures {
    /// The decoded file, or why it cannot be used.
    public static var file: Result<File, FixtureError> { sections.file }

    /// The case names of a section, as ``FixtureSections/names(_:_:)``: the arguments of a
    /// parameterised test.
    public static func names<Case>(_ section: KeyPath<File, [Case]>, _ name: KeyPath<Case, String>) -> [String] {
        sections.names(section, name)
    }

    /// The case of a section called `wanted`; throws (failing the test) when there is none.
    public static func lookup<Case>(_ section: KeyPath<File, [Case]>, _ name: KeyPath<Case, String>, _ wanted: String) throws -> Case {
        try sections.lookup(section, name, wanted)
    }
}

// MARK: - Attributes

/// Reads a case's attributes with type checks, remembering which ones were read so that
/// an attribute the dispatcher ignores (a typo, or a semantics it does not implement)
/// fails the case.
public final class AttributeReader {
    public let op: String
    public let values: [String: FixtureValue]
    private var used: Set<String> = []

    public init(op: String, values: [String: FixtureValue]) {
        self.op = op
        self.values = values
    }

    private func value(_ key: String) -> FixtureValue? {
        used.insert(key)
        switch values[key] {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    private func missing(_ key: String) -> FixtureError {
        FixtureError("\(op): missing attribute \"\(key)\"")
    }

    private func wrongType(_ key: String, _ expected: String) -> FixtureError {
        FixtureError("\(op): attribute \"\(key)\" should be \(expected), found \(values[key].map(\.description) ?? "nothing")")
    }

    /// What `read` finds, or a missing-attribute error when it finds nothing.
    private func required<Value>(_ key: String, _ read: (String) throws -> Value?) throws -> Value {
        guard let value = try read(key) else { throw missing(key) }
        return value
    }

    private static func integer(_ value: FixtureValue) -> Int? {
        guard case let .number(number) = value, number.rounded() == number, Swift.abs(number) < 0x1p53 else { return nil }
        return Int(number)
    }

    public func optionalInt(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let integer = Self.integer(value) else { throw wrongType(key, "an integer") }
        return integer
    }

    public func int(_ key: String) throws -> Int { try required(key, optionalInt) }

    public func optionalFloat(_ key: String) throws -> Float? {
        guard let value = value(key) else { return nil }
        guard case let .number(number) = value else { throw wrongType(key, "a number") }
        return Float(number)
    }

    public func float(_ key: String) throws -> Float { try required(key, optionalFloat) }

    public func optionalBool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard case let .bool(flag) = value else { throw wrongType(key, "true or false") }
        return flag
    }

    public func bool(_ key: String) throws -> Bool { try required(key, optionalBool) }

    public func string(_ key: String) throws -> String {
        guard let value = value(key) else { throw missing(key) }
        guard case let .string(text) = value else { throw wrongType(key, "a string") }
        return text
    }

    public func uint64(_ key: String) throws -> UInt64 {
        let value = try int(key)
        guard value >= 0 else { throw wrongType(key, "a non-negative integer") }
        return UInt64(value)
    }

    public func ints(_ key: String) throws -> [Int] {
        guard let value = value(key) else { throw missing(key) }
        guard case let .array(elements) = value else { throw wrongType(key, "a list of integers") }
        return try elements.map { element in
            guard let integer = Self.integer(element) else { throw wrongType(key, "a list of integers") }
            return integer
        }
    }

    /// A list of `count` integers, or nil when the attribute is absent or null.
    public func optionalInts(_ key: String, count: Int) throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case let .array(elements) = value, elements.count == count else {
            throw wrongType(key, "a list of \(count) integers")
        }
        return try elements.map { element in
            guard let integer = Self.integer(element) else { throw wrongType(key, "a list of \(count) integers") }
            return integer
        }
    }

    public func intPairs(_ key: String) throws -> [(Int, Int)] {
        guard let value = value(key) else { throw missing(key) }
        guard case let .array(elements) = value else { throw wrongType(key, "a list of [before, after] pairs") }
        return try elements.map { element in
            guard case let .array(pair) = element, pair.count == 2,
                let first = Self.integer(pair[0]), let second = Self.integer(pair[1])
            else {
                throw wrongType(key, "a list of [before, after] pairs")
            }
            return (first, second)
        }
    }

    /// `[height, width]`, or nil when absent or null.
    public func optionalSize(_ key: String) throws -> Size2D? {
        try optionalInts(key, count: 2).map { Size2D($0[0], $0[1]) }
    }

    /// `[height, width]`.
    public func size(_ key: String) throws -> Size2D { try required(key, optionalSize) }

    /// `[top, bottom, left, right]`.
    public func padding(_ key: String) throws -> Padding2D {
        let sides = try required(key) { try optionalInts($0, count: 4) }
        return Padding2D(top: sides[0], bottom: sides[1], left: sides[2], right: sides[3])
    }

    /// A list of numbers.
    public func floats(_ key: String) throws -> [Float] {
        guard let value = value(key) else { throw missing(key) }
        guard case let .array(elements) = value else { throw wrongType(key, "a list of numbers") }
        return try elements.map { element in
            guard case let .number(number) = element else { throw wrongType(key, "a list of numbers") }
            return Float(number)
        }
    }

    /// A list of numbers, or nil when absent or null.
    public func optionalFloats(_ key: String) throws -> [Float]? {
        guard values[key] != nil, case .array = values[key] else {
            _ = value(key)
            return nil
        }
        return try floats(key)
    }

    /// A JSON object.
    public func object(_ key: String) throws -> [String: FixtureValue] {
        guard let value = value(key) else { throw missing(key) }
        guard case let .object(object) = value else { throw wrongType(key, "an object") }
        return object
    }

    /// A list of JSON objects.
    public func objects(_ key: String) throws -> [[String: FixtureValue]] {
        guard let value = value(key) else { throw missing(key) }
        guard case let .array(elements) = value else { throw wrongType(key, "a list of objects") }
        return try elements.map { element in
            guard case let .object(object) = element else { throw wrongType(key, "a list of objects") }
            return object
        }
    }

    /// Throws when the fixture gave an attribute that the dispatcher never read.
    public func requireAllUsed() throws {
        let unused = Set(values.keys).subtracting(used).sorted()
        guard unused.isEmpty else {
            throw FixtureError("\(op): attribute(s) \(unused) not understood by the Swift dispatcher")
        }
    }
}

// MARK: - Comparison

/// How close a computed value must be to its reference: within
/// `absolute + relative·|expected|`.
public struct FixtureTolerance: Sendable, CustomStringConvertible {
    public let absolute: Float
    public let relative: Float
    /// Whether a NaN matches a NaN and an infinity the same infinity. When false, a
    /// non-finite value, computed or expected, never matches.
    public let matchesNonFinite: Bool

    /// A tolerance of `absolute + relative·|expected|`.
    public init(absolute: Float, relative: Float, matchesNonFinite: Bool) {
        self.absolute = absolute
        self.relative = relative
        self.matchesNonFinite = matchesNonFinite
    }

    public func matches(_ actual: Float, _ expected: Float) -> Bool {
        if actual.isFinite && expected.isFinite {
            return Swift.abs(actual - expected) <= absolute + relative * Swift.abs(expected)
        }
        guard matchesNonFinite else { return false }
        return expected.isNaN ? actual.isNaN : actual == expected
    }

    /// Descriptions of the ways `actual` differs from `expected`: its shape, or each
    /// mismatching element (empty when everything matches).
    public func mismatches(_ actual: Tensor, _ expected: FixtureTensor) -> [String] {
        guard actual.shape == expected.shape else {
            return ["shape \(actual.shape), expected \(expected.shape)"]
        }
        let all = actual.scalars
        let sampling = expected.stride ?? 1
        var found: [String] = []
        if expected.stride != nil {
            // A sampled tensor: the kept values below, and the sums of all values here,
            // within the tolerance summed over the elements.
            let count = Double(all.count)
            let (sum, absoluteSum) = all.reduce(into: (0.0, 0.0)) {
                $0.0 += Double($1); $0.1 += Double(Swift.abs($1))
            }
            let slack = count * Double(absolute) + Double(relative) * absoluteSum
            if let want = expected.sum, Swift.abs(sum - want) > slack { found.append("sum \(sum), expected \(want)") }
            if let want = expected.absoluteSum, Swift.abs(absoluteSum - want) > slack { found.append("sum of |x| \(absoluteSum), expected \(want)") }
        }
        let values = Swift.stride(from: 0, to: all.count, by: sampling).map { all[$0] }
        guard values.count == expected.data.count else {
            return ["\(values.count) values, the fixture has \(expected.data.count) for shape \(expected.shape) (stride \(sampling))"]
        }
        var strides = [Int](repeating: 1, count: expected.shape.count)
        for axis in strides.indices.dropLast().reversed() { strides[axis] = strides[axis + 1] * expected.shape[axis + 1] }
        for index in expected.data.indices where !matches(values[index], expected.data[index]) {
            let (got, want) = (values[index], expected.data[index])
            var rest = index * sampling
            let position = strides.map { stride -> Int in
                defer { rest %= stride }
                return rest / stride
            }
            found.append("at \(position) (flat \(index * sampling)): got \(got), expected \(want) (difference \(got - want))")
        }
        return found
    }

    public var description: String { "atol \(absolute), rtol \(relative)" }
}

/// Throws a readable error, failing the test, when `actual` does not match `expected`
/// within `tolerance`: its shape, or the first five mismatching elements, under the name
/// `what`.
public func expectClose(_ actual: Tensor, _ expected: FixtureTensor, _ tolerance: FixtureTolerance, _ what: String) throws {
    let mismatches = tolerance.mismatches(actual, expected)
    guard mismatches.isEmpty else {
        throw FixtureError("\(what) differs (\(tolerance)): " + mismatches.prefix(5).joined(separator: "; "))
    }
}
