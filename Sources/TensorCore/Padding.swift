/// How ``Tensor/padded(_:mode:)`` fills the new border.
public enum PaddingMode: Sendable, Equatable {
    /// Zeros.
    case zero
    /// The mirror image of the interior without repeating the edge (PyTorch's `reflect`):
    /// `[a, b, c]` padded by 2 on each side is `[c, b, a, b, c, b, a]`.
    case reflect
}

extension Tensor {
    /// Pads every axis by `widths[axis]` elements before and after.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` when `widths` does not have one
    ///   pair per axis, a width is negative, or a reflect width is not smaller than its axis.
    public func padded(_ widths: [(before: Int, after: Int)], mode: PaddingMode = .zero) -> Tensor {
        guard widths.count == rank else {
            stop(.invalidArgument(op: "pad", message: "expected \(rank) (before, after) pairs, one per axis, found \(widths.count)"))
        }
        for (axis, width) in widths.enumerated() {
            guard width.before >= 0, width.after >= 0 else {
                stop(.invalidArgument(op: "pad", message: "widths must be non-negative, found (\(width.before), \(width.after)) on axis \(axis)"))
            }
            if mode == .reflect, width.before >= shape[axis] || width.after >= shape[axis] {
                stop(
                    .invalidArgument(
                        op: "pad",
                        message: "reflect padding must be smaller than the axis: axis \(axis) has size \(shape[axis]), found (\(width.before), \(width.after))")
                )
            }
        }
        return padIndexed(maps: padIndexMaps(widths.map { ($0.before, $0.after) }, mode: mode))
    }

    /// Per-axis maps from output index to input index (−1 for a zero) for a padding; `nil`
    /// where an axis is untouched.
    func padIndexMaps(_ widths: [(Int, Int)], mode: PaddingMode) -> [[Int]?] {
        widths.enumerated().map { axis, width in
            if width == (0, 0) { return nil }
            let size = shape[axis]
            return (-width.0..<(size + width.1)).map { i in
                if i >= 0 && i < size { return i }
                switch mode {
                case .zero: return -1
                case .reflect: return i < 0 ? -i : 2 * (size - 1) - i
                }
            }
        }
    }

    /// Builds a tensor whose index along each mapped axis reads input index `map[i]` (zero
    /// where it is −1). Padding and gathering are both this kernel; its gradient adds each
    /// output element back into the input position it came from.
    func padIndexed(maps: [[Int]?]) -> Tensor {
        if maps.allSatisfy({ $0 == nil }) { return self }
        let outputShape = shape.enumerated().map { maps[$0.offset]?.count ?? $0.element }
        let y = Tensor(uninitializedShape: outputShape) { output in
            walkIndexMaps(maps, inputShape: shape, outputShape: outputShape) { outputOffset, inputOffset, count in
                if let inputOffset {
                    (output + outputOffset).update(from: storage.pointer + inputOffset, count: count)
                } else {
                    (output + outputOffset).update(repeating: 0, count: count)
                }
            }
        }
        guard let parents = Tensor.recordedParents(self) else { return y }
        let inputShape = shape
        return y.recording(parents: parents, inputShapes: [inputShape]) { g in
            [
                Tensor(uninitializedShape: inputShape) { gradient in
                    gradient.update(repeating: 0, count: shapeElementCount(inputShape))
                    walkIndexMaps(maps, inputShape: inputShape, outputShape: g.shape) { outputOffset, inputOffset, count in
                        guard let inputOffset else { return }
                        let (to, from) = (gradient + inputOffset, g.storage.pointer + outputOffset)
                        for i in 0..<count { to[i] += from[i] }
                    }
                }
            ]
        }
    }
}

/// Visits the output of an index-map operation block by block: the trailing axes without
/// a map form contiguous blocks of `count` elements, each read from one input offset (or
/// from nowhere, for a padded zero).
private func walkIndexMaps(
    _ maps: [[Int]?], inputShape: [Int], outputShape: [Int],
    _ body: (_ outputOffset: Int, _ inputOffset: Int?, _ count: Int) -> Void
) {
    let lastMapped = maps.lastIndex(where: { $0 != nil }) ?? -1
    let block = shapeElementCount(Array(outputShape[(lastMapped + 1)...]))
    let outerShape = Array(outputShape[...lastMapped])
    let blocks = shapeElementCount(outerShape)
    guard block > 0, blocks > 0 else { return }
    let inputStrides = contiguousStrides(inputShape)
    var counters = [Int](repeating: 0, count: outerShape.count)
    for blockIndex in 0..<blocks {
        var inputOffset: Int? = 0
        for axis in 0..<outerShape.count {
            let source = maps[axis].map { $0[counters[axis]] } ?? counters[axis]
            if source < 0 { inputOffset = nil; break }
            inputOffset! += source * inputStrides[axis]
        }
        body(blockIndex * block, inputOffset, block)
        var axis = outerShape.count - 1
        while axis >= 0 {
            counters[axis] += 1
            if counters[axis] < outerShape[axis] { break }
            counters[axis] = 0
            axis -= 1
        }
    }
}
