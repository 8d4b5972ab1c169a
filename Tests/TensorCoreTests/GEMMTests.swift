import Testing

@testable import TensorCore

// The library's GEMM against a float64 product computed here: every transpose combination,
// row strides wider than the matrices (column blocks), accumulation onto C, and sizes that
// split into bands of rows, of columns, or not at all, on one and on several threads.

@Suite("GEMM")
struct GEMMTests {
    @Test(
        "matches a float64 product, split or not",
        arguments: [(m: 300, n: 90, k: 40), (m: 50, n: 300, k: 45), (m: 9, n: 7, k: 5), (m: 64, n: 64, k: 64)],
        [1, 3])
    func matchesReference(size: (m: Int, n: Int, k: Int), threads: Int) {
        let (m, n, k) = size
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            for accumulate in [false, true] {
                // Stored shapes, each row padded by 3 to exercise the row strides.
                let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
                let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
                let (lda, ldb, ldc) = (aColumns + 3, bColumns + 3, n + 3)
                let a = uniformValues(aRows * lda, seed: 1)
                let b = uniformValues(bRows * ldb, seed: 2)
                var c = uniformValues(m * ldc, seed: 3)
                var expected = c.map(Double.init)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0
                        for p in 0..<k {
                            let left = transposeA ? a[p * lda + i] : a[i * lda + p]
                            let right = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                            sum += Double(left) * Double(right)
                        }
                        expected[i * ldc + j] = accumulate ? expected[i * ldc + j] + sum : sum
                    }
                }
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            gemm(
                                a.baseAddress!, transposeA: transposeA, b.baseAddress!, transposeB: transposeB, into: c.baseAddress!,
                                m: m, n: n, k: k, accumulate: accumulate, rowStrideA: lda, rowStrideB: ldb, rowStrideC: ldc,
                                threads: threads)
                        }
                    }
                }
                let context = "\(m)×\(n)×\(k), transposes \(transposeA)/\(transposeB), accumulate \(accumulate), \(threads) threads"
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n { worst = Swift.max(worst, abs(Double(c[i * ldc + j]) - expected[i * ldc + j])) }
                    // The padding between rows is not C's: it must be untouched.
                    for j in n..<ldc { #expect(Double(c[i * ldc + j]) == expected[i * ldc + j], "\(context): padding written") }
                }
                #expect(worst < 1e-4, "\(context): largest error \(worst)")
            }
        }
    }
}
