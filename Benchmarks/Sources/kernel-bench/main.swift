// Times TensorCore's convolution, pooling and batch-norm kernels on the FCDD layer shapes,
// and a raw BLAS sgemm on the equivalent GEMM shapes. One line per measurement, median of
// `--runs` timed runs after one warm-up:
//
//   bench=conv_fwd_<name> impl=swift threads=<t> ms_median=<x> gflops=<y>
//
//   swift run -c release --package-path Benchmarks kernel-bench [--threads 1,2] [--runs 5] [--filter text]
//       [--instruction-sets avx512,avx2,portable]
//
// With `--instruction-sets`, every convolution is timed once per named set (see
// `KernelInstructionSet`), each under a `ComputeSettings.withSettings` scope naming it, and its
// lines gain `isa=<the set that ran>`: e.g. the AVX2 direct kernels on a CPU with AVX-512
// (with `FCDD_CONVOLUTION=direct`, since the automatic choice gives 3×3 and 5×5 layers to
// Winograd), against `portable`, the lowering. Scripts/compare_benchmarks.py keys lines by
// name and threads, so give it one set at a time.
import BenchSupport
import FCDDLayerShapes
import Foundation
@_spi(BLAS) import TensorCore

let shapes = ConvolutionShape.fcddLayers

/// Raw GEMM shapes (m, n, k) to measure the ceiling against.
let gemmShapes = [(512, 512, 512), (1024, 1024, 1024), (128, 32768, 576), (256, 50176, 2304)]

func usage() -> Never {
    let text = "usage: kernel-bench [--threads 1,2] [--runs N] [--filter TEXT] [--instruction-sets avx512,avx2,portable]\n"
    FileHandle.standardError.write(text.data(using: .utf8)!)
    exit(2)
}

/// Command-line options.
struct Options {
    var threadCounts = [1, 2]
    var runs = 5
    var filter: String?
    /// The instruction sets to time each convolution on; nil: the settings' own, once.
    var instructionSets: [KernelInstructionSet]?

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
            case "--instruction-sets":
                let names = (arguments.next() ?? "").split(separator: ",")
                let sets = names.compactMap { KernelInstructionSet(rawValue: $0.lowercased()) }
                if sets.isEmpty || sets.count != names.count { usage() }
                options.instructionSets = sets
            default: usage()
            }
        }
        return options
    }
}

let options = Options.parse()

/// Median wall time in milliseconds of `--runs` calls after one warm-up call.
func medianMilliseconds(_ body: () throws -> Void) rethrows -> Double {
    try medianMilliseconds(runs: options.runs, body)
}

func report(_ name: String, threads: Int, ms: Double, flops: Double? = nil, instructionSet: KernelInstructionSet? = nil) {
    var line = "bench=\(name) impl=swift threads=\(threads) ms_median=\(String(format: "%.3f", ms))"
    if let instructionSet { line += " isa=\(instructionSet.effective.rawValue)" }
    if let flops { line += " gflops=\(String(format: "%.2f", flops / ms / 1e6))" }
    FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
}

func selected(_ name: String) -> Bool { options.filter.map { name.contains($0) } ?? true }

/// Runs `body` once per set of `--instruction-sets`, in a settings scope naming it, or once
/// under the current settings (passing nil) without the option.
func forEachInstructionSet(_ body: (KernelInstructionSet?) throws -> Void) throws {
    guard let sets = options.instructionSets else { return try body(nil) }
    for set in sets {
        var settings = ComputeSettings.current
        settings.instructionSet = set
        try ComputeSettings.withSettings(settings) { try body(set) }
    }
}

var generator = SeededGenerator(seed: 7)
var sink: Float = 0
for threads in options.threadCounts {
    try useComputeSettings(threads: threads)
    // A raw BLASBackend.sgemm bypasses the library's GEMM gate, which sets the BLAS's thread
    // count for the library's own GEMMs: set it here.
    BLASBackend.threadCount = threads
    for (m, n, k) in gemmShapes where selected("sgemm_\(m)x\(n)x\(k)") {
        let a = Tensor.randomNormal(shape: [m, k], using: &generator)
        let b = Tensor.randomNormal(shape: [k, n], using: &generator)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { c.deallocate() }
        let ms = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                medianMilliseconds {
                    BLASBackend.sgemm(
                        transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                        a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, beta: 0, c: c, ldc: n)
                    sink += c[0]
                }
            }
        }
        report("sgemm_\(m)x\(n)x\(k)", threads: threads, ms: ms, flops: 2 * Double(m) * Double(n) * Double(k))
    }
    for shape in shapes {
        let x = Tensor.randomNormal(shape: [shape.batch, shape.inputChannels, shape.size, shape.size], using: &generator)
        let bound = 1 / Float(shape.inputChannels * shape.kernel * shape.kernel).squareRoot()
        let w = Tensor.randomUniform(
            shape: [shape.outputChannels, shape.inputChannels, shape.kernel, shape.kernel],
            low: -bound, high: bound, using: &generator)
        let bias = Tensor.randomUniform(shape: [shape.outputChannels], low: -bound, high: bound, using: &generator)
        let padding = Padding2D(integerLiteral: shape.padding)
        if selected("conv_fwd_\(shape.name)") {
            try forEachInstructionSet { set in
                let ms = medianMilliseconds {
                    sink += Tensor.conv2d(x, weight: w, bias: bias, padding: padding).withUnsafeBufferPointer { $0[0] }
                }
                report("conv_fwd_\(shape.name)", threads: threads, ms: ms, flops: shape.forwardFlops, instructionSet: set)
            }
        }
        if selected("conv_fwdbwd_\(shape.name)") {
            let (tx, tw, tb) = (x.trackingGradients(), w.trackingGradients(), bias.trackingGradients())
            let projection = Tensor.randomNormal(shape: [shape.batch, shape.outputChannels, shape.size, shape.size], using: &generator)
            try forEachInstructionSet { set in
                let ms = medianMilliseconds {
                    let y = Tensor.conv2d(tx, weight: tw, bias: tb, padding: padding)
                    let loss = (y * projection).sum()
                    let grads = loss.gradients(wrt: [tx, tw, tb])
                    sink += grads[0].withUnsafeBufferPointer { $0[0] }
                }
                report(
                    "conv_fwdbwd_\(shape.name)", threads: threads, ms: ms, flops: 3 * shape.forwardFlops,
                    instructionSet: set)
            }
        }
        // Max-pool 2×2/2 and batch norm on this layer's output shape.
        let activation = Tensor.randomNormal(shape: [shape.batch, shape.outputChannels, shape.size, shape.size], using: &generator)
        if selected("maxpool_fwd_\(shape.name)") {
            let ms = medianMilliseconds { sink += activation.maxPool2d(kernel: 2).withUnsafeBufferPointer { $0[0] } }
            report("maxpool_fwd_\(shape.name)", threads: threads, ms: ms)
        }
        if selected("maxpool_fwdbwd_\(shape.name)") {
            let tracked = activation.trackingGradients()
            let ms = medianMilliseconds {
                sink += tracked.maxPool2d(kernel: 2).sum().gradient(wrt: tracked).withUnsafeBufferPointer { $0[0] }
            }
            report("maxpool_fwdbwd_\(shape.name)", threads: threads, ms: ms)
        }
        let ones = Tensor.ones(shape: [shape.outputChannels])
        let zeros = Tensor.zeros(shape: [shape.outputChannels])
        if selected("batchnorm_fwd_\(shape.name)") {
            let ms = medianMilliseconds {
                let result = Tensor.batchNorm(
                    activation, runningMean: zeros, runningVariance: ones, weight: ones,
                    bias: zeros, training: true)
                sink += result.output.withUnsafeBufferPointer { $0[0] }
            }
            report("batchnorm_fwd_\(shape.name)", threads: threads, ms: ms)
        }
        if selected("batchnorm_fwdbwd_\(shape.name)") {
            let (tracked, gamma, beta) = (activation.trackingGradients(), ones.trackingGradients(), zeros.trackingGradients())
            let ms = medianMilliseconds {
                let result = Tensor.batchNorm(
                    tracked, runningMean: zeros, runningVariance: ones, weight: gamma,
                    bias: beta, training: true)
                sink += result.output.sum().gradients(wrt: [tracked, gamma, beta])[0].withUnsafeBufferPointer { $0[0] }
            }
            report("batchnorm_fwdbwd_\(shape.name)", threads: threads, ms: ms)
        }
    }
}
if sink.isNaN { print("sink \(sink)") }

/// Resident set size of this process in MiB, from /proc/self/statm.
func residentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return -1 }
    return pages * 4096 / 1_048_576
}

// A steady training-shaped loop: FCDD_CNN28_W (conv 1→128 k5, BN, leaky ReLU, max-pool,
// conv 128→128 k5, max-pool, conv 128→1 k1) on a batch of 128 with the pseudo-Huber loss
// and an SGD update. Resident memory after warm-up must not grow with the iterations.
if selected("rss_fcdd_cnn28_train_loop") {
    try useComputeSettings(threads: options.threadCounts.last ?? 1)
    let images = Tensor.randomUniform(shape: [128, 1, 28, 28], using: &generator)
    func uniform(_ shape: [Int], fanIn: Int) throws -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor.randomUniform(shape: shape, low: -bound, high: bound, using: &generator).trackingGradients()
    }
    var parameters = [
        try uniform([128, 1, 5, 5], fanIn: 25), try uniform([128], fanIn: 25),
        Tensor.ones(shape: [128]).trackingGradients(), Tensor.zeros(shape: [128]).trackingGradients(),
        try uniform([128, 128, 5, 5], fanIn: 3200), try uniform([128], fanIn: 3200),
        try uniform([1, 128, 1, 1], fanIn: 128), try uniform([1], fanIn: 128),
    ]
    var runningMean = Tensor.zeros(shape: [128])
    var runningVariance = Tensor.ones(shape: [128])
    var samples: [(Int, Double)] = []
    let start = DispatchTime.now().uptimeNanoseconds
    for iteration in 1...60 {
        var x = Tensor.conv2d(images, weight: parameters[0], bias: parameters[1], padding: 2)
        let normalized = Tensor.batchNorm(
            x, runningMean: runningMean, runningVariance: runningVariance,
            weight: parameters[2], bias: parameters[3], training: true, epsilon: 1e-4)
        runningMean = normalized.runningMean!
        runningVariance = normalized.runningVariance!
        x = normalized.output.leakyRelu().maxPool2d(kernel: 2)
        x = Tensor.conv2d(x, weight: parameters[4], bias: parameters[5], padding: 2).maxPool2d(kernel: 2)
        x = Tensor.conv2d(x, weight: parameters[6], bias: parameters[7])
        let loss = ((x.squared() + 1).sqrt() - 1).mean()
        let gradients = loss.gradients(wrt: parameters)
        parameters = withoutGradients {
            zip(parameters, gradients).map { ($0 - $1 * 0.01).trackingGradients() }
        }
        if [5, 20, 40, 60].contains(iteration) { samples.append((iteration, residentMegabytes())) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rss = samples.map { "rss_mb_iter\($0.0)=\(String(format: "%.1f", $0.1))" }.joined(separator: " ")
    let line =
        "bench=rss_fcdd_cnn28_train_loop impl=swift threads=\(ComputeSettings.default.threads) ms_per_step=\(String(format: "%.1f", seconds / 60 * 1000)) \(rss)"
    FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
}
