extension Tensor {
    /// The same elements in a new shape; one dimension may be `-1` and is then inferred.
    /// Shares storage with `self` (no copy).
    ///
    /// - Precondition: the shapes hold the same number of elements, at most one dimension is
    ///   `-1` and none is below it (see ``checkedReshaped(to:)``).
    public func reshaped(to newShape: [Int]) -> Tensor {
        orStop { () throws(TensorError) in try checkedReshaped(to: newShape) }
    }

    /// The same elements in a new shape, or an error when they do not fit: the variant of
    /// ``reshaped(to:)`` for shapes that come from outside.
    ///
    /// - Throws: ``TensorError/shapeMismatch(op:expected:found:)`` when the element counts
    ///   differ, or ``TensorError/invalidArgument(op:message:)`` for more than one `-1` or a
    ///   dimension below `-1`.
    public func checkedReshaped(to newShape: [Int]) throws(TensorError) -> Tensor {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw .invalidArgument(op: "reshape", message: "at most one dimension may be -1 and none below it, found \(describe(newShape))")
        }
        var resolved = newShape
        if let axis = inferred.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, scalarCount % known == 0 else {
                throw .shapeMismatch(op: "reshape", expected: "a shape whose known dimensions divide \(scalarCount) elements", found: [shape, newShape])
            }
            resolved[axis] = scalarCount / known
        }
        guard shapeElementCount(resolved) == scalarCount else {
            throw .shapeMismatch(op: "reshape", expected: "a shape with \(scalarCount) elements", found: [shape, newShape])
        }
        return reshapedUnchecked(resolved)
    }

    /// Reshape to a shape already known to have the same element count.
    func reshapedUnchecked(_ newShape: [Int]) -> Tensor {
        if newShape == shape { return self }
        let y = Tensor(shape: newShape, storage: storage)
        guard let parents = Tensor.recordedParents(self) else { return y }
        let inputShape = shape
        return y.recording(parents: parents, inputShapes: [inputShape]) { g in [g.reshapedUnchecked(inputShape)] }
    }

    /// Merges axes `startAxis...endAxis` into one (PyTorch's `flatten`); by default all
    /// axes from the second on, which turns `[N, C, H, W]` into `[N, C·H·W]`.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for axes out of range or in
    ///   the wrong order.
    public func flattened(startAxis: Int = 1, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshapedUnchecked([1]) }
        let start = normalizeAxis(startAxis, rank: rank, op: "flatten")
        let end = normalizeAxis(endAxis, rank: rank, op: "flatten")
        guard start <= end else {
            stop(.invalidArgument(op: "flatten", message: "startAxis \(startAxis) comes after endAxis \(endAxis)"))
        }
        let merged = shape[start...end].reduce(1, *)
        return reshapedUnchecked(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// Removes `axis`, which must have size 1; without an axis, removes every size-1 axis.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range or of
    ///   a size other than 1.
    public func squeezed(axis: Int? = nil) -> Tensor {
        guard let axis else { return reshapedUnchecked(shape.filter { $0 != 1 }) }
        let resolved = normalizeAxis(axis, rank: rank, op: "squeeze")
        guard shape[resolved] == 1 else {
            stop(.invalidArgument(op: "squeeze", message: "axis \(axis) has size \(shape[resolved]), expected 1 (shape \(describe(shape)))"))
        }
        var newShape = shape
        newShape.remove(at: resolved)
        return reshapedUnchecked(newShape)
    }

    /// Inserts an axis of size 1 at `axis` (which may be `rank`, or negative as in PyTorch).
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range.
    public func unsqueezed(axis: Int) -> Tensor {
        let resolved = normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: resolved)
        return reshapedUnchecked(newShape)
    }

    /// Reorders the axes: result axis `i` is input axis `permutation[i]` (PyTorch's
    /// `permute`). Copies into a new contiguous layout.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` unless `permutation` lists
    ///   every axis exactly once.
    public func permuted(_ permutation: [Int]) -> Tensor {
        var resolved: [Int] = []
        for axis in permutation { resolved.append(normalizeAxis(axis, rank: rank, op: "permute")) }
        guard resolved.count == rank, Set(resolved).count == rank else {
            stop(.invalidArgument(op: "permute", message: "expected a permutation of 0..<\(rank), found \(permutation)"))
        }
        return permutedUnchecked(resolved)
    }

    /// Swaps two axes.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range.
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        var permutation = Array(0..<rank)
        let a = normalizeAxis(first, rank: rank, op: "transpose")
        let b = normalizeAxis(second, rank: rank, op: "transpose")
        permutation.swapAt(a, b)
        return permutedUnchecked(permutation)
    }

    func permutedUnchecked(_ permutation: [Int]) -> Tensor {
        if permutation == Array(0..<rank) { return self }
        let strides = contiguousStrides(shape)
        let y = stridedCopy(self, strides: permutation.map { strides[$0] }, shape: permutation.map { shape[$0] })
        guard let parents = Tensor.recordedParents(self) else { return y }
        var inverse = permutation
        for (index, axis) in permutation.enumerated() { inverse[axis] = index }
        return y.recording(parents: parents, inputShapes: [shape]) { [inverse] g in [g.permutedUnchecked(inverse)] }
    }

    /// Broadcasts to `newShape` (PyTorch's `expand`), materialising the repeated elements.
    /// The gradient sums over the repeated positions.
    ///
    /// - Precondition: Stops with ``TensorError/shapeMismatch(op:expected:found:)`` when `self` does not
    ///   broadcast to `newShape`.
    public func expanded(to newShape: [Int]) -> Tensor {
        guard broadcastResult(shape, newShape) == newShape else {
            stop(.shapeMismatch(op: "expand", expected: "a shape that broadcasts to \(describe(newShape))", found: [shape]))
        }
        return broadcastUnchecked(to: newShape)
    }

    /// Broadcast to a shape already known to be compatible.
    func broadcastUnchecked(to newShape: [Int]) -> Tensor {
        if newShape == shape { return self }
        if shapeElementCount(newShape) == scalarCount { return reshapedUnchecked(newShape) }
        let y = stridedCopy(self, strides: broadcastStrides(of: shape, to: newShape), shape: newShape)
        guard let parents = Tensor.recordedParents(self) else { return y }
        return y.recording(parents: parents, inputShapes: [shape]) { g in [g] }
    }
}
