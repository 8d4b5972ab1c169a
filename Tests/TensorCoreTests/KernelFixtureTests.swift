import FixtureSupport
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

/// One PyTorch reference case.
struct KernelFixtureCase: NamedFixtureCase {
    let name: String
    let op: String
    let attrs: [String: FixtureValue]
    let inputs: [String: FixtureTensor]
    let projection: FixtureTensor
    let expected: [String: FixtureTensor]
    let gradients: [String: FixtureTensor]
}

struct KernelFixtureFile: FixtureCaseFile {
    let version: Int
    let torch: String
    let cases: [KernelFixtureCase]
}

// MARK: - Loading and dispatch

enum KernelFixtures {
    /// Fixtures/kernel_ops.json, decoded once.
    static let catalog = FixtureCatalog<KernelFixtureFile>(resource: "kernel_ops", generator: "Scripts/make_kernel_fixtures.py", bundle: .module)

    /// Every operation `evaluate(_:)` understands; the fixture must exercise each.
    static let knownOps: Set<String> = [
        "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "resize",
    ]

    /// Inputs that are differentiated (tracked as leaves) when a case has them.
    static let differentiableInputs = ["input", "weight", "bias"]

    /// Every value must be finite and within `atol + rtol·|expected|`.
    static let tolerance = FixtureTolerance(absolute: 1e-4, relative: 1e-4, matchesNonFinite: false)

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
            guard let tensor = tensors[key] else { throw FixtureError("\(testCase.op): missing input \"\(key)\"") }
            return tensor
        }
        func optionalInput(_ key: String) -> Tensor? {
            usedInputs.insert(key)
            return tensors[key]
        }
        let attributes = AttributeReader(op: testCase.op, values: testCase.attrs)

        var results: [String: Tensor] = [:]
        let output: Tensor
        switch testCase.op {
        case "conv2d":
            output = Tensor.conv2d(
                try input("input"), weight: try input("weight"), bias: optionalInput("bias"),
                stride: try attributes.size("stride"), padding: try attributes.padding("padding"),
                dilation: try attributes.size("dilation"), groups: try attributes.int("groups"))
        case "conv_transpose2d":
            output = Tensor.convTranspose2d(
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
            let result = Tensor.batchNorm(
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
            case let other: throw FixtureError("resize: unknown mode \"\(other)\"")
            }
            output = try input("input").resized(to: try attributes.size("size"), mode: mode)
        default:
            throw FixtureError("unknown op \"\(testCase.op)\" in case \(testCase.name)")
        }
        try attributes.requireAllUsed()
        let unusedInputs = Set(testCase.inputs.keys).subtracting(usedInputs).sorted()
        guard unusedInputs.isEmpty else {
            throw FixtureError("\(testCase.op): input(s) \(unusedInputs) not used by the Swift dispatcher")
        }
        results["output"] = output.detached()

        let leaves = differentiableInputs.filter { tensors[$0] != nil }
        var gradients: [String: Tensor] = [:]
        if !leaves.isEmpty {
            let projection = try testCase.projection.tensor()
            let loss = (output * projection).sum()
            let values = loss.gradients(wrt: leaves.map { tensors[$0]! })
            for (key, value) in zip(leaves, values) { gradients[key] = value }
        }
        return Evaluation(results: results, gradients: gradients)
    }

    /// Every mismatch of a case, as report lines (empty when the case passes).
    static func check(_ testCase: KernelFixtureCase) throws -> [String] {
        let evaluation = try evaluate(testCase)
        var report: [String] = []
        func compare(_ kind: String, actual: [String: Tensor], expected: [String: FixtureTensor]) {
            for key in Set(actual.keys).union(expected.keys).sorted() {
                guard let want = expected[key] else {
                    report.append("\(kind) \"\(key)\": computed by Swift but not in the fixture")
                    continue
                }
                guard let got = actual[key] else {
                    report.append("\(kind) \"\(key)\": in the fixture but not produced by Swift")
                    continue
                }
                let bad = tolerance.mismatches(got, want)
                if !bad.isEmpty {
                    report.append(
                        "\(kind) \"\(key)\" \(want.shape): \(bad.count) of \(want.data.count) values differ:\n  "
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
        let file = try KernelFixtures.catalog.file.get()
        #expect(file.version == 1)
        #expect(file.cases.count >= 100, "only \(file.cases.count) cases")
        let names = file.cases.map(\.name)
        #expect(Set(names).count == names.count, "duplicate case names")
        let ops = Set(file.cases.map(\.op))
        #expect(
            ops == KernelFixtures.knownOps,
            "fixture ops \(ops.sorted()) differ from dispatchable ops \(KernelFixtures.knownOps.sorted())")
        for testCase in file.cases {
            #expect(testCase.expected["output"] != nil, "\(testCase.name): no expected output")
            #expect(!testCase.gradients.isEmpty, "\(testCase.name): no gradients")
            for (key, tensor) in testCase.inputs.merging(testCase.expected, uniquingKeysWith: { a, _ in a })
                .merging(testCase.gradients, uniquingKeysWith: { a, _ in a })
            {
                #expect(shapeElementCount(tensor.shape) == tensor.data.count, "\(testCase.name): \(key) has a bad size")
            }
        }
    }

    @Test("An unknown op, an unread attribute or an unused input fails instead of being skipped")
    func malformedCasesFail() throws {
        let x = FixtureTensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        let r = FixtureTensor(shape: [1, 1, 1, 1], data: [1])
        func make(op: String, attrs: [String: FixtureValue], inputs: [String: FixtureTensor]) -> KernelFixtureCase {
            KernelFixtureCase(
                name: "bogus", op: op, attrs: attrs, inputs: inputs, projection: r,
                expected: ["output": r], gradients: ["input": x])
        }
        let unknown = make(op: "no_such_op", attrs: [:], inputs: ["input": x])
        #expect(throws: FixtureError.self) { try KernelFixtures.evaluate(unknown) }
        let extraAttribute = make(
            op: "adaptive_avg_pool2d",
            attrs: ["output_size": .array([.number(1), .number(1)]), "typo": .bool(true)],
            inputs: ["input": x])
        #expect(throws: FixtureError.self) { try KernelFixtures.evaluate(extraAttribute) }
        let extraInput = make(
            op: "adaptive_avg_pool2d", attrs: ["output_size": .array([.number(1), .number(1)])],
            inputs: ["input": x, "weight": x])
        #expect(throws: FixtureError.self) { try KernelFixtures.evaluate(extraInput) }
        // A well-formed case passes, and a wrong expectation is reported.
        let good = make(
            op: "adaptive_avg_pool2d", attrs: ["output_size": .array([.number(1), .number(1)])],
            inputs: ["input": x])
        let goodCase = KernelFixtureCase(
            name: "good", op: good.op, attrs: good.attrs, inputs: good.inputs, projection: r,
            expected: ["output": FixtureTensor(shape: [1, 1, 1, 1], data: [2.5])],
            gradients: ["input": FixtureTensor(shape: [1, 1, 2, 2], data: [0.25, 0.25, 0.25, 0.25])])
        #expect(try KernelFixtures.check(goodCase).isEmpty)
        let wrong = KernelFixtureCase(
            name: "wrong", op: good.op, attrs: good.attrs, inputs: good.inputs, projection: r,
            expected: ["output": FixtureTensor(shape: [1, 1, 1, 1], data: [2.6])],
            gradients: ["input": x])
        #expect(try KernelFixtures.check(wrong).count == 2)
    }

    @Test("Forward, gradients and running statistics match PyTorch", arguments: try KernelFixtures.catalog.caseNames())
    func matchesPyTorch(_ name: String) throws {
        let testCase = try #require(KernelFixtures.catalog.casesByName[name], "no fixture case named \(name)")
        let report = try KernelFixtures.check(testCase)
        #expect(
            report.isEmpty,
            """
            \(name) [\(testCase.op)] attrs \(testCase.attrs.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }) \
            (\(KernelFixtures.tolerance)):
            \(report.joined(separator: "\n"))
            """)
    }
}
