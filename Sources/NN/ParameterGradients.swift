import Foundation
import TensorCore

extension Module {
    /// The gradient of a scalar loss with respect to every trainable parameter, keyed by the
    /// parameter's dotted name: what an ``Optimizer`` consumes. Run the forward pass that
    /// produced `loss` on this module (with gradients recorded) before calling this.
    ///
    /// As PyTorch's `loss.backward()`, it releases the graph behind `loss` while it runs
    /// (`retainingGraph: false`): each layer's saved activations are freed as soon as the
    /// backward pass has gone through the layer, which lowers a training step's peak memory.
    /// Pass `retainingGraph: true` to differentiate the same graph again afterwards (see
    /// `Tensor.gradients(wrt:retainingGraph:)`).
    ///
    /// - Precondition: Stops with `TensorError` when `loss` is not a scalar, or when the graph
    ///   was already released by an earlier call.
    public func gradients(of loss: Tensor, retainingGraph: Bool = false) -> [String: Tensor] {
        let trainable = trainableParameters
        let gradients = loss.gradients(wrt: trainable.map(\.parameter.value), retainingGraph: retainingGraph)
        return Dictionary(uniqueKeysWithValues: zip(trainable.map(\.name), gradients))
    }
}

/// Rescales gradients so that their joint norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`): the norm of all gradients together is computed, and if it exceeds
/// `maxNorm` every gradient is multiplied by `maxNorm / (norm + 1e-6)`.
///
/// - Parameters:
///   - gradients: the gradients by parameter name (as ``Module/gradients(of:retainingGraph:)`` returns
///     them), rescaled in place.
///   - maxNorm: the largest joint norm kept.
///   - normType: the `p` of the p-norm; `.infinity` for the largest absolute value.
/// - Returns: the total norm before clipping.
/// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for a negative `maxNorm` or a
///   `normType` that is not positive.
@discardableResult
public func clipGradientNorm(_ gradients: inout [String: Tensor], maxNorm: Float, normType: Float = 2) -> Float {
    guard maxNorm >= 0, normType > 0 else {
        TensorError.invalidArgument(op: "clipGradientNorm", message: "expected maxNorm ≥ 0 and normType > 0, found \(maxNorm) and \(normType)").trap()
    }
    var total: Double = 0
    for gradient in gradients.values {
        gradient.withUnsafeBufferPointer { values in
            for value in values {
                let magnitude = Double(Swift.abs(value))
                if normType == .infinity { total = Swift.max(total, magnitude) } else { total += Foundation.pow(magnitude, Double(normType)) }
            }
        }
    }
    let norm = Float(normType == .infinity ? total : Foundation.pow(total, 1 / Double(normType)))
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for (name, gradient) in gradients { gradients[name] = gradient.detached() * coefficient }
    }
    return norm
}
