extension Tensor {
    /// A differentiable operation defined outside TensorCore: `value` was computed from
    /// `inputs` (read their values, untracked), and `pullback` maps the gradient of the
    /// result to one gradient per input, of that input's shape (`nil` for an input that
    /// gets none). Use it for fused operations whose backward rule is cheaper or more
    /// exact than the composition of primitives, e.g. a loss with a clamped derivative.
    ///
    /// Returns `value` recording the operation when an input tracks gradients and
    /// recording is on; otherwise `value` unchanged, and `pullback` is never called.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` when `value` itself tracks
    ///   gradients (compute it from detached inputs).
    public static func customOperation(
        value: Tensor, inputs: [Tensor], pullback: @escaping @Sendable (Tensor) -> [Tensor?]
    ) -> Tensor {
        guard value.node == nil else {
            stop(.invalidArgument(op: "customOperation", message: "the value must be computed from detached inputs; it already tracks gradients"))
        }
        guard let parents = recordedParents(inputs) else { return value }
        let shapes = inputs.map(\.shape)
        return value.recording(parents: parents, inputShapes: shapes) { gradient in
            let gradients = pullback(gradient)
            precondition(gradients.count == shapes.count, "customOperation: the pullback returned \(gradients.count) gradients for \(shapes.count) inputs")
            for (index, (gradient, shape)) in zip(gradients, shapes).enumerated() {
                precondition(gradient.map { $0.shape == shape } ?? true, "customOperation: gradient \(index) has shape \(gradient!.shape), expected \(shape)")
            }
            return gradients
        }
    }
}
