import COpenBLAS

/// The BLAS routines the library uses, and the only code that calls a BLAS library: one
/// single-precision matrix product and the thread count. The library's matrix products reach
/// them through `gemm` (GEMM.swift) and ``BLASGate``, which sets the thread count per GEMM.
///
/// This file is the OpenBLAS back end (`COpenBLAS`, `cblas.h` and OpenBLAS's thread control).
/// Another BLAS with the CBLAS interface, such as Apple's Accelerate, takes this one file
/// (the same two members over its own functions) and a platform condition on the `COpenBLAS`
/// dependency of `TensorCore` in `Package.swift`; <doc:TensorCoreGuide#BLAS> says what to
/// change.
///
/// The members are SPI (`@_spi(BLAS) import TensorCore`) so that the package's benchmarks can
/// time a raw GEMM against the library's; they are not part of the library's API. Code that
/// calls them bypasses the gate, so it must not run beside the library's own GEMMs.
@_spi(BLAS) public enum BLASBackend {
    /// `C ← α·op(A)·op(B) + β·C` in single precision, all matrices row-major (CBLAS's
    /// `sgemm`): `op(A)` is `m×k` and `op(B)` `k×n`; A is stored `k×m` when `transposeA`, B
    /// `n×k` when `transposeB`; `lda`, `ldb` and `ldc` are the distances between the rows of
    /// the stored A, B and C. Runs on ``threadCount`` threads. The sizes must fit in 32 bits
    /// (CBLAS's `int`).
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The number of threads the BLAS runs each GEMM on. One value for the whole process;
    /// setting it while a GEMM runs can corrupt that GEMM, which is why the library sets it
    /// only through ``BLASGate``.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
