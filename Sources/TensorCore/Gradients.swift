extension Tensor {
    /// Gradients of this scalar with respect to `targets`, in the same order.
    ///
    /// Runs one reverse topological sweep over the recorded graph (iteratively, so graphs of
    /// any depth work) and returns the gradients as values; nothing is stored on the tensors.
    /// A target that this value does not depend on gets a zero gradient. Gradients reaching
    /// an input that was broadcast are summed back to the input's shape.
    ///
    /// With `retainingGraph` (the default) the graph stays usable: differentiate it again, with
    /// respect to other targets, as often as needed. Without it, each operation's backward rule
    /// and the values it captured (a net's saved activations) are freed as soon as the sweep
    /// has run it, as PyTorch's `backward()` does without `retain_graph=True`: a training
    /// step's peak memory drops by the activations the sweep has already passed. Any later
    /// sweep through one of those operations stops with
    /// ``TensorError/notDifferentiable(message:)``.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` when `self` does not hold
    ///   exactly one element, and ``TensorError/notDifferentiable(message:)`` when a target
    ///   does not track gradients or the sweep reaches an operation that an earlier sweep
    ///   without `retainingGraph` has released.
    public func gradients(wrt targets: [Tensor], retainingGraph: Bool = true) -> [Tensor] {
        guard scalarCount == 1 else {
            stop(.invalidArgument(op: "gradients", message: "expected a scalar to differentiate, found shape \(describe(shape))"))
        }
        for (index, target) in targets.enumerated() where target.node == nil {
            stop(.notDifferentiable(message: "target \(index) (shape \(describe(target.shape))) does not track gradients; create it with trackingGradients()"))
        }
        let targetNodes = targets.map { $0.node! }
        let accumulated = GradientRecording.$isEnabled.withValue(false) {
            backpropagate(
                seed: Tensor(shape: shape, storage: TensorStorage(count: 1, repeating: 1)), targets: targetNodes,
                releasing: !retainingGraph)
        }
        return zip(targets, targetNodes).map { target, node in
            accumulated[ObjectIdentifier(node)] ?? Tensor(shape: target.shape, storage: TensorStorage(count: target.scalarCount, repeating: 0))
        }
    }

    /// Gradient of this scalar with respect to one target (see ``gradients(wrt:retainingGraph:)``).
    public func gradient(wrt target: Tensor, retainingGraph: Bool = true) -> Tensor {
        gradients(wrt: [target], retainingGraph: retainingGraph)[0]
    }

    /// The sweep itself: returns the accumulated gradient of every target node; `releasing`
    /// frees each backward rule once it has run.
    private func backpropagate(seed: Tensor, targets: [GradientNode], releasing: Bool) -> [ObjectIdentifier: Tensor] {
        guard let root = node else { return [:] }
        // Collect every node reachable from the root with an explicit stack.
        var reachable: [GradientNode] = []
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack = [root]
        while let current = stack.popLast() {
            reachable.append(current)
            for case let parent? in current.parents where seen.insert(ObjectIdentifier(parent)).inserted {
                stack.append(parent)
            }
        }
        reachable.sort { $0.order < $1.order }

        // Forward pass over the order: a node matters if it is a target or leads to one.
        let targetIDs = Set(targets.map(ObjectIdentifier.init))
        var relevant = Set<ObjectIdentifier>()
        for current in reachable {
            let id = ObjectIdentifier(current)
            if targetIDs.contains(id) || current.parents.contains(where: { $0.map { relevant.contains(ObjectIdentifier($0)) } ?? false }) {
                relevant.insert(id)
            }
        }

        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        var result: [ObjectIdentifier: Tensor] = [:]
        for current in reachable.reversed() {
            let id = ObjectIdentifier(current)
            guard relevant.contains(id), let gradient = pending.removeValue(forKey: id) else { continue }
            if targetIDs.contains(id) { result[id] = gradient }
            let pullback: Pullback
            switch current.backwardRule(releasing: releasing) {
            case .leaf: continue
            case .recorded(let rule): pullback = rule
            case .released:
                stop(
                    .notDifferentiable(
                        message:
                            "the graph behind this value was released by an earlier gradients(wrt:retainingGraph: false); pass retainingGraph: true to differentiate the same graph more than once"
                    ))
            }
            let inputGradients = pullback(gradient)
            for (index, parent) in current.parents.enumerated() {
                guard let parent, relevant.contains(ObjectIdentifier(parent)),
                    let contribution = inputGradients[index]
                else { continue }
                let reduced = contribution.summedToShape(current.parentShapes[index])
                let parentID = ObjectIdentifier(parent)
                if let existing = pending[parentID] {
                    pending[parentID] = addSameShape(existing, reduced)
                } else {
                    pending[parentID] = reduced
                }
            }
        }
        return result
    }
}
