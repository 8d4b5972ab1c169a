@testable import TensorCore

// The convolution kernels run directly on seeded inputs, for the tests that compare the
// algorithms with each other (DirectConvolutionTests, WinogradConvolutionTests,
// WinogradAccuracyTests, ConvolutionAlgorithmTests).

/// `count` seeded values, uniform in [-1, 1) (from the unit floats, which a debug build makes
/// much faster than `Float.random(in:using:)`).
func uniformValues(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        for index in 0..<count { buffer[index] = 2 * generator.nextUnitFloat() - 1 }
        initialized = count
    }
}

/// The largest absolute difference between corresponding elements (NaN if any difference is
/// NaN). Plain loops: the tests compare millions of elements, also in debug builds.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "comparing \(a.count) with \(b.count) elements")
    var largest: Float = 0
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            for index in 0..<a.count {
                let difference = abs(a[index] - b[index])
                if difference.isNaN || difference > largest { largest = difference }
            }
        }
    }
    return largest
}

/// The largest magnitude of any element.
func maxMagnitude(_ values: [Float]) -> Float {
    maxDifference(values, [Float](repeating: 0, count: values.count))
}

/// The largest difference between `values` and `reference`, relative to the reference's
/// largest magnitude (1 when that is 0).
func relativeDifference(_ values: [Float], _ reference: [Float]) -> Float {
    let magnitude = maxMagnitude(reference)
    return maxDifference(values, reference) / (magnitude > 0 ? magnitude : 1)
}

/// The instruction sets with direct kernels that this CPU runs as named (AVX-512F and AVX2
/// with FMA where it has both), for the tests that check each kernel path.
let directInstructionSets = KernelInstructionSet.allCases.filter { set in
    set != .automatic && set != .portable && set.isSupported
}

/// Seeded input, weight, bias and output gradient of one convolution, uniform in [-1, 1].
struct ConvolutionOperands {
    let input: [Float]
    let weight: [Float]
    let bias: [Float]
    let outputGradient: [Float]

    init(_ geometry: ConvolutionGeometry) {
        input = uniformValues(geometry.inputShape.reduce(1, *), seed: 1)
        weight = uniformValues(geometry.weightShape.reduce(1, *), seed: 2)
        bias = uniformValues(geometry.outputChannels, seed: 3)
        outputGradient = uniformValues(geometry.outputShape.reduce(1, *), seed: 4)
    }

    /// Given operands.
    init(input: [Float], weight: [Float], bias: [Float], outputGradient: [Float]) {
        (self.input, self.weight, self.bias, self.outputGradient) = (input, weight, bias, outputGradient)
    }
}

/// The forward pass and both gradients of one convolution under one algorithm and instruction
/// set. Both are passed to the kernels directly, so the settings of the tests running beside it
/// stay untouched.
struct ConvolutionRun {
    var output: [Float]
    var inputGradient: [Float]
    var weightGradient: [Float]

    /// A run on `operands` (with their bias when `bias`).
    init(
        _ geometry: ConvolutionGeometry, operands: ConvolutionOperands, bias: Bool, algorithm: ConvolutionAlgorithm,
        instructionSet: KernelInstructionSet = .automatic
    ) {
        var settings = ComputeSettings.current
        settings.convolution = algorithm
        settings.instructionSet = instructionSet
        var output = [Float](repeating: .nan, count: operands.outputGradient.count)
        var inputGradient = [Float](repeating: .nan, count: operands.input.count)
        var weightGradient = [Float](repeating: .nan, count: operands.weight.count)
        operands.input.withUnsafeBufferPointer { x in
            operands.weight.withUnsafeBufferPointer { w in
                operands.bias.withUnsafeBufferPointer { b in
                    operands.outputGradient.withUnsafeBufferPointer { dy in
                        output.withUnsafeMutableBufferPointer { y in
                            geometry.forward(
                                input: x.baseAddress!, weight: w.baseAddress!, bias: bias ? b.baseAddress! : nil,
                                into: y.baseAddress!, settings: settings)
                        }
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            weightGradient.withUnsafeMutableBufferPointer { dw in
                                geometry.backward(
                                    input: x.baseAddress!, weight: w.baseAddress!, outputGradient: dy.baseAddress!,
                                    inputGradient: dx.baseAddress!, weightGradient: dw.baseAddress!,
                                    settings: settings)
                            }
                        }
                    }
                }
            }
        }
        (self.output, self.inputGradient, self.weightGradient) = (output, inputGradient, weightGradient)
    }

    /// A run on fresh ``ConvolutionOperands``.
    init(
        _ geometry: ConvolutionGeometry, bias: Bool, algorithm: ConvolutionAlgorithm,
        instructionSet: KernelInstructionSet = .automatic
    ) {
        self.init(
            geometry, operands: ConvolutionOperands(geometry), bias: bias, algorithm: algorithm,
            instructionSet: instructionSet)
    }

    /// Whether any result is NaN (a kernel left an element unwritten).
    var containsNaN: Bool {
        output.contains { $0.isNaN } || inputGradient.contains { $0.isNaN } || weightGradient.contains { $0.isNaN }
    }
}

/// The forward pass and both gradients of one convolution on one Winograd tile (bias included),
/// its transforms on `instructionSet`.
struct WinogradRun {
    var output: [Float]
    var inputGradient: [Float]
    var weightGradient: [Float]

    init(
        _ geometry: ConvolutionGeometry, tile: WinogradTile, operands: ConvolutionOperands,
        instructionSet: KernelInstructionSet = .automatic
    ) {
        var output = [Float](repeating: .nan, count: operands.outputGradient.count)
        var inputGradient = [Float](repeating: .nan, count: operands.input.count)
        var weightGradient = [Float](repeating: .nan, count: operands.weight.count)
        let threads = ComputeSettings.current.threads
        operands.input.withUnsafeBufferPointer { x in
            operands.weight.withUnsafeBufferPointer { w in
                operands.bias.withUnsafeBufferPointer { b in
                    operands.outputGradient.withUnsafeBufferPointer { dy in
                        output.withUnsafeMutableBufferPointer { y in
                            geometry.winogradForward(
                                input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!, activation: .identity,
                                into: y.baseAddress!, tile: tile, instructionSet: instructionSet,
                                threads: threads)
                        }
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            weightGradient.withUnsafeMutableBufferPointer { dw in
                                geometry.winogradBackward(
                                    input: x.baseAddress!, weight: w.baseAddress!, outputGradient: dy.baseAddress!,
                                    inputGradient: dx.baseAddress!, weightGradient: dw.baseAddress!, tile: tile,
                                    instructionSet: instructionSet, threads: threads)
                            }
                        }
                    }
                }
            }
        }
        (self.output, self.inputGradient, self.weightGradient) = (output, inputGradient, weightGradient)
    }
}

extension ConvolutionGeometry {
    /// A stride-1, undilated, ungrouped convolution of `[batch, inputs, height, width]` by an
    /// `outputs × inputs × kernel` weight.
    static func stride1(
        batch: Int, inputs: Int, outputs: Int, height: Int, width: Int, kernel: Size2D, padding: Padding2D
    ) -> ConvolutionGeometry {
        ConvolutionGeometry(
            input: [batch, inputs, height, width], weight: [outputs, inputs, kernel.height, kernel.width],
            stride: 1, padding: padding, dilation: 1, groups: 1, op: "test")
    }
}
