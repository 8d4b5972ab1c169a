// swift-format-ignore-file: AmbiguousTrailingClosureOverload

// `withoutGradients` has a synchronous and an asynchronous form; a call picks one by its
// context (`await` or not), so a trailing closure is not ambiguous.
import Synchronization

/// Source of creation numbers: a node is always numbered after its parents, so sorting the
/// reachable nodes by decreasing number is a valid reverse topological order.
private let nodeCounter = Atomic<UInt64>(0)

/// Maps the gradient of an operation's result to the gradients of its inputs (one entry per
/// input, `nil` where the input needs none). Pullbacks capture detached values only, so the
/// graph's only strong edges are ``GradientNode/parents``.
typealias Pullback = @Sendable (Tensor) -> [Tensor?]

/// One recorded operation (or a leaf) of the gradient graph.
final class GradientNode: @unchecked Sendable {
    /// Creation number; larger means created later.
    let order: UInt64
    /// Shape of the tensor this node produced; gradients arriving here have this shape.
    let shape: [Int]
    /// Recorded inputs, `nil` for inputs that do not track gradients. Mutated only while
    /// the node is being torn down.
    private(set) var parents: [GradientNode?]
    /// Shapes of all inputs, used to reduce broadcast gradients.
    let parentShapes: [[Int]]
    /// The backward rule, and with it the values it captured (the activations a training
    /// step keeps for its backward pass).
    private let rule: Locked<BackwardRule>

    /// What a node holds for the backward pass.
    enum BackwardRule {
        /// A leaf: the gradient stops here.
        case leaf
        /// A recorded operation's rule.
        case recorded(Pullback)
        /// The rule of a recorded operation after a sweep that did not retain the graph ran
        /// it and released what it captured.
        case released
    }

    init(leafWithShape shape: [Int]) {
        order = nodeCounter.wrappingAdd(1, ordering: .relaxed).newValue
        self.shape = shape
        parents = []
        parentShapes = []
        rule = Locked(.leaf)
    }

    init(shape: [Int], parents: [GradientNode?], parentShapes: [[Int]], pullback: @escaping Pullback) {
        order = nodeCounter.wrappingAdd(1, ordering: .relaxed).newValue
        self.shape = shape
        self.parents = parents
        self.parentShapes = parentShapes
        rule = Locked(.recorded(pullback))
    }

    /// The backward rule; with `releasing`, a recorded rule is handed out once and the node
    /// keeps ``BackwardRule/released`` instead, so the rule's captured values are freed as
    /// soon as the caller drops it.
    func backwardRule(releasing: Bool) -> BackwardRule {
        rule.withLock { rule in
            let current = rule
            if releasing, case .recorded = current { rule = .released }
            return current
        }
    }

    /// Releases a long chain of ancestors without recursing once per node: ancestors that
    /// only this chain keeps alive are unlinked one by one on a heap-allocated stack.
    deinit {
        var pending = parents.compactMap { $0 }
        parents.removeAll()
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.parents.compactMap { $0 })
                node.parents.removeAll()
            }
        }
    }
}

/// Whether operations are recorded for differentiation in the current task.
enum GradientRecording {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` with gradient recording turned off: no operation inside records anything,
/// which is what inference and optimiser updates want.
public func withoutGradients<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    let outcome: Result<R, E> = GradientRecording.$isEnabled.withValue(false) {
        do throws(E) {
            return .success(try body())
        } catch {
            return .failure(error)
        }
    }
    return try outcome.get()
}

/// Runs the asynchronous `body` with gradient recording turned off.
public func withoutGradients<R>(_ body: () async throws -> R) async rethrows -> R {
    try await GradientRecording.$isEnabled.withValue(false) { try await body() }
}

extension Tensor {
    /// The parents to record for a result computed from `inputs`, or `nil` when nothing
    /// needs recording (no input tracks gradients, or recording is off). Checked before any
    /// pullback closure is built, so untracked computation costs nothing extra.
    static func recordedParents(_ inputs: Tensor...) -> [GradientNode?]? {
        recordedParents(inputs)
    }

    /// Array form of ``recordedParents(_:)-variadic``.
    static func recordedParents(_ inputs: [Tensor]) -> [GradientNode?]? {
        guard inputs.contains(where: { $0.node != nil }), GradientRecording.isEnabled else { return nil }
        return inputs.map(\.node)
    }

    /// Attaches a recorded operation to a freshly computed result.
    func recording(parents: [GradientNode?], inputShapes: [[Int]], pullback: @escaping Pullback) -> Tensor {
        let node = GradientNode(shape: shape, parents: parents, parentShapes: inputShapes, pullback: pullback)
        return Tensor(shape: shape, storage: storage, node: node)
    }
}
