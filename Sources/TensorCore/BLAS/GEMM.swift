/// C[m×n] = op(A)·op(B) (+ C when `accumulate`), row-major, through ``BLASBackend/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// every matrix product of the library goes through here.
/// `op(A)` is `m×k`; A is stored `k×m` when `transposeA`. Likewise B. B and C may be
/// column blocks of wider matrices: `rowStrideA`, `rowStrideB` and `rowStrideC` are then the
/// distance between their rows (their leading dimensions).
///
/// Runs on up to `threads` threads of the library's own (``parallelChunks(count:minimumChunk:threads:_:)``),
/// each computing a band of C's rows (or columns, whichever is longer) with OpenBLAS on one
/// thread, through ``BLASGate``. OpenBLAS's own worker threads are never used: after each
/// call they keep polling the CPU (`sched_yield`) for a while, competing with the library's
/// threads for the cores (7 % of a two-thread Fashion-MNIST training step went to that).
func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
    into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool = false,
    rowStrideA: Int? = nil, rowStrideB: Int? = nil, rowStrideC: Int? = nil, threads: Int
) {
    if m == 0 || n == 0 { return }
    let ldc = rowStrideC ?? n
    if k == 0 {
        if !accumulate { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
        return
    }
    let (lda, ldb) = (rowStrideA ?? (transposeA ? m : k), rowStrideB ?? (transposeB ? k : n))
    // Row i of op(A) starts at a + i·lda, or at a + i when A is stored transposed; column j of
    // op(B) at b + j, or at b + j·ldb when B is stored transposed.
    let splitsRows = m >= n
    let length = splitsRows ? m : n
    let parts = Swift.min(threads, length / gemmMinimumBand, m * n * k / gemmMinimumWork)
    guard parts > 1 else {
        BLASGate.shared.run(threads: 1) {
            BLASBackend.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                beta: accumulate ? 1 : 0, c: c, ldc: ldc)
        }
        return
    }
    parallelChunks(count: length, minimumChunk: (length + parts - 1) / parts, threads: parts) { band in
        let first = band.lowerBound
        let bandA = splitsRows ? a + first * (transposeA ? 1 : lda) : a
        let bandB = splitsRows ? b : b + first * (transposeB ? ldb : 1)
        let bandC = c + first * (splitsRows ? ldc : 1)
        BLASGate.shared.run(threads: 1) {
            BLASBackend.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: splitsRows ? band.count : m, n: splitsRows ? n : band.count,
                k: k, alpha: 1, a: bandA, lda: lda, b: bandB, ldb: ldb, beta: accumulate ? 1 : 0, c: bandC, ldc: ldc)
        }
    }
}

/// The fewest rows (or columns) of C worth a thread of their own: two register tiles of the
/// BLAS's kernels, so that the bands stay wide enough for them.
private let gemmMinimumBand = 32

/// The fewest multiply-adds worth a thread of their own (a GEMM of 64 × 64 × 64).
private let gemmMinimumWork = 1 << 18
