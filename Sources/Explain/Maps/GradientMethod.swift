/// How a gradient explanation attributes an anomaly score to the input pixels
/// (``GradientExplanation/heatmaps(inputs:method:baseline:blur:score:)``).
public enum GradientMethod: Sendable, Hashable, CustomStringConvertible {
    /// The plain input gradient `|∂score/∂input|`, the reference's baseline explanation
    /// (`get_grad_heatmap`, method 'grad', absolute).
    case gradient
    /// Integrated gradients (Sundararajan et al., 2017): `|(x − x′) ⊙ mean ∂score/∂input|`
    /// with the gradient averaged over `steps` points `x′ + (k/steps)(x − x′)`, k = 1…steps,
    /// on the straight path from a baseline `x′` (black by default) to the input `x`
    /// (the right Riemann sum of the paper's path integral).
    case integratedGradients(steps: Int)

    /// The name used on command lines and in model files: `grad`, or `ig` followed by the
    /// number of steps, e.g. `ig32`.
    public var description: String {
        switch self {
        case .gradient: "grad"
        case let .integratedGradients(steps): "ig\(steps)"
        }
    }

    /// Parses ``description``: `grad`, or `ig` with a positive number of steps (`ig` alone
    /// means 32 steps). Returns `nil` for anything else.
    public init?(_ text: String) {
        if text == "grad" {
            self = .gradient
        } else if text == "ig" {
            self = .integratedGradients(steps: 32)
        } else if text.hasPrefix("ig"), let steps = Int(text.dropFirst(2)), steps >= 1, String(steps) == text.dropFirst(2) {
            self = .integratedGradients(steps: steps)
        } else {
            return nil
        }
    }
}
