extension Tensor {
    /// Elements `range` along `axis` (PyTorch's `narrow`, or `x[..., a:b, ...]`).
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range or a
    ///   range outside `0...shape[axis]`.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizeAxis(axis, rank: rank, op: "slice")
        guard range.lowerBound >= 0, range.upperBound <= shape[axis] else {
            stop(.invalidArgument(op: "slice", message: "range \(range) is outside 0..<\(shape[axis]) along axis \(axis) of shape \(describe(shape))"))
        }
        return sliceUnchecked(axis: axis, range)
    }

    func sliceUnchecked(axis: Int, _ range: Range<Int>) -> Tensor {
        if range == 0..<shape[axis] { return self }
        var newShape = shape
        newShape[axis] = range.count
        let strides = contiguousStrides(shape)
        let y = stridedCopy(self, offset: range.lowerBound * strides[axis], strides: strides, shape: newShape)
        guard let parents = Tensor.recordedParents(self) else { return y }
        let inputShape = shape
        return y.recording(parents: parents, inputShapes: [inputShape]) { g in
            [g.paddedUnchecked(axis: axis, before: range.lowerBound, after: inputShape[axis] - range.upperBound)]
        }
    }

    /// Zero-pads one axis; used by the slice gradient.
    private func paddedUnchecked(axis: Int, before: Int, after: Int) -> Tensor {
        var pads = Array(repeating: (0, 0), count: rank)
        pads[axis] = (before, after)
        return padIndexed(maps: padIndexMaps(pads, mode: .zero))
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    ///
    /// - Precondition: at least one tensor, of equal rank, with equal sizes on every other
    ///   axis, and an axis in range (see ``checkedConcatenate(_:alongAxis:)``).
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        orStop { () throws(TensorError) in try checkedConcatenate(tensors, alongAxis: axis) }
    }

    /// Joins tensors along `axis`, or throws when they do not fit: the variant of
    /// ``concatenate(_:alongAxis:)`` for tensors that come from outside.
    ///
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` for an empty list or an axis
    ///   out of range, ``TensorError/shapeMismatch(op:expected:found:)`` when ranks or
    ///   other dimensions differ.
    public static func checkedConcatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) throws(TensorError) -> Tensor {
        guard let first = tensors.first else {
            throw .invalidArgument(op: "concatenate", message: "expected at least one tensor, found none")
        }
        let axis = try checkedAxis(axis, rank: first.rank, op: "concatenate")
        for tensor in tensors {
            var a = tensor.shape, b = first.shape
            guard a.count == b.count else {
                throw .shapeMismatch(op: "concatenate", expected: "tensors of equal rank", found: tensors.map(\.shape))
            }
            a[axis] = 0; b[axis] = 0
            guard a == b else {
                throw .shapeMismatch(op: "concatenate", expected: "equal sizes on every axis but \(axis)", found: tensors.map(\.shape))
            }
        }
        return concatenateUnchecked(tensors, axis: axis)
    }

    static func concatenateUnchecked(_ tensors: [Tensor], axis: Int) -> Tensor {
        if tensors.count == 1 { return tensors[0] }
        var shape = tensors[0].shape
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = shapeElementCount(Array(shape[..<axis]))
        let inner = shapeElementCount(Array(shape[(axis + 1)...]))
        let rowLength = shape[axis] * inner
        let y = Tensor(uninitializedShape: shape) { output in
            var column = 0
            for tensor in tensors {
                let width = tensor.shape[axis] * inner
                let source = UnsafePointer(tensor.storage.pointer)
                for o in 0..<outer {
                    (output + o * rowLength + column).update(from: source + o * width, count: width)
                }
                column += width
            }
        }
        guard let parents = recordedParents(tensors) else { return y }
        let sizes = tensors.map { $0.shape[axis] }
        return y.recording(parents: parents, inputShapes: tensors.map(\.shape)) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.sliceUnchecked(axis: axis, start..<(start + size))
            }
        }
    }

    /// Stacks tensors of identical shape along a new axis.
    ///
    /// - Precondition: at least one tensor, all of one shape, and an axis in range (see
    ///   ``checkedStack(_:alongAxis:)``).
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        orStop { () throws(TensorError) in try checkedStack(tensors, alongAxis: axis) }
    }

    /// Stacks tensors of identical shape along a new axis, or throws when they do not fit:
    /// the variant of ``stack(_:alongAxis:)`` for tensors that come from outside (images of
    /// a data set, say).
    ///
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` for an empty list or an axis
    ///   out of range, ``TensorError/shapeMismatch(op:expected:found:)`` for unequal shapes.
    public static func checkedStack(_ tensors: [Tensor], alongAxis axis: Int = 0) throws(TensorError) -> Tensor {
        guard let first = tensors.first else {
            throw .invalidArgument(op: "stack", message: "expected at least one tensor, found none")
        }
        guard tensors.allSatisfy({ $0.shape == first.shape }) else {
            throw .shapeMismatch(op: "stack", expected: "tensors of identical shape", found: tensors.map(\.shape))
        }
        let resolved = try checkedAxis(axis, rank: first.rank + 1, op: "stack")
        var expandedShape = first.shape
        expandedShape.insert(1, at: resolved)
        return concatenateUnchecked(tensors.map { $0.reshapedUnchecked(expandedShape) }, axis: resolved)
    }

    /// Selects the entries `indices` along `axis`, in that order and with repeats allowed
    /// (PyTorch's `index_select`). The gradient adds back into the selected positions.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis or an index out of
    ///   range.
    public func gathered(atIndices indices: [Int], alongAxis axis: Int) -> Tensor {
        let axis = normalizeAxis(axis, rank: rank, op: "gather")
        if let bad = indices.first(where: { $0 < 0 || $0 >= shape[axis] }) {
            stop(.invalidArgument(op: "gather", message: "index \(bad) is outside 0..<\(shape[axis]) along axis \(axis)"))
        }
        var maps: [[Int]?] = Array(repeating: nil, count: rank)
        maps[axis] = indices
        return padIndexed(maps: maps)
    }
}
