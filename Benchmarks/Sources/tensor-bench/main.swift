// Times TensorCore's elementwise, reduction and matmul kernels, and a raw BLAS sgemm for
// comparison. One line per measurement: the median of `runs` timed runs after a warm-up.
//
//   swift run -c release --package-path Benchmarks tensor-bench [--threads 1,2] [--runs 21]
import BenchSupport
import Foundation
@_spi(BLAS) import TensorCore

var threadCounts = [1, 2]
var runs = 21
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--threads": threadCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    default:
        FileHandle.standardError.write("usage: tensor-bench [--threads 1,2] [--runs N]\n".data(using: .utf8)!)
        exit(2)
    }
}

var generator = SeededGenerator(seed: 42)
let a = Tensor.randomNormal(shape: [1_000_000], using: &generator)
let b = Tensor.randomNormal(shape: [1_000_000], using: &generator)
let rowVector = Tensor.randomNormal(shape: [1000], using: &generator)
let matrix = a.reshaped(to: [1000, 1000])
let m512a = Tensor.randomNormal(shape: [512, 512], using: &generator)
let m512b = Tensor.randomNormal(shape: [512, 512], using: &generator)
var sink: Float = 0

for threads in threadCounts {
    try useComputeSettings(threads: threads)
    func report(_ name: String, _ ms: Double, gflops: Double? = nil, gbs: Double? = nil) {
        var line = "bench=\(name) impl=swift threads=\(threads) ms_median=\(String(format: "%.4f", ms))"
        if let gflops { line += " gflops=\(String(format: "%.2f", gflops / ms / 1e6))" }
        if let gbs { line += " gb_per_s=\(String(format: "%.2f", gbs / ms / 1e6))" }
        print(line)
    }
    report("add_1M", medianMilliseconds(runs: runs) { sink += (a + b).withUnsafeBufferPointer { $0[0] } }, gbs: 12e6)
    report("add_broadcast_1000x1000", medianMilliseconds(runs: runs) { sink += (matrix + rowVector).withUnsafeBufferPointer { $0[0] } }, gbs: 8e6)
    report("mul_scalar_1M", medianMilliseconds(runs: runs) { sink += (a * 1.5).withUnsafeBufferPointer { $0[0] } }, gbs: 8e6)
    report("exp_1M", medianMilliseconds(runs: runs) { sink += a.exp().withUnsafeBufferPointer { $0[0] } }, gbs: 8e6)
    report("sum_1M", medianMilliseconds(runs: runs) { sink += a.sum().withUnsafeBufferPointer { $0[0] } }, gbs: 4e6)
    report("sum_axis0_1000x1000", medianMilliseconds(runs: runs) { sink += matrix.sum(alongAxes: [0]).withUnsafeBufferPointer { $0[0] } }, gbs: 4e6)
    report("sum_axis1_1000x1000", medianMilliseconds(runs: runs) { sink += matrix.sum(alongAxes: [1]).withUnsafeBufferPointer { $0[0] } }, gbs: 4e6)
    report("transpose_1000x1000", medianMilliseconds(runs: runs) { sink += matrix.transposed().withUnsafeBufferPointer { $0[0] } }, gbs: 8e6)
    let flops = 2.0 * 512 * 512 * 512
    report("matmul_512x512x512", medianMilliseconds(runs: runs) { sink += Tensor.matmul(m512a, m512b).withUnsafeBufferPointer { $0[0] } }, gflops: flops)
    // A raw BLASBackend.sgemm into a preallocated buffer (on the thread count the matmul above
    // left set): the ceiling matmul is measured against.
    let output = UnsafeMutablePointer<Float>.allocate(capacity: 512 * 512)
    defer { output.deallocate() }
    let rawMs = m512a.withUnsafeBufferPointer { pa in
        m512b.withUnsafeBufferPointer { pb in
            medianMilliseconds(runs: runs) {
                BLASBackend.sgemm(
                    transposeA: false, transposeB: false, m: 512, n: 512, k: 512, alpha: 1,
                    a: pa.baseAddress!, lda: 512, b: pb.baseAddress!, ldb: 512, beta: 0, c: output, ldc: 512)
                sink += output[0]
            }
        }
    }
    report("sgemm_512x512x512", rawMs, gflops: flops)
    let x = Tensor.randomNormal(shape: [128, 784], using: &generator)
    let w = Tensor.randomNormal(shape: [784, 128], using: &generator).trackingGradients()
    report(
        "mlp_layer_fwdbwd_128x784x128",
        medianMilliseconds(runs: runs) {
            let loss = Tensor.matmul(x, w).relu().sum()
            sink += loss.gradient(wrt: w).withUnsafeBufferPointer { $0[0] }
        }, gflops: 2 * 2.0 * 128 * 784 * 128)  // forward GEMM and the weight-gradient GEMM
}
if sink == .infinity { print(sink) }
