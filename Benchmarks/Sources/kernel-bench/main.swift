// Times TensorCore's convolution, pooling and batch-norm kernels on the FCDD layer shapes,
// and raw cblas_sgemm on the equivalent GEMM shapes. One line per measurement, median of
// `--runs` timed runs after one warm-up:
//
//   bench=conv_fwd_<name> impl=swift threads=<t> ms_median=<x> gflops=<y>
//
//   swift run -c release --package-path Benchmarks kernel-bench [--threads 1,2] [--runs 5] [--filter text]
import COpenBLAS
import Foundation
import TensorCore

/// One convolution layer of an FCDD net, at its training batch size.
struct ConvShape {
    let name: String
    let batch, inputChannels, outputChannels, kernel, padding, size: Int
    var forwardFlops: Double {
        2 * Double(batch * outputChannels * size * size) * Double(inputChannels * kernel * kernel)
    }
}

let shapes = [
    ConvShape(name: "fmnist_c1", batch: 128, inputChannels: 1, outputChannels: 128, kernel: 5, padding: 2, size: 28),
    ConvShape(name: "fmnist_c2", batch: 128, inputChannels: 128, outputChannels: 128, kernel: 5, padding: 2, size: 14),
    ConvShape(name: "cifar_c1", batch: 128, inputChannels: 3, outputChannels: 128, kernel: 3, padding: 1, size: 32),
    ConvShape(name: "cifar_c2", batch: 128, inputChannels: 128, outputChannels: 256, kernel: 3, padding: 1, size: 16),
    ConvShape(name: "cifar_c3", batch: 128, inputChannels: 256, outputChannels: 256, kernel: 3, padding: 1, size: 16),
    ConvShape(name: "cifar_c4", batch: 128, inputChannels: 256, outputChannels: 128, kernel: 3, padding: 1, size: 8),
    ConvShape(name: "vgg_c1", batch: 16, inputChannels: 3, outputChannels: 64, kernel: 3, padding: 1, size: 224),
    ConvShape(name: "vgg_c2", batch: 16, inputChannels: 64, outputChannels: 128, kernel: 3, padding: 1, size: 112),
    ConvShape(name: "vgg_c4", batch: 16, inputChannels: 256, outputChannels: 256, kernel: 3, padding: 1, size: 56),
    ConvShape(name: "vgg_c6", batch: 16, inputChannels: 512, outputChannels: 512, kernel: 3, padding: 1, size: 28),
]

/// Raw GEMM shapes (m, n, k) to measure the ceiling against.
let gemmShapes = [(512, 512, 512), (1024, 1024, 1024), (128, 32768, 576), (256, 50176, 2304)]

func usage() -> Never {
    FileHandle.standardError.write("usage: kernel-bench [--threads 1,2] [--runs N] [--filter TEXT]\n".data(using: .utf8)!)
    exit(2)
}

/// Command-line options.
struct Options {
    var threadCounts = [1, 2]
    var runs = 5
    var filter: String?

    static func parse() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--threads":
                options.threadCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
                if options.threadCounts.isEmpty { usage() }
            case "--runs":
                guard let value = arguments.next().flatMap(Int.init), value >= 1 else { usage() }
                options.runs = value
            case "--filter":
                guard let value = arguments.next() else { usage() }
                options.filter = value
            default: usage()
            }
        }
        return options
    }
}

let options = Options.parse()

/// Median wall time in milliseconds of `runs` calls after one warm-up call.
func medianMilliseconds(_ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<options.runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return samples.sorted()[samples.count / 2]
}

func report(_ name: String, threads: Int, ms: Double, flops: Double? = nil) {
    var line = "bench=\(name) impl=swift threads=\(threads) ms_median=\(String(format: "%.3f", ms))"
    if let flops { line += " gflops=\(String(format: "%.2f", flops / ms / 1e6))" }
    FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
}

func selected(_ name: String) -> Bool { options.filter.map { name.contains($0) } ?? true }

var generator = SeededGenerator(seed: 7)
var sink: Float = 0
for threads in options.threadCounts {
    ComputeThreads.set(threads)
    for (m, n, k) in gemmShapes where selected("sgemm_\(m)x\(n)x\(k)") {
        let a = try Tensor.randomNormal(shape: [m, k], using: &generator)
        let b = try Tensor.randomNormal(shape: [k, n], using: &generator)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { c.deallocate() }
        let ms = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                medianMilliseconds {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                                pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, c, Int32(n))
                    sink += c[0]
                }
            }
        }
        report("sgemm_\(m)x\(n)x\(k)", threads: threads, ms: ms, flops: 2 * Double(m) * Double(n) * Double(k))
    }
    for shape in shapes {
        let x = try Tensor.randomNormal(shape: [shape.batch, shape.inputChannels, shape.size, shape.size], using: &generator)
        let bound = 1 / Float(shape.inputChannels * shape.kernel * shape.kernel).squareRoot()
        let w = try Tensor.randomUniform(shape: [shape.outputChannels, shape.inputChannels, shape.kernel, shape.kernel],
                                         low: -bound, high: bound, using: &generator)
        let bias = try Tensor.randomUniform(shape: [shape.outputChannels], low: -bound, high: bound, using: &generator)
        let padding = Padding2D(integerLiteral: shape.padding)
        if selected("conv_fwd_\(shape.name)") {
            let ms = try medianMilliseconds {
                sink += try Tensor.conv2d(x, weight: w, bias: bias, padding: padding).withUnsafeBufferPointer { $0[0] }
            }
            report("conv_fwd_\(shape.name)", threads: threads, ms: ms, flops: shape.forwardFlops)
        }
        if selected("conv_fwdbwd_\(shape.name)") {
            let (tx, tw, tb) = (x.trackingGradients(), w.trackingGradients(), bias.trackingGradients())
            let projection = try Tensor.randomNormal(shape: [shape.batch, shape.outputChannels, shape.size, shape.size], using: &generator)
            let ms = try medianMilliseconds {
                let y = try Tensor.conv2d(tx, weight: tw, bias: tb, padding: padding)
                let loss = try (y * projection).sum()
                let grads = try loss.gradients(wrt: [tx, tw, tb])
                sink += grads[0].withUnsafeBufferPointer { $0[0] }
            }
            report("conv_fwdbwd_\(shape.name)", threads: threads, ms: ms, flops: 3 * shape.forwardFlops)
        }
        // Max-pool 2×2/2 and batch norm on this layer's output shape.
        let activation = try Tensor.randomNormal(shape: [shape.batch, shape.outputChannels, shape.size, shape.size], using: &generator)
        if selected("maxpool_fwd_\(shape.name)") {
            let ms = try medianMilliseconds { sink += try activation.maxPool2d(kernel: 2).withUnsafeBufferPointer { $0[0] } }
            report("maxpool_fwd_\(shape.name)", threads: threads, ms: ms)
        }
        if selected("maxpool_fwdbwd_\(shape.name)") {
            let tracked = activation.trackingGradients()
            let ms = try medianMilliseconds {
                sink += try tracked.maxPool2d(kernel: 2).sum().gradient(wrt: tracked).withUnsafeBufferPointer { $0[0] }
            }
            report("maxpool_fwdbwd_\(shape.name)", threads: threads, ms: ms)
        }
        let ones = try Tensor.ones(shape: [shape.outputChannels])
        let zeros = try Tensor.zeros(shape: [shape.outputChannels])
        if selected("batchnorm_fwd_\(shape.name)") {
            let ms = try medianMilliseconds {
                let result = try Tensor.batchNorm(activation, runningMean: zeros, runningVariance: ones, weight: ones,
                                                  bias: zeros, training: true)
                sink += result.output.withUnsafeBufferPointer { $0[0] }
            }
            report("batchnorm_fwd_\(shape.name)", threads: threads, ms: ms)
        }
        if selected("batchnorm_fwdbwd_\(shape.name)") {
            let (tracked, gamma, beta) = (activation.trackingGradients(), ones.trackingGradients(), zeros.trackingGradients())
            let ms = try medianMilliseconds {
                let result = try Tensor.batchNorm(tracked, runningMean: zeros, runningVariance: ones, weight: gamma,
                                                  bias: beta, training: true)
                sink += try result.output.sum().gradients(wrt: [tracked, gamma, beta])[0].withUnsafeBufferPointer { $0[0] }
            }
            report("batchnorm_fwdbwd_\(shape.name)", threads: threads, ms: ms)
        }
    }
}
if sink.isNaN { print("sink \(sink)") }
