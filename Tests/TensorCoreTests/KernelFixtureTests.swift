import Foundation
import Testing
@testable import TensorCore

// Spatial kernels against PyTorch: forward outputs, gradients and running statistics.
//
// The cases live in Fixtures/kernel_ops.json, written by Scripts/make_kernel_fixtures.py
// (`pip install torch numpy`, then run it to regenerate). Each case names an operation,
// its attributes, its input tensors, a fixed upstream gradient R and PyTorch's float64
// results: the output, the gradients of loss = sum(output · R) with respect to the input,
// weight and bias, and for training-mode batch normalisation the updated running
// statistics. An unknown operation, an unread attribute or input, or a result the case
// does not check (or checks but the Swift side does not produce) fails the case.

// MARK: - Fixture model

/// A tensor as the kernel fixture stores it: shape plus row-major values.
struct KernelFixtureTensor: Decodable, Sendable {
    let shape: [Int]
    let data: [Float]

    func tensor() throws -> Tensor { try Tensor(shape: shape, scalars: data) }
}

/// A JSON attribute value of a kernel fixture case.
enum KernelFixtureValue: Decodable, Sendable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([KernelFixtureValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .array(try container.decode([KernelFixtureValue].self))
        }
    }

    var description: String {
        switch self {
        case let .number(value): "\(value)"
        case let .string(value): "\"\(value)\""
        case let .bool(value): "\(value)"
        case let .array(values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }
}

/// One PyTorch reference case.
struct KernelFixtureCase: Decodable, Sendable {
    let name: String
    let op: String
    let attrs: [String: KernelFixtureValue]
    let inputs: [String: KernelFixtureTensor]
    let projection: KernelFixtureTensor
    let expected: [String: KernelFixtureTensor]
    let gradients: [String: KernelFixtureTensor]
}

struct KernelFixtureFile: Decodable, Sendable {
    let version: Int
    let torch: String
    let cases: [KernelFixtureCase]
}

/// Why a kernel case could not be evaluated; thrown so that the case fails.
struct KernelFixtureError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a case's attributes with type checks, remembering which were read so that an
/// attribute the dispatcher ignores fails the case.
final class KernelAttributeReader {
    let op: String
    let values: [String: KernelFixtureValue]
    private var used: Set<String> = []

    init(op: String, values: [String: KernelFixtureValue]) {
        self.op = op
        self.values = values
    }

    private func value(_ key: String) -> KernelFixtureValue? {
        used.insert(key)
        switch values[key] {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    private func missing(_ key: String) -> KernelFixtureError {
        KernelFixtureError("\(op): missing attribute \"\(key)\"")
    }

    private func wrongType(_ key: String, _ expected: String) -> KernelFixtureError {
        KernelFixtureError("\(op): attribute \"\(key)\" should be \(expected), found \(values[key].map(\.description) ?? "nothing")")
    }

    private static func integer(_ value: KernelFixtureValue) -> Int? {
        guard case let .number(number) = value, number.rounded() == number, Swift.abs(number) < 0x1p53 else { return nil }
        return Int(number)
    }

    func int(_ key: String) throws -> Int {
        guard let value = value(key) else { throw missing(key) }
        guard let integer = Self.integer(value) else { throw wrongType(key, "an integer") }
        return integer
    }

    func float(_ key: String) throws -> Float {
        guard let value = value(key) else { throw missing(key) }
        guard case let .number(number) = value else { throw wrongType(key, "a number") }
        return Float(number)
    }

    func bool(_ key: String) throws -> Bool {
        guard let value = value(key) else { throw missing(key) }
        guard case let .bool(flag) = value else { throw wrongType(key, "true or false") }
        return flag
    }

    func string(_ key: String) throws -> String {
        guard let value = value(key) else { throw missing(key) }
        guard case let .string(text) = value else { throw wrongType(key, "a string") }
        return text
    }

    /// A list of `count` integers, or nil when the attribute is absent or null.
    func optionalInts(_ key: String, count: Int) throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case let .array(elements) = value, elements.count == count else {
            throw wrongType(key, "a list of \(count) integers")
        }
        return try elements.map { element in
            guard let integer = Self.integer(element) else { throw wrongType(key, "a list of \(count) integers") }
            return integer
        }
    }

    /// `[height, width]`, or nil when null.
    func optionalSize(_ key: String) throws -> Size2D? {
        try optionalInts(key, count: 2).map { Size2D($0[0], $0[1]) }
    }

    /// `[height, width]`.
    func size(_ key: String) throws -> Size2D {
        guard let size = try optionalSize(key) else { throw missing(key) }
        return size
    }

    /// `[top, bottom, left, right]`.
    func padding(_ key: String) throws -> Padding2D {
        guard let sides = try optionalInts(key, count: 4) else { throw missing(key) }
        return Padding2D(top: sides[0], bottom: sides[1], left: sides[2], right: sides[3])
    }

    /// Throws when the fixture gave an attribute that the dispatcher never read.
    func requireAllUsed() throws {
        let unused = Set(values.keys).subtracting(used).sorted()
        guard unused.isEmpty else {
            throw KernelFixtureError("\(op): attribute(s) \(unused) not understood by the Swift dispatcher")
        }
    }
}

// MARK: - Loading and dispatch

enum KernelFixtures {
    /// The decoded fixture file, loaded once.
    static let file: Result<KernelFixtureFile, KernelFixtureError> = {
        guard let url = Bundle.module.url(forResource: "kernel_ops", withExtension: "json", subdirectory: "Fixtures") else {
            return .failure(KernelFixtureError("Fixtures/kernel_ops.json is missing from the test bundle; run Scripts/make_kernel_fixtures.py"))
        }
        do {
            return .success(try JSONDecoder().decode(KernelFixtureFile.self, from: Data(contentsOf: url)))
        } catch {
            return .failure(KernelFixtureError("cannot decode Fixtures/kernel_ops.json: \(error)"))
        }
    }()

    static let casesByName: [String: KernelFixtureCase] = {
        guard case let .success(file) = file else { return [:] }
        return Dictionary(file.cases.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }()

    /// The case names in file order; throws (failing the test) when the file is unusable.
    static func caseNames() throws -> [String] {
        try file.get().cases.map(\.name)
    }

    /// Every operation `evaluate(_:)` understands; the fixture must exercise each.
    static let knownOps: Set<String> = [
        "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "resize",
    ]

    /// Inputs that are differentiated (tracked as leaves) when a case has them.
    static let differentiableInputs = ["input", "weight", "bias"]

    static let absoluteTolerance: Float = 1e-4
    static let relativeTolerance: Float = 1e-4

    /// What the Swift side computed for a case.
    struct Evaluation {
        /// "output" and, for training batch normalisation, "running_mean" / "running_var".
        var results: [String: Tensor]
        /// Gradients of sum(output · R) by differentiable input name.
        var gradients: [String: Tensor]
    }

    /// Runs the Swift operation a case describes, and its backward pass.
    static func evaluate(_ testCase: KernelFixtureCase) throws -> Evaluation {
        var tensors: [String: Tensor] = [:]
        for (key, value) in testCase.inputs {
            let tensor = try value.tensor()
            tensors[key] = differentiableInputs.contains(key) ? tensor.trackingGradients() : tensor
        }
        var usedInputs: Set<String> = []
        func input(_ key: String) throws -> Tensor {
            usedInputs.insert(key)
            guard let tensor = tensors[key] else { throw KernelFixtureError("\(testCase.op): missing input \"\(key)\"") }
            return tensor
        }
        func optionalInput(_ key: String) -> Tensor? {
            usedInputs.insert(key)
            return tensors[key]
        }
        let attributes = KernelAttributeReader(op: testCase.op, values: testCase.attrs)

        var results: [String: Tensor] = [:]
        let output: Tensor
        switch testCase.op {
        case "conv2d":
            output = try Tensor.conv2d(
                try input("input"), weight: try input("weight"), bias: optionalInput("bias"),
                stride: try attributes.size("stride"), padding: try attributes.padding("padding"),
                dilation: try attributes.size("dilation"), groups: try attributes.int("groups"))
        case "conv_transpose2d":
            output = try Tensor.convTranspose2d(
                try input("input"), weight: try input("weight"), bias: optionalInput("bias"),
                stride: try attributes.size("stride"), padding: try attributes.padding("padding"),
                outputPadding: try attributes.size("output_padding"), dilation: try attributes.size("dilation"),
                groups: try attributes.int("groups"))
        case "max_pool2d":
            output = try input("input").maxPool2d(
                kernel: try attributes.size("kernel"), stride: try attributes.optionalSize("stride"),
                padding: try attributes.size("padding"), dilation: try attributes.size("dilation"),
                ceilMode: try attributes.bool("ceil_mode"))
        case "avg_pool2d":
            output = try input("input").avgPool2d(
                kernel: try attributes.size("kernel"), stride: try attributes.optionalSize("stride"),
                padding: try attributes.size("padding"), ceilMode: try attributes.bool("ceil_mode"),
                divisor: try attributes.bool("count_include_pad") ? .includingPadding : .excludingPadding)
        case "adaptive_avg_pool2d":
            output = try input("input").adaptiveAvgPool2d(outputSize: try attributes.size("output_size"))
        case "batch_norm":
            let training = try attributes.bool("training")
            let result = try Tensor.batchNorm(
                try input("input"), runningMean: optionalInput("running_mean"),
                runningVariance: optionalInput("running_var"), weight: optionalInput("weight"),
                bias: optionalInput("bias"), training: training, momentum: try attributes.float("momentum"),
                epsilon: try attributes.float("eps"))
            output = result.output
            if training {
                if let mean = result.runningMean { results["running_mean"] = mean }
                if let variance = result.runningVariance { results["running_var"] = variance }
            }
        case "resize":
            let mode: InterpolationMode
            switch try attributes.string("mode") {
            case "nearest": mode = .nearest
            case "bilinear": mode = .bilinear
            case let other: throw KernelFixtureError("resize: unknown mode \"\(other)\"")
            }
            output = try input("input").resized(to: try attributes.size("size"), mode: mode)
        default:
            throw KernelFixtureError("unknown op \"\(testCase.op)\" in case \(testCase.name)")
        }
        try attributes.requireAllUsed()
        let unusedInputs = Set(testCase.inputs.keys).subtracting(usedInputs).sorted()
        guard unusedInputs.isEmpty else {
            throw KernelFixtureError("\(testCase.op): input(s) \(unusedInputs) not used by the Swift dispatcher")
        }
        results["output"] = output.detached()

        let leaves = differentiableInputs.filter { tensors[$0] != nil }
        var gradients: [String: Tensor] = [:]
        if !leaves.isEmpty {
            let projection = try testCase.projection.tensor()
            let loss = try (output * projection).sum()
            let values = try loss.gradients(wrt: leaves.map { tensors[$0]! })
            for (key, value) in zip(leaves, values) { gradients[key] = value }
        }
        return Evaluation(results: results, gradients: gradients)
    }

    // MARK: Comparison

    /// Descriptions of the elements of `actual` that differ from `expected` by more than
    /// `absoluteTolerance + relativeTolerance·|expected|` (empty when all match).
    static func mismatches(_ actual: Tensor, _ expected: KernelFixtureTensor) -> [String] {
        guard actual.shape == expected.shape else {
            return ["shape \(actual.shape), expected \(expected.shape)"]
        }
        let values = actual.scalars
        let strides = contiguousStrides(expected.shape)
        var found: [String] = []
        for index in expected.data.indices {
            let (got, want) = (values[index], expected.data[index])
            if got.isFinite && Swift.abs(got - want) <= absoluteTolerance + relativeTolerance * Swift.abs(want) { continue }
            var rest = index
            let position = strides.map { stride -> Int in
                defer { rest %= stride }
                return rest / stride
            }
            found.append("at \(position): got \(got), expected \(want) (difference \(got - want))")
        }
        return found
    }

    /// Every mismatch of a case, as report lines (empty when the case passes).
    static func check(_ testCase: KernelFixtureCase) throws -> [String] {
        let evaluation = try evaluate(testCase)
        var report: [String] = []
        func compare(_ kind: String, actual: [String: Tensor], expected: [String: KernelFixtureTensor]) {
            for key in Set(actual.keys).union(expected.keys).sorted() {
                guard let want = expected[key] else {
                    report.append("\(kind) \"\(key)\": computed by Swift but not in the fixture")
                    continue
                }
                guard let got = actual[key] else {
                    report.append("\(kind) \"\(key)\": in the fixture but not produced by Swift")
                    continue
                }
                let bad = mismatches(got, want)
                if !bad.isEmpty {
                    report.append("\(kind) \"\(key)\" \(want.shape): \(bad.count) of \(want.data.count) values differ:\n  "
                                  + bad.prefix(6).joined(separator: "\n  "))
                }
            }
        }
        compare("result", actual: evaluation.results, expected: testCase.expected)
        compare("gradient", actual: evaluation.gradients, expected: testCase.gradients)
        return report
    }
}

// MARK: - Tests

@Suite("Spatial kernels against PyTorch fixtures")
struct KernelFixtureTests {
    @Test("Fixture file loads and covers every kernel op")
    func fixtureLoads() throws {
        let file = try KernelFixtures.file.get()
        #expect(file.version == 1)
        #expect(file.cases.count >= 100, "only \(file.cases.count) cases")
        let names = file.cases.map(\.name)
        #expect(Set(names).count == names.count, "duplicate case names")
        let ops = Set(file.cases.map(\.op))
        #expect(ops == KernelFixtures.knownOps,
                "fixture ops \(ops.sorted()) differ from dispatchable ops \(KernelFixtures.knownOps.sorted())")
        for testCase in file.cases {
            #expect(testCase.expected["output"] != nil, "\(testCase.name): no expected output")
            #expect(!testCase.gradients.isEmpty, "\(testCase.name): no gradients")
            for (key, tensor) in testCase.inputs.merging(testCase.expected, uniquingKeysWith: { a, _ in a })
                .merging(testCase.gradients, uniquingKeysWith: { a, _ in a }) {
                #expect(shapeElementCount(tensor.shape) == tensor.data.count, "\(testCase.name): \(key) has a bad size")
            }
        }
    }

    @Test("An unknown op, an unread attribute or an unused input fails instead of being skipped")
    func malformedCasesFail() throws {
        let x = KernelFixtureTensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        let r = KernelFixtureTensor(shape: [1, 1, 1, 1], data: [1])
        func make(op: String, attrs: [String: KernelFixtureValue], inputs: [String: KernelFixtureTensor]) -> KernelFixtureCase {
            KernelFixtureCase(name: "bogus", op: op, attrs: attrs, inputs: inputs, projection: r,
                              expected: ["output": r], gradients: ["input": x])
        }
        let unknown = make(op: "no_such_op", attrs: [:], inputs: ["input": x])
        #expect(throws: KernelFixtureError.self) { try KernelFixtures.evaluate(unknown) }
        let extraAttribute = make(op: "adaptive_avg_pool2d",
                                  attrs: ["output_size": .array([.number(1), .number(1)]), "typo": .bool(true)],
                                  inputs: ["input": x])
        #expect(throws: KernelFixtureError.self) { try KernelFixtures.evaluate(extraAttribute) }
        let extraInput = make(op: "adaptive_avg_pool2d", attrs: ["output_size": .array([.number(1), .number(1)])],
                              inputs: ["input": x, "weight": x])
        #expect(throws: KernelFixtureError.self) { try KernelFixtures.evaluate(extraInput) }
        // A well-formed case passes, and a wrong expectation is reported.
        let good = make(op: "adaptive_avg_pool2d", attrs: ["output_size": .array([.number(1), .number(1)])],
                        inputs: ["input": x])
        let goodCase = KernelFixtureCase(name: "good", op: good.op, attrs: good.attrs, inputs: good.inputs, projection: r,
                                         expected: ["output": KernelFixtureTensor(shape: [1, 1, 1, 1], data: [2.5])],
                                         gradients: ["input": KernelFixtureTensor(shape: [1, 1, 2, 2], data: [0.25, 0.25, 0.25, 0.25])])
        #expect(try KernelFixtures.check(goodCase).isEmpty)
        let wrong = KernelFixtureCase(name: "wrong", op: good.op, attrs: good.attrs, inputs: good.inputs, projection: r,
                                      expected: ["output": KernelFixtureTensor(shape: [1, 1, 1, 1], data: [2.6])],
                                      gradients: ["input": x])
        #expect(try KernelFixtures.check(wrong).count == 2)
    }

    @Test("Forward, gradients and running statistics match PyTorch", arguments: try KernelFixtures.caseNames())
    func matchesPyTorch(_ name: String) throws {
        let testCase = try #require(KernelFixtures.casesByName[name], "no fixture case named \(name)")
        let report = try KernelFixtures.check(testCase)
        #expect(report.isEmpty, """
            \(name) [\(testCase.op)] attrs \(testCase.attrs.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }) \
            (atol \(KernelFixtures.absoluteTolerance), rtol \(KernelFixtures.relativeTolerance)):
            \(report.joined(separator: "\n"))
            """)
    }
}
