import TensorCore

/// Stochastic gradient descent with PyTorch's semantics (`torch.optim.SGD`):
/// `g ← ∇ + λ·p` (coupled weight decay); with momentum `μ`, `b ← g` on the first step and
/// `b ← μ·b + (1 − dampening)·g` after; `g ← g + μ·b` (Nesterov) or `g ← b`; `p ← p − η·g`.
/// FCDD's default is Nesterov momentum 0.9.
public struct SGD: Optimizer {
    public var learningRate: Float
    /// Momentum factor `μ` (0 for plain SGD).
    public let momentum: Float
    /// Dampening of the gradient in the momentum update.
    public let dampening: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// L2 penalty `λ` added to the gradient.
    public let weightDecay: Float
    private var momentumBuffers: [String: Tensor] = [:]

    /// An SGD optimiser.
    ///
    /// - Throws: ``OptimizerError/invalidHyperparameter(_:)`` for a negative learning rate,
    ///   momentum or weight decay, or Nesterov without momentum or with dampening (as PyTorch).
    public init(
        learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0
    ) throws(OptimizerError) {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0 else {
            throw .invalidHyperparameter("SGD needs learning rate, momentum and weight decay ≥ 0, found \(learningRate), \(momentum), \(weightDecay)")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw .invalidHyperparameter("Nesterov momentum requires a momentum > 0 and zero dampening, found momentum \(momentum), dampening \(dampening)")
        }
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [(name: String, parameter: Parameter)], gradients: [String: Tensor]) throws(OptimizerError) {
        let updates = try pairGradients(parameters, gradients)
        let (rate, decay, mu, damping, nesterov) = (learningRate, weightDecay, momentum, 1 - dampening, nesterov)
        for update in updates {
            let shape = update.parameter.value.shape
            guard mu != 0 else {
                update.parameter.value =
                    elementwiseUpdate([update.parameter.value, update.gradient], outputs: 1, shape: shape) { i, o in
                        let (p, g, out) = (i[0], i[1], o[0])
                        for k in 0..<out.count { out[k] = p[k] - rate * (g[k] + decay * p[k]) }
                    }[0]
                continue
            }
            let previous = try stateTensor(momentumBuffers, update.name, "momentum_buffer", shape: shape)
            let inputs = [update.parameter.value, update.gradient] + (previous.map { [$0] } ?? [])
            let results = elementwiseUpdate(inputs, outputs: 2, shape: shape) { i, o in
                let (p, g, newP, newB) = (i[0], i[1], o[0], o[1])
                let b = i.count > 2 ? i[2] : nil
                for k in 0..<newP.count {
                    let d = g[k] + decay * p[k]
                    let buffer = b.map { mu * $0[k] + damping * d } ?? d
                    newB[k] = buffer
                    newP[k] = p[k] - rate * (nesterov ? d + mu * buffer : buffer)
                }
            }
            update.parameter.value = results[0]
            momentumBuffers[update.name + ".momentum_buffer"] = results[1]
        }
    }

    public var state: [String: Tensor] { momentumBuffers }

    public mutating func loadState(_ state: [String: Tensor]) throws(OptimizerError) {
        try validateStateKeys(state, slots: ["momentum_buffer"])
        momentumBuffers = state.mapValues { $0.detached() }
    }
}
