extension Tensor {
    /// The index of the largest value along `axis`, for every position of the other axes in
    /// row-major order (PyTorch's `argmax(dim)` flattened): for logits `[N, C]` and axis 1,
    /// the predicted class of each of the `N` rows. The first maximum wins a tie; a NaN
    /// counts as the largest value, as in PyTorch.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range or an
    ///   empty axis.
    public func argmax(alongAxis axis: Int) -> [Int] {
        let resolved = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(resolved) else {
            stop(.invalidArgument(op: "argmax", message: "axis \(axis) is out of range for shape \(describe(shape))"))
        }
        let length = shape[resolved]
        guard length > 0 else {
            stop(.invalidArgument(op: "argmax", message: "axis \(axis) is empty in shape \(describe(shape))"))
        }
        let outer = shapeElementCount(Array(shape[..<resolved]))
        let inner = shapeElementCount(Array(shape[(resolved + 1)...]))
        let values = UnsafePointer(storage.pointer)
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = values + o * length * inner + i
                var best = 0
                var bestValue = base[0]
                if !bestValue.isNaN {
                    for k in 1..<length {
                        let value = base[k * inner]
                        if value.isNaN { best = k; break }
                        if value > bestValue { best = k; bestValue = value }
                    }
                }
                result[o * inner + i] = best
            }
        }
        return result
    }
}
