/// C[m×n] = op(A)·op(B) (+ C when `accumulate`), row-major, through ``BLASBackend/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// every matrix product of the library goes through here.
/// `op(A)` is `m×k`; A is stored `k×m` when `transposeA`. Likewise B. B and C may be
/// column blocks of wider matrices: `rowStrideA`, `rowStrideB` and `rowStrideC` are then the
/// distance between their rows (their leading dimensions). Runs on `threads` BLAS threads,
/// through ``BLASGate`` (which may make it wait for GEMMs on other threads).
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
    BLASGate.shared.run(threads: threads) {
        BLASBackend.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
            a: a, lda: rowStrideA ?? (transposeA ? m : k), b: b, ldb: rowStrideB ?? (transposeB ? k : n),
            beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    }
}
