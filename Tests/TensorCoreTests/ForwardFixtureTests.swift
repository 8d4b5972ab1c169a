import FixtureSupport
import Foundation
import Testing

@testable import TensorCore

// Forward values of every public TensorCore operation against NumPy references.
//
// The cases live in Fixtures/tensor_ops.json, written by Scripts/make_tensor_fixtures.py
// (run it from the package root to regenerate). Each case names an operation, its inputs,
// its attributes and the expected output; `ForwardFixtures.evaluate(_:)` maps the
// operation name to the Swift call. An unknown operation, a missing or unused attribute,
// or a wrong number of inputs fails the case rather than skipping it.

// MARK: - Fixture model

/// One reference case.
struct FixtureCase: NamedFixtureCase {
    let name: String
    let op: String
    let inputs: [FixtureTensor]
    let attrs: [String: FixtureValue]
    let expected: FixtureTensor
    let atol: Float?
    let rtol: Float?
}

/// Reference outputs of xoshiro256** seeded by SplitMix64 (see SeededGeneratorTests).
struct GeneratorFixture: Decodable, Sendable {
    struct Sequence: Decodable, Sendable {
        let seed: String
        let outputs: [String]
    }
    struct UnitFloats: Decodable, Sendable {
        let seed: String
        let values: [Double]
    }
    struct NormalPairs: Decodable, Sendable {
        let seed: String
        let values: [[Double]]
    }
    let sequences: [Sequence]
    let unitFloats: UnitFloats
    let normalPairs: NormalPairs

    enum CodingKeys: String, CodingKey {
        case sequences
        case unitFloats = "unit_floats"
        case normalPairs = "normal_pairs"
    }
}

struct FixtureFile: FixtureCaseFile {
    let version: Int
    let cases: [FixtureCase]
    let generator: GeneratorFixture
}

// MARK: - Loading

enum ForwardFixtures {
    /// Fixtures/tensor_ops.json, decoded once.
    static let catalog = FixtureCatalog<FixtureFile>(resource: "tensor_ops", generator: "Scripts/make_tensor_fixtures.py", bundle: .module)

    /// The decoded fixture file (SeededGeneratorTests reads its generator references).
    static var file: Result<FixtureFile, FixtureError> { catalog.file }

    /// Every operation name that `evaluate(_:)` understands. The fixture must exercise
    /// each of them at least once.
    static let knownOps: Set<String> = [
        "add", "subtract", "multiply", "divide",
        "add_scalar", "subtract_scalar", "multiply_scalar", "divide_scalar",
        "negate", "pow", "pow_scalar",
        "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "squared", "clamped",
        "maximum", "minimum",
        "is_greater", "is_greater_or_equal", "is_less", "is_less_or_equal", "is_equal",
        "is_greater_scalar", "is_less_scalar", "is_equal_scalar",
        "where",
        "sum", "mean", "max", "min", "variance",
        "sum_all", "mean_all", "max_all", "min_all", "variance_all",
        "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "expand",
        "slice", "concatenate", "stack", "pad", "gather",
        "matmul",
        "arange", "full", "zeros", "ones", "random_uniform", "random_normal",
    ]

    // MARK: Dispatch

    /// Runs the Swift operation a case describes.
    static func evaluate(_ testCase: FixtureCase) throws -> Tensor {
        let inputs = try testCase.inputs.map { try $0.tensor() }
        let attributes = AttributeReader(op: testCase.op, values: testCase.attrs)

        func input(count: Int) throws -> [Tensor] {
            guard inputs.count == count else {
                throw FixtureError("\(testCase.op) expects \(count) input(s), the case has \(inputs.count)")
            }
            return inputs
        }
        func unary() throws -> Tensor { try input(count: 1)[0] }
        func binary() throws -> (Tensor, Tensor) {
            let x = try input(count: 2)
            return (x[0], x[1])
        }
        func scalarSide() throws -> (scalar: Float, scalarFirst: Bool) {
            let scalar = try attributes.float("scalar")
            switch try attributes.string("side") {
            case "right": return (scalar, false)
            case "left": return (scalar, true)
            case let side: throw FixtureError("side must be \"left\" or \"right\", found \"\(side)\"")
            }
        }
        /// `x ∘ scalar`, or `scalar ∘ x` when the case puts the scalar first.
        func withScalar(_ scalarFirst: (Float, Tensor) -> Tensor, _ scalarLast: (Tensor, Float) -> Tensor) throws -> Tensor {
            let x = try unary(), (s, first) = try scalarSide()
            return first ? scalarFirst(s, x) : scalarLast(x, s)
        }
        func reductionAxes() throws -> (axes: [Int], keep: Bool) {
            (try attributes.ints("axes"), try attributes.optionalBool("keepdims") ?? false)
        }
        /// A reduction of the single input along the case's axes.
        func reduced(_ reduction: (Tensor, [Int], Bool) throws -> Tensor) throws -> Tensor {
            let (axes, keep) = try reductionAxes()
            return try reduction(try unary(), axes, keep)
        }

        let result: Tensor
        switch testCase.op {
        // Arithmetic with broadcasting.
        case "add": let (a, b) = try binary(); result = a + b
        case "subtract": let (a, b) = try binary(); result = a - b
        case "multiply": let (a, b) = try binary(); result = a * b
        case "divide": let (a, b) = try binary(); result = a / b
        case "add_scalar": result = try withScalar(+, +)
        case "subtract_scalar": result = try withScalar(-, -)
        case "multiply_scalar": result = try withScalar(*, *)
        case "divide_scalar": result = try withScalar(/, /)
        case "negate": result = -(try unary())
        case "pow": let (a, b) = try binary(); result = a.pow(b)
        case "pow_scalar": result = try unary().pow(try attributes.float("exponent"))

        // Elementwise functions.
        case "exp": result = try unary().exp()
        case "log": result = try unary().log()
        case "sqrt": result = try unary().sqrt()
        case "abs": result = try unary().abs()
        case "tanh": result = try unary().tanh()
        case "sigmoid": result = try unary().sigmoid()
        case "relu": result = try unary().relu()
        case "leaky_relu":
            let x = try unary()
            if let slope = try attributes.optionalFloat("slope") {
                result = x.leakyRelu(negativeSlope: slope)
            } else {
                result = x.leakyRelu()
            }
        case "softplus": result = try unary().softplus()
        case "squared": result = try unary().squared()
        case "clamped":
            let x = try unary()
            switch (try attributes.optionalFloat("min"), try attributes.optionalFloat("max")) {
            case let (low?, high?): result = x.clamped(min: low, max: high)
            case let (low?, nil): result = x.clamped(min: low)
            case let (nil, high?): result = x.clamped(max: high)
            case (nil, nil): result = x.clamped()
            }
        case "maximum": let (a, b) = try binary(); result = a.maximum(b)
        case "minimum": let (a, b) = try binary(); result = a.minimum(b)

        // Comparisons and selection.
        case "is_greater": let (a, b) = try binary(); result = a.isGreater(than: b)
        case "is_greater_or_equal": let (a, b) = try binary(); result = a.isGreaterOrEqual(to: b)
        case "is_less": let (a, b) = try binary(); result = a.isLess(than: b)
        case "is_less_or_equal": let (a, b) = try binary(); result = a.isLessOrEqual(to: b)
        case "is_equal": let (a, b) = try binary(); result = a.isEqual(to: b)
        case "is_greater_scalar": result = try unary().isGreater(than: try attributes.float("value"))
        case "is_less_scalar": result = try unary().isLess(than: try attributes.float("value"))
        case "is_equal_scalar": result = try unary().isEqual(to: try attributes.float("value"))
        case "where":
            let x = try input(count: 3)
            result = Tensor.where(x[0], x[1], x[2])

        // Reductions.
        case "sum": result = try reduced { $0.sum(alongAxes: $1, keepingDimensions: $2) }
        case "mean": result = try reduced { $0.mean(alongAxes: $1, keepingDimensions: $2) }
        case "max": result = try reduced { $0.max(alongAxes: $1, keepingDimensions: $2) }
        case "min": result = try reduced { $0.min(alongAxes: $1, keepingDimensions: $2) }
        case "variance":
            let correction = try attributes.optionalInt("correction")
            result = try reduced { x, axes, keep in
                if let correction {
                    x.variance(alongAxes: axes, correction: correction, keepingDimensions: keep)
                } else {
                    x.variance(alongAxes: axes, keepingDimensions: keep)
                }
            }
        case "sum_all": result = try unary().sum()
        case "mean_all": result = try unary().mean()
        case "max_all": result = try unary().max()
        case "min_all": result = try unary().min()
        case "variance_all":
            if let correction = try attributes.optionalInt("correction") {
                result = try unary().variance(correction: correction)
            } else {
                result = try unary().variance()
            }

        // Shape operations.
        case "reshape": result = try unary().reshaped(to: try attributes.ints("shape"))
        case "flatten":
            let x = try unary()
            switch (try attributes.optionalInt("start_axis"), try attributes.optionalInt("end_axis")) {
            case let (start?, end?): result = x.flattened(startAxis: start, endAxis: end)
            case let (start?, nil): result = x.flattened(startAxis: start)
            case let (nil, end?): result = x.flattened(endAxis: end)
            case (nil, nil): result = x.flattened()
            }
        case "squeeze":
            let x = try unary()
            if let axis = try attributes.optionalInt("axis") {
                result = x.squeezed(axis: axis)
            } else {
                result = x.squeezed()
            }
        case "unsqueeze": result = try unary().unsqueezed(axis: try attributes.int("axis"))
        case "permute": result = try unary().permuted(try attributes.ints("permutation"))
        case "transpose":
            let x = try unary()
            switch (try attributes.optionalInt("first"), try attributes.optionalInt("second")) {
            case let (first?, second?): result = x.transposed(first, second)
            case (nil, nil): result = x.transposed()
            default: throw FixtureError("transpose needs both \"first\" and \"second\" or neither")
            }
        case "expand": result = try unary().expanded(to: try attributes.ints("shape"))
        case "slice":
            let x = try unary()
            let (start, end) = (try attributes.int("start"), try attributes.int("end"))
            guard start <= end else { throw FixtureError("slice start \(start) is after end \(end)") }
            result = x.slice(alongAxis: try attributes.int("axis"), start..<end)
        case "concatenate":
            if let axis = try attributes.optionalInt("axis") {
                result = Tensor.concatenate(inputs, alongAxis: axis)
            } else {
                result = Tensor.concatenate(inputs)
            }
        case "stack":
            if let axis = try attributes.optionalInt("axis") {
                result = Tensor.stack(inputs, alongAxis: axis)
            } else {
                result = Tensor.stack(inputs)
            }
        case "pad":
            let x = try unary()
            let widths = try attributes.intPairs("widths").map { (before: $0.0, after: $0.1) }
            let mode: PaddingMode
            switch try attributes.string("mode") {
            case "zero": mode = .zero
            case "reflect": mode = .reflect
            case let other: throw FixtureError("unknown padding mode \"\(other)\"")
            }
            result = x.padded(widths, mode: mode)
        case "gather":
            result = try unary().gathered(atIndices: try attributes.ints("indices"), alongAxis: try attributes.int("axis"))

        // Products.
        case "matmul": let (a, b) = try binary(); result = Tensor.matmul(a, b)

        // Creation.
        case "arange":
            _ = try input(count: 0)
            let end = try attributes.float("end")
            switch (try attributes.optionalFloat("start"), try attributes.optionalFloat("step")) {
            case let (start?, step?): result = Tensor.arange(from: start, to: end, step: step)
            case let (start?, nil): result = Tensor.arange(from: start, to: end)
            case let (nil, step?): result = Tensor.arange(to: end, step: step)
            case (nil, nil): result = Tensor.arange(to: end)
            }
        case "full":
            _ = try input(count: 0)
            result = Tensor(shape: try attributes.ints("shape"), repeating: try attributes.float("value"))
        case "zeros":
            _ = try input(count: 0)
            result = Tensor.zeros(shape: try attributes.ints("shape"))
        case "ones":
            _ = try input(count: 0)
            result = Tensor.ones(shape: try attributes.ints("shape"))
        case "random_uniform":
            _ = try input(count: 0)
            var generator = SeededGenerator(seed: try attributes.uint64("seed"))
            let shape = try attributes.ints("shape")
            switch (try attributes.optionalFloat("low"), try attributes.optionalFloat("high")) {
            case let (low?, high?): result = Tensor.randomUniform(shape: shape, low: low, high: high, using: &generator)
            case (nil, nil): result = Tensor.randomUniform(shape: shape, using: &generator)
            default: throw FixtureError("random_uniform needs both \"low\" and \"high\" or neither")
            }
        case "random_normal":
            _ = try input(count: 0)
            var generator = SeededGenerator(seed: try attributes.uint64("seed"))
            let shape = try attributes.ints("shape")
            switch (try attributes.optionalFloat("mean"), try attributes.optionalFloat("std")) {
            case let (mean?, std?):
                result = Tensor.randomNormal(shape: shape, mean: mean, standardDeviation: std, using: &generator)
            case (nil, nil): result = Tensor.randomNormal(shape: shape, using: &generator)
            default: throw FixtureError("random_normal needs both \"mean\" and \"std\" or neither")
            }

        default:
            throw FixtureError("unknown op \"\(testCase.op)\" in case \(testCase.name): add it to ForwardFixtures.evaluate")
        }
        try attributes.requireAllUsed()
        return result
    }

    // MARK: Comparison

    static let defaultAbsoluteTolerance: Float = 1e-5
    static let defaultRelativeTolerance: Float = 1e-4

    /// The case's own tolerances, or the defaults; NaN matches NaN and an infinity matches
    /// only the same infinity.
    static func tolerance(for testCase: FixtureCase) -> FixtureTolerance {
        FixtureTolerance(
            absolute: testCase.atol ?? defaultAbsoluteTolerance,
            relative: testCase.rtol ?? defaultRelativeTolerance, matchesNonFinite: true)
    }
}

// MARK: - Tests

@Suite("Forward values against NumPy fixtures")
struct ForwardFixtureTests {
    @Test("Fixture file loads and is well formed")
    func fixtureLoads() throws {
        let file = try ForwardFixtures.file.get()
        #expect(file.version == 1)
        #expect(file.cases.count >= 300, "suspiciously few cases: \(file.cases.count)")
        let names = file.cases.map(\.name)
        #expect(Set(names).count == names.count, "case names must be unique")
        for testCase in file.cases {
            #expect(
                testCase.expected.data.count == shapeElementCount(testCase.expected.shape),
                "\(testCase.name): expected data does not match its shape")
        }
    }

    @Test("Every dispatchable op has at least one fixture case, and every fixture op is dispatchable")
    func fixtureCoversEveryOp() throws {
        let file = try ForwardFixtures.file.get()
        let fixtureOps = Set(file.cases.map(\.op))
        let untested = ForwardFixtures.knownOps.subtracting(fixtureOps).sorted()
        let unknown = fixtureOps.subtracting(ForwardFixtures.knownOps).sorted()
        #expect(untested.isEmpty, "ops without a fixture case: \(untested)")
        #expect(unknown.isEmpty, "fixture ops the dispatcher does not list: \(unknown)")
    }

    @Test("An unknown op or an unread attribute fails instead of being skipped")
    func unknownOpFails() throws {
        let empty = FixtureTensor(shape: [1], data: [1])
        let unknown = FixtureCase(
            name: "bogus", op: "no_such_op", inputs: [empty], attrs: [:],
            expected: empty, atol: nil, rtol: nil)
        #expect(throws: FixtureError.self) { try ForwardFixtures.evaluate(unknown) }
        let extraAttribute = FixtureCase(
            name: "bogus", op: "relu", inputs: [empty], attrs: ["slope": .number(0.5)],
            expected: empty, atol: nil, rtol: nil)
        #expect(throws: FixtureError.self) { try ForwardFixtures.evaluate(extraAttribute) }
        let wrongArity = FixtureCase(
            name: "bogus", op: "add", inputs: [empty], attrs: [:],
            expected: empty, atol: nil, rtol: nil)
        #expect(throws: FixtureError.self) { try ForwardFixtures.evaluate(wrongArity) }
    }

    @Test("Forward value matches NumPy", arguments: try ForwardFixtures.catalog.caseNames())
    func forwardValue(_ name: String) throws {
        let testCase = try #require(ForwardFixtures.catalog.casesByName[name], "no fixture case named \(name)")
        let result = try ForwardFixtures.evaluate(testCase)
        try #require(
            result.shape == testCase.expected.shape,
            "\(name) [\(testCase.op)]: shape \(result.shape), expected \(testCase.expected.shape)")
        let tolerance = ForwardFixtures.tolerance(for: testCase)
        let bad = tolerance.mismatches(result, testCase.expected)
        if !bad.isEmpty {
            Issue.record(
                """
                \(name) [\(testCase.op)]: \(bad.count) of \(result.scalarCount) values differ \
                (\(tolerance)):
                \(bad.prefix(8).joined(separator: "\n"))
                """)
        }
    }
}
