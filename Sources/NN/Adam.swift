import Foundation
import TensorCore

/// Adam with PyTorch's semantics (`torch.optim.Adam`, or `torch.optim.AdamW` with
/// ``WeightDecayMode/decoupled``):
/// `m ← β₁·m + (1 − β₁)·g`, `v ← β₂·v + (1 − β₂)·g²`,
/// `p ← p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)`, with `t` counted per parameter
/// and, for AMSGrad, `v` replaced by its running maximum.
public struct Adam: Optimizer {
    /// How the weight decay `λ` enters the update.
    public enum WeightDecayMode: Sendable, Equatable {
        /// L2 added to the gradient, `g ← ∇ + λ·p` (PyTorch's `Adam`; FCDD uses this).
        case coupled
        /// Decoupled, `p ← p·(1 − η·λ)` before the Adam step (PyTorch's `AdamW`).
        case decoupled
    }

    public var learningRate: Float
    /// Decay rates of the first and second moment estimates.
    public let betas: (Float, Float)
    /// Added to the denominator for numerical stability.
    public let epsilon: Float
    /// Weight decay `λ`.
    public let weightDecay: Float
    /// Coupled (Adam) or decoupled (AdamW) weight decay.
    public let weightDecayMode: WeightDecayMode
    /// Whether to use the AMSGrad variant.
    public let amsgrad: Bool
    private var slots: [String: Tensor] = [:]

    /// An Adam optimiser with PyTorch's defaults (β = (0.9, 0.999), ε = 1e-8, no decay).
    ///
    /// - Throws: ``OptimizerError/invalidHyperparameter(_:)`` for a negative learning rate,
    ///   ε or weight decay, or betas outside `[0, 1)`.
    public init(
        learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
        weightDecay: Float = 0, weightDecayMode: WeightDecayMode = .coupled, amsgrad: Bool = false
    ) throws(OptimizerError) {
        guard learningRate >= 0, epsilon >= 0, weightDecay >= 0,
            (0..<1).contains(betas.0), (0..<1).contains(betas.1)
        else {
            throw .invalidHyperparameter(
                "Adam needs learning rate, eps and weight decay ≥ 0 and betas in [0, 1), found \(learningRate), \(epsilon), \(weightDecay), \(betas)")
        }
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.weightDecayMode = weightDecayMode
        self.amsgrad = amsgrad
    }

    /// AdamW (PyTorch's `torch.optim.AdamW`): Adam with decoupled weight decay, default 0.01.
    ///
    /// - Throws: ``OptimizerError/invalidHyperparameter(_:)`` as ``init(learningRate:betas:epsilon:weightDecay:weightDecayMode:amsgrad:)``.
    public static func adamW(
        learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
        weightDecay: Float = 1e-2, amsgrad: Bool = false
    ) throws(OptimizerError) -> Adam {
        try Adam(
            learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
            weightDecayMode: .decoupled, amsgrad: amsgrad)
    }

    public mutating func step(_ parameters: [(name: String, parameter: Parameter)], gradients: [String: Tensor]) throws(OptimizerError) {
        let updates = try pairGradients(parameters, gradients)
        let (beta1, beta2, eps, decay, amsgrad) = (betas.0, betas.1, epsilon, weightDecay, amsgrad)
        let coupledDecay = weightDecayMode == .coupled ? decay : 0
        let shrink = weightDecayMode == .decoupled ? 1 - learningRate * decay : 1
        for update in updates {
            let (name, shape) = (update.name, update.parameter.value.shape)
            let savedStep = try stateTensor(slots, name, "step", shape: [])
            let step = Double((savedStep?.scalars.first ?? 0) + 1)
            // PyTorch computes the bias corrections in double and applies them as float scalars.
            let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), step)))
            let correction2 = Float((1 - Foundation.pow(Double(beta2), step)).squareRoot())
            let zeros = { zeroTensor(shape: shape) }
            let m = try stateTensor(slots, name, "exp_avg", shape: shape) ?? zeros()
            let v = try stateTensor(slots, name, "exp_avg_sq", shape: shape) ?? zeros()
            let vMax = amsgrad ? try stateTensor(slots, name, "max_exp_avg_sq", shape: shape) ?? zeros() : nil
            let inputs = [update.parameter.value, update.gradient, m, v] + (vMax.map { [$0] } ?? [])
            let results = elementwiseUpdate(inputs, outputs: amsgrad ? 4 : 3, shape: shape) { i, o in
                let (p, g, m, v) = (i[0], i[1], i[2], i[3])
                let (newP, newM, newV) = (o[0], o[1], o[2])
                for k in 0..<newP.count {
                    let d = g[k] + coupledDecay * p[k]
                    let mk = m[k] + (1 - beta1) * (d - m[k])
                    let vk = beta2 * v[k] + (1 - beta2) * d * d
                    var denominatorSource = vk
                    if amsgrad {
                        denominatorSource = Swift.max(i[4][k], vk)
                        o[3][k] = denominatorSource
                    }
                    newM[k] = mk
                    newV[k] = vk
                    newP[k] = p[k] * shrink - stepSize * mk / (denominatorSource.squareRoot() / correction2 + eps)
                }
            }
            update.parameter.value = results[0]
            slots[name + ".exp_avg"] = results[1]
            slots[name + ".exp_avg_sq"] = results[2]
            if amsgrad { slots[name + ".max_exp_avg_sq"] = results[3] }
            slots[name + ".step"] = Tensor(Float(step))
        }
    }

    public var state: [String: Tensor] { slots }

    public mutating func loadState(_ state: [String: Tensor]) throws(OptimizerError) {
        try validateStateKeys(state, slots: ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
        slots = state.mapValues { $0.detached() }
    }
}
