import Testing

@testable import TensorCore

/// The settings type: defaults, clamping, the scoped override (sync, async, child tasks and
/// the kernels' worker threads), the environment mapping for executables, and the GEMM gate
/// under GEMMs that ask for different thread counts at once. No test here changes the process
/// default, which the tests running beside them share.
@Suite struct ComputeSettingsTests {
    /// Settings unlike the default in every field.
    static let unusual = ComputeSettings(threads: 3, convolution: .lowering, bufferCacheLimitBytes: 1 << 20)

    @Test func theDefaultsAreTheAutomaticChoiceEveryCoreAndTwoGibibytes() {
        let settings = ComputeSettings()
        #expect(settings.convolution == .automatic)
        #expect(settings.instructionSet == .automatic)
        #expect(settings.threads >= 1)
        #expect(settings.bufferCacheLimitBytes == 1 << 31)
    }

    @Test func outOfRangeValuesAreClamped() {
        var settings = ComputeSettings(threads: 0, bufferCacheLimitBytes: -5)
        #expect(settings.threads == 1 && settings.bufferCacheLimitBytes == 0)
        settings.threads = -2
        settings.bufferCacheLimitBytes = -1
        #expect(settings.threads == 1 && settings.bufferCacheLimitBytes == 0)
        settings.threads = Int.max
        #expect(settings.threads == ComputeSettings.maximumThreads)
        #expect(ComputeSettings(threads: 1 << 40).threads == ComputeSettings.maximumThreads)
    }

    @Test func aScopeOverridesTheDefaultForItsOperationOnly() throws {
        let outside = ComputeSettings.current
        #expect(outside == ComputeSettings.default)
        var inner = Self.unusual
        inner.threads = 2
        let seen = ComputeSettings.withSettings(Self.unusual) { () -> [ComputeSettings] in
            [ComputeSettings.current, ComputeSettings.withSettings(inner) { ComputeSettings.current }, ComputeSettings.current]
        }
        #expect(seen == [Self.unusual, inner, Self.unusual])
        #expect(ComputeSettings.current == outside)
    }

    @Test func aScopeRethrowsTheOperationsTypedError() {
        func failing() throws(TensorError) -> Int {
            try ComputeSettings.withSettings(Self.unusual) { () throws(TensorError) -> Int in
                throw .invalidArgument(op: "test", message: "expected")
            }
        }
        #expect(throws: TensorError.invalidArgument(op: "test", message: "expected")) { try failing() }
    }

    @Test func anAsyncScopeReachesChildTasks() async {
        let seen = await ComputeSettings.withSettings(Self.unusual) { () async -> [ComputeSettings] in
            async let child = ComputeSettings.current
            let grouped = await withTaskGroup(of: ComputeSettings.self) { group in
                group.addTask { ComputeSettings.current }
                return await group.next()
            }
            return [await child, grouped ?? ComputeSettings()]
        }
        #expect(seen == [Self.unusual, Self.unusual])
        #expect(ComputeSettings.current == ComputeSettings.default)
    }

    @Test func theKernelsWorkerThreadsSeeTheScope() {
        let seen = ComputeSettings.withSettings(Self.unusual) { () -> [ComputeSettings?] in
            let results = UnsafeMutableBufferPointer<ComputeSettings?>.allocate(capacity: 3)
            defer { results.deallocate() }
            results.initialize(repeating: nil)
            parallelChunks(count: 3, minimumChunk: 1) { range in
                for index in range { results[index] = ComputeSettings.current }
            }
            return Array(results)
        }
        #expect(seen == [ComputeSettings?](repeating: Self.unusual, count: 3))
    }

    @Test func aScopedAlgorithmRunsTheConvolution() throws {
        // A 3×3 convolution with 16 channels runs Winograd under the automatic choice; under a
        // lowering scope it must give the lowering's result exactly.
        let geometry = ConvolutionGeometry.stride1(
            batch: 1, inputs: 16, outputs: 16, height: 8, width: 8, kernel: Size2D(3, 3), padding: 1)
        let operands = ConvolutionOperands(geometry)
        let x = Tensor(shape: geometry.inputShape, scalars: operands.input)
        let w = Tensor(shape: geometry.weightShape, scalars: operands.weight)
        var lowering = ComputeSettings.current
        lowering.convolution = .lowering
        let scoped = ComputeSettings.withSettings(lowering) {
            Tensor.conv2d(x, weight: w, padding: 1)
        }
        let expected = ConvolutionRun(geometry, operands: operands, bias: false, algorithm: .lowering)
        #expect(scoped.scalars == expected.output)
    }

    @Test func theEnvironmentNamesTheAlgorithmAndTheThreads() throws {
        #expect(try ComputeSettings(environment: [:]) == ComputeSettings())
        let settings = try ComputeSettings(environment: ["FCDD_CONVOLUTION": "Lowering", "OPENBLAS_NUM_THREADS": "3"])
        #expect(settings.convolution == .lowering && settings.threads == 3)
        for algorithm in ConvolutionAlgorithm.allCases where algorithm != .direct || ConvolutionAlgorithm.isDirectSupported {
            #expect(try ComputeSettings(environment: ["FCDD_CONVOLUTION": algorithm.rawValue]).convolution == algorithm)
        }
    }

    @Test func theEnvironmentNamesTheInstructionSet() throws {
        #expect(try ComputeSettings(environment: ["FCDD_INSTRUCTION_SET": "Portable"]).instructionSet == .portable)
        for set in KernelInstructionSet.allCases {
            let environment = ["FCDD_INSTRUCTION_SET": set.rawValue.uppercased()]
            if set.isSupported {
                #expect(try ComputeSettings(environment: environment).instructionSet == set)
            } else {
                let error = #expect(throws: TensorError.self) { try ComputeSettings(environment: environment) }
                #expect(error.map { "\($0)".contains("not supported") } == true)
            }
        }
        let error = #expect(throws: TensorError.self) {
            try ComputeSettings(environment: ["FCDD_INSTRUCTION_SET": "sse2"])
        }
        #expect(error.map { "\($0)".contains("found \"sse2\"") } == true)
    }

    @Test func malformedEnvironmentValuesAreErrorsThatNameTheValue() {
        for environment in [
            ["FCDD_CONVOLUTION": "fft"], ["OPENBLAS_NUM_THREADS": "0"], ["OPENBLAS_NUM_THREADS": "two"],
            ["OPENBLAS_NUM_THREADS": "1025"], ["OPENBLAS_NUM_THREADS": "99999999999999999999"],
        ] {
            let error = #expect(throws: TensorError.self) { try ComputeSettings(environment: environment) }
            #expect(error.map { "\($0)".contains("found \"\(environment.values.first ?? "")\"") } == true)
        }
        if !ConvolutionAlgorithm.isDirectSupported {
            #expect(throws: TensorError.self) { try ComputeSettings(environment: ["FCDD_CONVOLUTION": "direct"]) }
        }
    }

    @Test func gemmsAskingForDifferentThreadCountsAtOnceGiveTheSerialResults() async throws {
        // Matrix products on 1, 2 and 3 OpenBLAS threads and Winograd convolutions (one
        // OpenBLAS thread per image part), from eight tasks at once: each result must equal
        // the same computation run alone. A GEMM that ran while another thread changed
        // OpenBLAS's thread count could give a different (or corrupt) result.
        var generator = SeededGenerator(seed: 11)
        let a = Tensor.randomNormal(shape: [96, 80], using: &generator)
        let b = Tensor.randomNormal(shape: [80, 112], using: &generator)
        let x = Tensor.randomNormal(shape: [4, 16, 12, 12], using: &generator)
        let w = Tensor.randomNormal(shape: [16, 16, 3, 3], using: &generator)
        @Sendable func work(_ index: Int) throws -> [Float] {
            let settings = ComputeSettings(threads: 1 + index % 3, convolution: index % 2 == 0 ? .winograd : .automatic)
            return ComputeSettings.withSettings(settings) {
                Tensor.matmul(a, b).scalars + Tensor.conv2d(x, weight: w, padding: 1).scalars
            }
        }
        let expected = try (0..<8).map(work)
        for _ in 0..<3 {
            let results = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for index in 0..<8 { group.addTask { (index, try work(index)) } }
                return try await group.reduce(into: [Int: [Float]]()) { $0[$1.0] = $1.1 }
            }
            for index in 0..<8 { #expect(results[index] == expected[index], "task \(index)") }
        }
    }
}
