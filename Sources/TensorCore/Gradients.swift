extension Tensor {
    /// Gradients of this scalar with respect to `targets`, in the same order.
    ///
    /// Runs one reverse topological sweep over the recorded graph (iteratively, so graphs of
    /// any depth work) and returns the gradients as values; nothing is stored on the tensors.
    /// A target that this value does not depend on gets a zero gradient. Gradients reaching
    /// an input that was broadcast are summed back to the input's shape.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` when `self` does not hold
    ///   exactly one element, and ``TensorError/notDifferentiable(message:)`` when a target
    ///   does not track gradients.
    public func gradients(wrt targets: [Tensor]) -> [Tensor] {
        guard scalarCount == 1 else {
            stop(.invalidArgument(op: "gradients", message: "expected a scalar to differentiate, found shape \(describe(shape))"))
        }
        for (index, target) in targets.enumerated() where target.node == nil {
            stop(.notDifferentiable(message: "target \(index) (shape \(describe(target.shape))) does not track gradients; create it with trackingGradients()"))
        }
        let targetNodes = targets.map { $0.node! }
        let accumulated = GradientRecording.$isEnabled.withValue(false) {
            backpropagate(seed: Tensor(shape: shape, storage: TensorStorage(count: 1, repeating: 1)), targets: targetNodes)
        }
        return zip(targets, targetNodes).map { target, node in
            accumulated[ObjectIdentifier(node)] ?? Tensor(shape: target.shape, storage: TensorStorage(count: target.scalarCount, repeating: 0))
        }
    }

    /// Gradient of this scalar with respect to one target.
    public func gradient(wrt target: Tensor) -> Tensor {
        gradients(wrt: [target])[0]
    }

    /// The sweep itself: returns the accumulated gradient of every target node.
    private func backpropagate(seed: Tensor, targets: [GradientNode]) -> [ObjectIdentifier: Tensor] {
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
            guard let pullback = current.pullback else { continue }
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
