extension Tensor {
    /// Matrix product of the last two axes, `[..., m, k] × [..., k, n] → [..., m, n]`, with
    /// the leading (batch) axes broadcast as in NumPy. Both operands need rank ≥ 2. Runs on
    /// the BLAS's sgemm; a batch times a single matrix is one GEMM.
    ///
    /// - Precondition: Stops with ``TensorError/shapeMismatch(op:expected:found:)`` when the inner
    ///   dimensions differ, a rank is below 2, or the batch axes do not broadcast.
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        guard a.rank >= 2, b.rank >= 2, a.shape[a.rank - 1] == b.shape[b.rank - 2],
            let batch = broadcastResult(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
        else {
            stop(.shapeMismatch(op: "matmul", expected: "[..., m, k] and [..., k, n] with broadcastable batch axes", found: [a.shape, b.shape]))
        }
        return matmulUnchecked(a, transposeA: false, b, transposeB: false, batch: batch)
    }

    /// A fully connected layer, PyTorch's `F.linear`: `input·weightᵀ + bias` for input
    /// `[..., inFeatures]`, weight `[outFeatures, inFeatures]` and optional bias
    /// `[outFeatures]`. The weight is read transposed by the GEMM, never copied.
    ///
    /// - Precondition: Stops with ``TensorError/shapeMismatch(op:expected:found:)`` when the feature counts
    ///   do not fit or the input has rank 0.
    public static func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        guard input.rank >= 1, weight.rank == 2, input.shape[input.rank - 1] == weight.shape[1],
            bias.map({ $0.shape == [weight.shape[0]] }) ?? true
        else {
            stop(
                .shapeMismatch(
                    op: "linear", expected: "input [..., in], weight [out, in] and bias [out]",
                    found: [input.shape, weight.shape] + (bias.map { [$0.shape] } ?? [])))
        }
        let leading = Array(input.shape.dropLast())
        let rows = input.reshapedUnchecked([shapeElementCount(leading), weight.shape[1]])
        var output = matmulUnchecked(rows, transposeA: false, weight, transposeB: true, batch: [])
        if let bias { output = output + bias }
        return output.reshapedUnchecked(leading + [weight.shape[0]])
    }

    /// Batched product of validated operands; `transposeA`/`transposeB` read the last two
    /// axes of an operand transposed without copying it (used by the gradients).
    static func matmulUnchecked(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, batch: [Int]) -> Tensor {
        let (ar, br) = (a.rank, b.rank)
        let m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2]
        let k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1]
        let n = transposeB ? b.shape[br - 2] : b.shape[br - 1]
        let batchCount = shapeElementCount(batch)
        let y = Tensor(uninitializedShape: batch + [m, n]) { output in
            let (pa, pb) = (UnsafePointer(a.storage.pointer), UnsafePointer(b.storage.pointer))
            let threads = ComputeSettings.current.threads
            if br == 2 && !transposeA && a.scalarCount == batchCount * m * k {
                // Every batch item meets the same matrix: one tall GEMM.
                gemm(
                    pa, transposeA: false, pb, transposeB: transposeB, into: output, m: batchCount * m, n: n, k: k,
                    threads: threads)
                return
            }
            let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
            let aStrides = broadcastStrides(of: aBatch, to: batch), bStrides = broadcastStrides(of: bBatch, to: batch)
            let batchStrides = contiguousStrides(batch)
            for item in 0..<batchCount {
                var (aItem, bItem, rest) = (0, 0, item)
                for axis in 0..<batch.count {
                    let index = rest / batchStrides[axis]
                    rest %= batchStrides[axis]
                    aItem += index * aStrides[axis]
                    bItem += index * bStrides[axis]
                }
                gemm(
                    pa + aItem * m * k, transposeA: transposeA, pb + bItem * k * n, transposeB: transposeB,
                    into: output + item * m * n, m: m, n: n, k: k, threads: threads)
            }
        }
        guard let parents = recordedParents(a, b) else { return y }
        let (savedA, savedB, needs) = (a.detached(), b.detached(), OperandNeeds(parents))
        return y.recording(parents: parents, inputShapes: [a.shape, b.shape]) { g in
            // dA = g·Bᵀ (or B·gᵀ when A was read transposed); dB = Aᵀ·g (or gᵀ·A).
            [
                needs.first {
                    transposeA
                        ? matmulUnchecked(savedB, transposeA: transposeB, g, transposeB: true, batch: batch)
                        : matmulUnchecked(g, transposeA: false, savedB, transposeB: !transposeB, batch: batch)
                },
                needs.second {
                    transposeB
                        ? matmulUnchecked(g, transposeA: true, savedA, transposeB: transposeA, batch: batch)
                        : matmulUnchecked(savedA, transposeA: !transposeA, g, transposeB: false, batch: batch)
                },
            ]
        }
    }
}
