// package-benchmark suite for the convolution, pooling and batch-norm kernels on the FCDD
// layer shapes, with wall time, throughput, allocations and resident memory per iteration:
//
//   swift package --package-path Benchmarks benchmark --target ConvolutionBenchmarks
//
// `kernel-bench` prints the same measurements in the one-line form that
// Scripts/compare_benchmarks.py compares with PyTorch.
import BenchSupport
import Benchmark
import FCDDLayerShapes
import TensorCore

/// Inputs for one layer, made once per suite run.
private struct LayerInputs {
    let input, weight, bias, projection, activation, ones, zeros: Tensor

    init(_ shape: ConvolutionShape) throws {
        var generator = SeededGenerator(seed: 7)
        let bound = 1 / Float(shape.inputChannels * shape.kernel * shape.kernel).squareRoot()
        input = Tensor.randomNormal(shape: [shape.batch, shape.inputChannels, shape.size, shape.size], using: &generator)
        weight = Tensor.randomUniform(
            shape: [shape.outputChannels, shape.inputChannels, shape.kernel, shape.kernel],
            low: -bound, high: bound, using: &generator)
        bias = Tensor.randomUniform(shape: [shape.outputChannels], low: -bound, high: bound, using: &generator)
        let outputShape = [shape.batch, shape.outputChannels, shape.size, shape.size]
        projection = Tensor.randomNormal(shape: outputShape, using: &generator)
        activation = Tensor.randomNormal(shape: outputShape, using: &generator)
        ones = Tensor.ones(shape: [shape.outputChannels])
        zeros = Tensor.zeros(shape: [shape.outputChannels])
    }
}

let benchmarks: @Sendable () -> Void = {
    // FCDD_CONVOLUTION, FCDD_INSTRUCTION_SET and OPENBLAS_NUM_THREADS choose the settings, as in
    // the other benchmarks (FCDD_CONVOLUTION=direct FCDD_INSTRUCTION_SET=avx2: the AVX2 kernels).
    do {
        try useComputeSettings()
    } catch {
        fatalError("\(error)")
    }
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5), maxIterations: 10)
    for shape in ConvolutionShape.fcddLayers {
        let padding = Padding2D(integerLiteral: shape.padding)
        Benchmark("conv_fwd_\(shape.name)") { benchmark in
            let inputs = try LayerInputs(shape)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(Tensor.conv2d(inputs.input, weight: inputs.weight, bias: inputs.bias, padding: padding))
            }
        }
        Benchmark("conv_fwdbwd_\(shape.name)") { benchmark in
            let inputs = try LayerInputs(shape)
            let (x, w, b) = (inputs.input.trackingGradients(), inputs.weight.trackingGradients(), inputs.bias.trackingGradients())
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let loss = (Tensor.conv2d(x, weight: w, bias: b, padding: padding) * inputs.projection).sum()
                blackHole(loss.gradients(wrt: [x, w, b]))
            }
        }
        Benchmark("maxpool_fwdbwd_\(shape.name)") { benchmark in
            let activation = try LayerInputs(shape).activation.trackingGradients()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(activation.maxPool2d(kernel: 2).sum().gradient(wrt: activation))
            }
        }
        Benchmark("batchnorm_fwdbwd_\(shape.name)") { benchmark in
            let inputs = try LayerInputs(shape)
            let (x, gamma, beta) = (inputs.activation.trackingGradients(), inputs.ones.trackingGradients(), inputs.zeros.trackingGradients())
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let result = Tensor.batchNorm(
                    x, runningMean: inputs.zeros, runningVariance: inputs.ones,
                    weight: gamma, bias: beta, training: true)
                blackHole(result.output.sum().gradients(wrt: [x, gamma, beta]))
            }
        }
    }
}
