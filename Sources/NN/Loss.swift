import Foundation
import TensorCore

/// How a loss combines the per-element (or per-sample) losses.
public enum LossReduction: Sendable, Equatable {
    /// The mean (for cross-entropy with class weights, the weighted mean, as PyTorch).
    case mean
    /// The sum.
    case sum
    /// No reduction: one loss per element (per sample for cross-entropy).
    case none
}

/// The standard losses with PyTorch's definitions and reductions (`torch.nn.functional`).
/// Each returns a tensor that records gradients when its input does.
public enum Loss {
    /// Squared error `(input − target)²` (PyTorch's `mse_loss`).
    ///
    /// - Precondition: Stops with `TensorError.shapeMismatch(op:expected:found:)` when the shapes differ.
    public static func meanSquaredError(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
        requireSameShape(input, target, op: "meanSquaredError")
        return reduce((input - target).squared(), reduction)
    }

    /// Absolute error `|input − target|` (PyTorch's `l1_loss`).
    ///
    /// - Precondition: Stops with `TensorError.shapeMismatch(op:expected:found:)` when the shapes differ.
    public static func l1(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
        requireSameShape(input, target, op: "l1")
        return reduce((input - target).abs(), reduction)
    }

    /// Binary cross-entropy of probabilities in `[0, 1]` against targets in `[0, 1]`
    /// (PyTorch's `binary_cross_entropy`): `−w·(y·log p + (1 − y)·log(1 − p))`, with each
    /// logarithm clamped at −100 as PyTorch does, so `p = 0` or `1` gives a finite loss.
    /// The gradient is PyTorch's `(p − y) / max(p·(1 − p), 1e-12)`, finite everywhere.
    /// Prefer ``binaryCrossEntropyWithLogits(_:_:positiveWeight:reduction:)``, which is
    /// stable for saturated outputs.
    ///
    /// - Precondition: Stops with `TensorError` when the shapes differ or `weight` does not broadcast.
    public static func binaryCrossEntropy(
        _ probabilities: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: LossReduction = .mean
    ) -> Tensor {
        requireSameShape(probabilities, target, op: "binaryCrossEntropy")
        let (p, y) = (probabilities.detached(), target.detached())
        let logs: @Sendable (Float) -> (Float, Float) = { p in (Swift.max(Foundation.log(p), -100), Swift.max(Foundation.log(1 - p), -100)) }
        let value = Tensor(shape: p.shape) { out in
            p.withUnsafeBufferPointer { p in
                y.withUnsafeBufferPointer { y in
                    for i in out.indices {
                        let (logP, logNotP) = logs(p[i])
                        out[i] = -(y[i] * logP + (1 - y[i]) * logNotP)
                    }
                }
            }
        }
        var loss = Tensor.customOperation(value: value, inputs: [probabilities, target]) { gradient in
            let dp = Tensor(shape: p.shape) { out in
                p.withUnsafeBufferPointer { p in
                    y.withUnsafeBufferPointer { y in
                        gradient.withUnsafeBufferPointer { g in
                            for i in out.indices { out[i] = g[i] * (p[i] - y[i]) / Swift.max(p[i] * (1 - p[i]), 1e-12) }
                        }
                    }
                }
            }
            let dy = Tensor(shape: p.shape) { out in
                p.withUnsafeBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in
                        for i in out.indices {
                            let (logP, logNotP) = logs(p[i])
                            out[i] = g[i] * (logNotP - logP)
                        }
                    }
                }
            }
            return [dp, dy]
        }
        if let weight { loss = loss * weight }
        return reduce(loss, reduction)
    }

    /// Binary cross-entropy of logits (PyTorch's `binary_cross_entropy_with_logits`),
    /// computed stably as `(1 − y)·x + (1 + (w₊ − 1)·y)·softplus(−x)`, which is
    /// `softplus(x) − y·x` without a positive weight: no overflow for any logit, and the
    /// gradient `σ(x) − y` is exact.
    ///
    /// - Parameters:
    ///   - logits: the raw outputs `x`, any shape.
    ///   - target: the targets `y` in `[0, 1]`, the shape of `logits`.
    ///   - positiveWeight: weight of the positive term, broadcast over the last axis
    ///     (PyTorch's `pos_weight`).
    ///   - reduction: how the per-element losses are combined.
    /// - Precondition: Stops with `TensorError` when the shapes differ or `positiveWeight` does not broadcast.
    public static func binaryCrossEntropyWithLogits(
        _ logits: Tensor, _ target: Tensor, positiveWeight: Tensor? = nil, reduction: LossReduction = .mean
    ) -> Tensor {
        requireSameShape(logits, target, op: "binaryCrossEntropyWithLogits")
        let loss: Tensor
        if let positiveWeight {
            let logWeight = 1 + (positiveWeight - 1) * target
            loss = (1 - target) * logits + logWeight * (-logits).softplus()
        } else {
            loss = logits.softplus() - target * logits
        }
        return reduce(loss, reduction)
    }

    /// Cross-entropy of logits `[N, C]` against class indices (PyTorch's `cross_entropy`):
    /// `−w[yᵢ]·log softmax(xᵢ)[yᵢ]`, with the weighted mean `Σ lossᵢ / Σ w[yᵢ]` for
    /// `.mean`, as PyTorch. The log-softmax is computed stably.
    ///
    /// With label smoothing `ε` each sample's loss is `(1 − ε)·lossᵢ + (ε / C)·Σⱼ −wⱼ·log pᵢⱼ`,
    /// reduced the same way (PyTorch's formula, including its weighted mean).
    ///
    /// - Parameters:
    ///   - logits: `[N, C]`, one row of unnormalised class scores per sample.
    ///   - labels: `N` class indices in `0..<C`.
    ///   - classWeights: optional `[C]` weight per class.
    ///   - labelSmoothing: `ε` in `[0, 1]`.
    ///   - reduction: how the per-sample losses are combined.
    /// - Precondition: Stops with `TensorError` when the logits are not `[N, C]`, the label count is not
    ///   `N`, a label is outside `0..<C`, `classWeights` is not `[C]`, or `ε` is outside `[0, 1]`.
    public static func crossEntropy(
        _ logits: Tensor, labels: [Int], classWeights: Tensor? = nil, labelSmoothing: Float = 0,
        reduction: LossReduction = .mean
    ) -> Tensor {
        let op = "crossEntropy"
        guard logits.rank == 2, labels.count == logits.shape[0] else {
            TensorError.shapeMismatch(op: op, expected: "logits [N, C] with N = \(labels.count) labels", found: [logits.shape]).trap()
        }
        let classes = logits.shape[1]
        if let bad = labels.first(where: { !(0..<classes).contains($0) }) {
            TensorError.invalidArgument(op: op, message: "expected labels in 0..<\(classes), found \(bad)").trap()
        }
        if let classWeights, classWeights.shape != [classes] {
            TensorError.shapeMismatch(op: op, expected: "class weights of shape [\(classes)]", found: [classWeights.shape]).trap()
        }
        guard (0...1).contains(labelSmoothing) else {
            TensorError.invalidArgument(op: op, message: "expected a label smoothing in [0, 1], found \(labelSmoothing)").trap()
        }
        // Row i holds the coefficient of each log-probability in sample i's loss.
        let weights = classWeights?.scalars
        let spread = labelSmoothing / Float(classes)
        let selection = Tensor(shape: logits.shape) { selection in
            for (row, label) in labels.enumerated() {
                for j in 0..<classes { selection[row * classes + j] = spread * (weights?[j] ?? 1) }
                selection[row * classes + label] += (1 - labelSmoothing) * (weights?[label] ?? 1)
            }
        }
        let perSample = -(logits.logSoftmax(alongAxis: 1) * selection).sum(alongAxes: [1])
        guard reduction == .mean else { return reduce(perSample, reduction) }
        let totalWeight = weights.map { w in labels.reduce(Float(0)) { $0 + w[$1] } } ?? Float(labels.count)
        return perSample.sum() / totalWeight
    }

    private static func reduce(_ loss: Tensor, _ reduction: LossReduction) -> Tensor {
        switch reduction {
        case .mean: loss.mean()
        case .sum: loss.sum()
        case .none: loss
        }
    }

    private static func requireSameShape(_ input: Tensor, _ target: Tensor, op: String) {
        guard input.shape == target.shape else {
            TensorError.shapeMismatch(op: op, expected: "input and target of the same shape", found: [input.shape, target.shape]).trap()
        }
    }
}
