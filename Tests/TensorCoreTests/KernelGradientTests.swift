// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import Testing

@testable import TensorCore

// Finite-difference gradient checks of the spatial kernels (convolution, transposed
// convolution, pooling, batch normalisation, resizing) on small random shapes, and the
// errors they throw for arguments that do not fit. The checker, `checkGradients`, is in
// Support/GradientChecker.swift.

// MARK: - Finite-difference checks

/// The seed of the random projection R of every kernel gradient check.
private let kernelProjectionSeed: UInt64 = 0x5EED_CAFE

/// Checks the gradients of a single-input kernel for each configuration, labelled with
/// `name`, the shape and the parameters: `input` draws the input of the configuration's
/// shape, and `kernel` applies the op with its parameters.
private func checkEach<Parameters>(
    _ name: String,
    _ configurations: [(shape: [Int], parameters: Parameters)],
    inputs: [Tensor],
    sourceLocation: SourceLocation = #_sourceLocation,
    _ kernel: (Tensor, Parameters) throws -> Tensor
) throws {
    for ((shape, parameters), input) in zip(configurations, inputs) {
        try checkGradients(
            "\(name) \(shape) \(parameters)", [input], seed: kernelProjectionSeed,
            sourceLocation: sourceLocation
        ) { try kernel($0[0], parameters) }
    }
}

// MARK: - Test data

extension GradientTestData {
    /// Evenly spaced values in `[-2, 2]`, shuffled: no two are closer than 4 / (count − 1),
    /// so finite differences never swap the order of two of them.
    fileprivate mutating func distinct(_ shape: [Int]) throws -> Tensor {
        let count = shapeElementCount(shape)
        var values = (0..<count).map { -2 + 4 * Float($0) / Float(Swift.max(1, count - 1)) }
        values.shuffle(using: &rng)
        return Tensor(shape: shape, scalars: values)
    }
}

// MARK: - Gradient checks

@Suite("Spatial kernel gradients against finite differences")
struct KernelGradientTests {
    @Test("conv2d: input, weight and bias")
    func conv2dGradients() throws {
        var data = GradientTestData(seed: 11)
        // (input shape, weight shape, stride, padding, dilation, groups, bias)
        let configurations: [([Int], [Int], Size2D, Padding2D, Size2D, Int, Bool)] = [
            ([1, 3, 5, 6], [4, 3, 3, 3], 1, 1, 1, 1, true),
            ([2, 2, 7, 6], [3, 2, 3, 2], Size2D(2, 1), Padding2D(top: 0, bottom: 2, left: 1, right: 0), 1, 1, true),
            ([1, 2, 7, 7], [2, 2, 3, 3], 2, 2, Size2D(2, 1), 1, true),
            ([2, 4, 5, 5], [4, 2, 3, 3], 1, Padding2D(height: 1, width: 0), 2, 2, false),
            ([1, 3, 5, 4], [3, 1, 3, 3], 2, 1, 1, 3, true),
            ([2, 3, 4, 3], [2, 3, 1, 1], 1, 0, 1, 1, true),
            ([3, 2, 4, 4], [2, 2, 2, 2], 1, 0, 1, 1, true),
        ]
        for (inputShape, weightShape, stride, padding, dilation, groups, hasBias) in configurations {
            var inputs = [try data.normal(inputShape), try data.normal(weightShape, scale: 0.5)]
            if hasBias { inputs.append(try data.normal([weightShape[0]])) }
            let label = "conv2d \(inputShape) * \(weightShape) stride \(stride) padding \(padding) dilation \(dilation) groups \(groups)"
            try checkGradients(label, inputs, seed: kernelProjectionSeed) { t in
                Tensor.conv2d(
                    t[0], weight: t[1], bias: t.count > 2 ? t[2] : nil, stride: stride,
                    padding: padding, dilation: dilation, groups: groups)
            }
        }
    }

    @Test("convTranspose2d: input, weight and bias")
    func convTranspose2dGradients() throws {
        var data = GradientTestData(seed: 12)
        // (input shape, weight shape, stride, padding, output padding, dilation, groups, bias)
        let configurations: [([Int], [Int], Size2D, Padding2D, Size2D, Size2D, Int, Bool)] = [
            ([1, 2, 3, 4], [2, 3, 3, 3], 2, 1, 1, 1, 1, true),
            ([2, 4, 3, 3], [4, 1, 2, 3], Size2D(1, 2), 0, Size2D(0, 1), 2, 2, false),
            ([1, 3, 3, 3], [3, 2, 1, 1], 1, 0, 0, 1, 1, true),
            ([1, 2, 3, 3], [2, 2, 3, 3], 2, Padding2D(top: 1, bottom: 0, left: 0, right: 2), 1, 1, 1, true),
        ]
        for (inputShape, weightShape, stride, padding, outputPadding, dilation, groups, hasBias) in configurations {
            var inputs = [try data.normal(inputShape), try data.normal(weightShape, scale: 0.5)]
            if hasBias { inputs.append(try data.normal([weightShape[1] * groups])) }
            let label =
                "convTranspose2d \(inputShape) * \(weightShape) stride \(stride) padding \(padding) outputPadding \(outputPadding) dilation \(dilation) groups \(groups)"
            try checkGradients(label, inputs, seed: kernelProjectionSeed) { t in
                Tensor.convTranspose2d(
                    t[0], weight: t[1], bias: t.count > 2 ? t[2] : nil, stride: stride,
                    padding: padding, outputPadding: outputPadding, dilation: dilation,
                    groups: groups)
            }
        }
    }

    @Test("conv2d and convTranspose2d: gradients of one tracked operand equal those with all tracked")
    func partialTracking() throws {
        var data = GradientTestData(seed: 13)
        let convOperands = [try data.normal([2, 2, 5, 4]), try data.normal([3, 2, 3, 3]), try data.normal([3])]
        let convProjection = try data.normal([2, 3, 3, 4])
        let transposedOperands = [try data.normal([2, 3, 3, 2]), try data.normal([3, 2, 3, 3]), try data.normal([2])]
        let transposedProjection = try data.normal([2, 2, 5, 4])
        let cases: [(String, [Tensor], Tensor, ([Tensor]) throws -> Tensor)] = [
            (
                "conv2d", convOperands, convProjection,
                {
                    Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: Size2D(2, 1), padding: 1)
                }
            ),
            (
                "convTranspose2d", transposedOperands, transposedProjection,
                {
                    Tensor.convTranspose2d(
                        $0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1,
                        outputPadding: Size2D(0, 1))
                }
            ),
        ]
        for (label, operands, projection, operation) in cases {
            let leaves = operands.map { $0.trackingGradients() }
            let all = try (operation(leaves) * projection).sum().gradients(wrt: leaves)
            for index in operands.indices {
                var mixed = operands
                mixed[index] = leaves[index]
                let single = try (operation(mixed) * projection).sum().gradient(wrt: leaves[index])
                #expect(single.scalars == all[index].scalars, "\(label): operand \(index) tracked alone")
            }
        }
    }

    @Test("maxPool2d: distinct values, away from ties")
    func maxPool2dGradients() throws {
        var data = GradientTestData(seed: 14)
        let configurations: [(shape: [Int], parameters: (kernel: Size2D, stride: Size2D?, padding: Size2D, dilation: Size2D, ceilMode: Bool))] = [
            ([2, 2, 6, 5], (2, 2, 0, 1, false)),
            ([1, 2, 7, 6], (3, 2, 1, 1, true)),
            ([1, 1, 7, 7], (3, 1, 1, 2, false)),
            ([1, 2, 5, 7], (Size2D(2, 3), nil, Size2D(1, 1), 1, true)),
        ]
        try checkEach("maxPool2d", configurations, inputs: configurations.map { try data.distinct($0.shape) }) { x, p in
            x.maxPool2d(kernel: p.kernel, stride: p.stride, padding: p.padding, dilation: p.dilation, ceilMode: p.ceilMode)
        }
    }

    @Test("avgPool2d: with and without padding in the divisor, ceil mode")
    func avgPool2dGradients() throws {
        var data = GradientTestData(seed: 15)
        let configurations: [(shape: [Int], parameters: (kernel: Size2D, stride: Size2D?, padding: Size2D, ceilMode: Bool, divisor: AveragePoolingDivisor))] = [
            ([2, 2, 6, 5], (2, nil, 0, false, .includingPadding)),
            ([1, 2, 6, 6], (3, 2, 1, true, .includingPadding)),
            ([1, 2, 6, 6], (3, 2, 1, true, .excludingPadding)),
            ([1, 1, 7, 9], (4, 3, 2, true, .excludingPadding)),
            ([1, 2, 5, 4], (Size2D(3, 2), Size2D(2, 1), Size2D(1, 0), false, .excludingPadding)),
        ]
        try checkEach("avgPool2d", configurations, inputs: configurations.map { try data.normal($0.shape) }) { x, p in
            x.avgPool2d(kernel: p.kernel, stride: p.stride, padding: p.padding, ceilMode: p.ceilMode, divisor: p.divisor)
        }
    }

    @Test("adaptiveAvgPool2d: sizes that do not divide, down and up")
    func adaptiveAvgPool2dGradients() throws {
        var data = GradientTestData(seed: 16)
        let configurations: [(shape: [Int], parameters: Size2D)] = [
            ([2, 2, 7, 5], Size2D(3, 2)),
            ([1, 2, 3, 4], Size2D(5, 5)),
            ([1, 3, 4, 6], 1),
        ]
        try checkEach("adaptiveAvgPool2d", configurations, inputs: configurations.map { try data.normal($0.shape) }) {
            $0.adaptiveAvgPool2d(outputSize: $1)
        }
    }

    @Test("batchNorm: training and evaluation, input, weight and bias")
    func batchNormGradients() throws {
        var data = GradientTestData(seed: 17)
        for shape in [[4, 3], [2, 3, 3, 2], [3, 2, 4]] {
            let channels = shape[1]
            let x = try data.normal(shape)
            let weight = try data.uniform([channels], 0.5, 1.5)
            let bias = try data.normal([channels])
            let runningMean = try data.normal([channels], scale: 0.5)
            let runningVariance = try data.uniform([channels], 0.5, 2)
            try checkGradients("batchNorm training \(shape)", [x, weight, bias], eps: 1e-2, seed: kernelProjectionSeed) { t in
                Tensor.batchNorm(
                    t[0], runningMean: runningMean, runningVariance: runningVariance, weight: t[1],
                    bias: t[2], training: true, momentum: 0.3, epsilon: 1e-4
                ).output
            }
            try checkGradients(
                "batchNorm training \(shape), no affine, no running statistics", [x], eps: 1e-2,
                seed: kernelProjectionSeed
            ) { t in
                Tensor.batchNorm(
                    t[0], runningMean: nil, runningVariance: nil, weight: nil, bias: nil,
                    training: true
                ).output
            }
            try checkGradients("batchNorm evaluation \(shape)", [x, weight, bias], eps: 1e-2, seed: kernelProjectionSeed) { t in
                Tensor.batchNorm(
                    t[0], runningMean: runningMean, runningVariance: runningVariance, weight: t[1],
                    bias: t[2], training: false
                ).output
            }
        }
    }

    @Test("resized: bilinear and nearest, up and down")
    func resizedGradients() throws {
        var data = GradientTestData(seed: 18)
        let configurations: [(shape: [Int], parameters: (size: Size2D, mode: InterpolationMode))] = [
            ([2, 2, 4, 5], (Size2D(7, 3), .bilinear)),
            ([1, 2, 7, 5], (Size2D(3, 8), .bilinear)),
            ([1, 1, 4, 4], (9, .bilinear)),
            ([1, 2, 5, 4], (Size2D(3, 7), .nearest)),
        ]
        try checkEach("resized", configurations, inputs: configurations.map { try data.normal($0.shape) }) { x, p in
            x.resized(to: p.size, mode: p.mode)
        }
    }

    @Test("batchNorm training returns PyTorch-style running statistics")
    func batchNormRunningStatistics() throws {
        // Channel 0 holds 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
        let x = Tensor(shape: [2, 2, 2], scalars: [1, 2, 10, 10, 3, 6, 10, 10])
        let result = Tensor.batchNorm(
            x, runningMean: Tensor([1, 1]), runningVariance: Tensor([2, 2]),
            weight: nil, bias: nil, training: true, momentum: 0.25)
        let mean = try #require(result.runningMean).scalars
        let variance = try #require(result.runningVariance).scalars
        #expect(Swift.abs(mean[0] - (0.75 * 1 + 0.25 * 3)) < 1e-6 && Swift.abs(mean[1] - (0.75 + 2.5)) < 1e-6)
        #expect(Swift.abs(variance[0] - (0.75 * 2 + 0.25 * 14 / 3)) < 1e-6 && Swift.abs(variance[1] - 1.5) < 1e-6)
        let evaluation = Tensor.batchNorm(
            x, runningMean: Tensor([1, 1]), runningVariance: Tensor([2, 2]),
            weight: nil, bias: nil, training: false)
        #expect(try #require(evaluation.runningMean).scalars == [1, 1])
        #expect(try #require(evaluation.runningVariance).scalars == [2, 2])
    }
}

// MARK: - Errors

extension KernelGradientTests {
    @Suite("Spatial kernel arguments at the edge of what is allowed")
    struct Boundaries {
        @Test("padding that makes the kernel fit exactly, output padding below the dilation, half-kernel pooling padding")
        func boundaries() {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let fits = Tensor.conv2d(x, weight: Tensor.zeros(shape: [6, 4, 7, 7]), padding: 1)
            #expect(fits.shape == [1, 6, 1, 1])
            // As in PyTorch, output padding below the dilation is fine even with stride 1.
            let small = Tensor.zeros(shape: [1, 4, 3, 3])
            let dilated = Tensor.convTranspose2d(small, weight: Tensor.zeros(shape: [4, 2, 3, 3]), outputPadding: 1, dilation: 2)
            #expect(dilated.shape == [1, 2, 8, 8])
            #expect(dilated.scalars.allSatisfy { $0 == 0 }, "zero input and weight must give a zero output")
            // Half the kernel is allowed as pooling padding.
            let pooled = Tensor.zeros(shape: [1, 2, 5, 5])
            #expect(pooled.maxPool2d(kernel: 4, padding: 2).shape == [1, 2, 2, 2])
            #expect(pooled.avgPool2d(kernel: Size2D(2, 4), stride: 1, padding: Size2D(1, 2)).shape == [1, 2, 6, 6])
        }
    }
}
