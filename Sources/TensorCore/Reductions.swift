extension Tensor {
    /// Validates reduction axes (negative counts from the end) and returns them sorted and
    /// distinct.
    private func reductionAxes(_ axes: [Int], op: String) -> [Int] {
        var resolved: [Int] = []
        for axis in axes { resolved.append(normalizeAxis(axis, rank: rank, op: op)) }
        let sorted = Array(Set(resolved)).sorted()
        guard sorted.count == resolved.count else {
            stop(.invalidArgument(op: op, message: "axes \(axes) name the same dimension twice"))
        }
        return sorted
    }

    /// The keep-dimensions result reshaped to drop the reduced axes when asked to.
    private func finishReduction(_ kept: Tensor, axes: [Int], keepingDimensions: Bool) -> Tensor {
        if keepingDimensions { return kept }
        let shape = kept.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return kept.reshapedUnchecked(shape)
    }

    /// Sum over `axes` (all of them when `axes` is empty is *not* implied: pass every axis,
    /// or use ``sum()``).
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range or
    ///   repeated.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, op: "sum")
        return finishReduction(summedKeepingDimensions(axes), axes: axes, keepingDimensions: keepingDimensions)
    }

    /// Sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor {
        finishReduction(summedKeepingDimensions(Array(0..<rank)), axes: Array(0..<rank), keepingDimensions: false)
    }

    /// Mean over `axes`.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range or
    ///   repeated.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, op: "mean")
        let count = axes.reduce(1) { $0 * shape[$1] }
        return finishReduction(summedKeepingDimensions(axes) * (1 / Float(count)), axes: axes, keepingDimensions: keepingDimensions)
    }

    /// Mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor { sum() * (1 / Float(scalarCount)) }

    /// Variance over `axes` with Bessel's `correction` (1, the default, is PyTorch's
    /// unbiased estimate; 0 is the population variance that batch normalisation uses).
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range or
    ///   repeated, or a negative correction.
    public func variance(alongAxes axes: [Int], correction: Int = 1, keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, op: "variance")
        guard correction >= 0 else { stop(.invalidArgument(op: "variance", message: "correction must be ≥ 0, found \(correction)")) }
        let count = axes.reduce(1) { $0 * shape[$1] }
        let centred = self - mean(alongAxes: axes, keepingDimensions: true)
        let squares = centred.squared().summedKeepingDimensions(axes)
        return finishReduction(squares * (1 / Float(count - correction)), axes: axes, keepingDimensions: keepingDimensions)
    }

    /// Variance of all elements with Bessel's `correction`, as a rank-0 tensor.
    public func variance(correction: Int = 1) -> Tensor {
        variance(alongAxes: Array(0..<rank), correction: correction)
    }

    /// Maximum over `axes`. The gradient is shared evenly among tied maxima.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range,
    ///   repeated, or of size 0.
    public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, op: "max")
        return finishReduction(extremum(axes, MaxReduction(), op: "max"), axes: axes, keepingDimensions: keepingDimensions)
    }

    /// Maximum of all elements, as a rank-0 tensor.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an empty tensor.
    public func max() -> Tensor { max(alongAxes: Array(0..<rank)) }

    /// Minimum over `axes`. The gradient is shared evenly among tied minima.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range,
    ///   repeated, or of size 0.
    public func min(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, op: "min")
        return finishReduction(extremum(axes, MinReduction(), op: "min"), axes: axes, keepingDimensions: keepingDimensions)
    }

    /// Minimum of all elements, as a rank-0 tensor.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an empty tensor.
    public func min() -> Tensor { min(alongAxes: Array(0..<rank)) }

    /// Sum over validated axes in keep-dimensions shape, recorded for differentiation.
    func summedKeepingDimensions(_ axes: [Int]) -> Tensor {
        let y = reduce(self, axes: axes, SumReduction())
        guard let parents = Tensor.recordedParents(self) else { return y }
        let inputShape = shape
        return y.recording(parents: parents, inputShapes: [inputShape]) { g in
            [g.broadcastUnchecked(to: inputShape)]
        }
    }

    /// Max or min over validated axes in keep-dimensions shape, recorded for differentiation.
    private func extremum<R: ReductionFunction>(_ axes: [Int], _ reduction: R, op: String) -> Tensor {
        if let empty = axes.first(where: { shape[$0] == 0 }) {
            stop(.invalidArgument(op: op, message: "cannot reduce axis \(empty) of size 0 (shape \(describe(shape)))"))
        }
        let y = reduce(self, axes: axes, reduction)
        guard let parents = Tensor.recordedParents(self) else { return y }
        let (input, output) = (detached(), y)
        return y.recording(parents: parents, inputShapes: [shape]) { g in
            let winners = binaryMap(input, output, shape: input.shape, EqualFunction())
            let ties = reduce(winners, axes: axes, SumReduction())
            let share = binaryMap(g, ties, shape: g.shape, Divide())
            return [binaryMap(winners, share, shape: input.shape, Multiply())]
        }
    }

    /// Sums a gradient of a broadcast shape back to `target`, the shape of the operand that
    /// was broadcast. This is the one place where broadcasting is undone.
    func summedToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let extra = rank - target.count
        var axes = Array(0..<extra)
        for (index, size) in target.enumerated() where size == 1 && shape[index + extra] != 1 {
            axes.append(index + extra)
        }
        return reduce(self, axes: axes, SumReduction()).reshapedUnchecked(target)
    }
}
