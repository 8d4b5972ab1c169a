import Foundation
import TensorCore

/// FCDD's objective (`FCDDTrainer` in `training/fcdd.py` of the official code): the
/// pseudo-Huber anomaly map `A = sqrt(φ² + 1) − 1`, whose per-sample mean is the anomaly
/// score, and the two losses built on it. Labels follow the loss's convention: 1 pushes a sample's score up
/// ("anomalous"), 0 pulls it down ("nominal").
public enum FCDDLoss {
    /// The reference's floor inside the anomalous log term, `−log(1 − e^(−Ā) + 1e-31)`.
    public static let logFloor: Float = 1e-31

    /// `A = sqrt(φ² + 1) − 1`, elementwise, ≥ 0: the low-resolution explanation.
    ///
    /// Computed as `φ² / (sqrt(φ² + 1) + 1)`, the same function without the cancellation
    /// of `sqrt(φ² + 1) − 1`, which in float32 loses all digits below ~1e-7 (a 6 % error at
    /// A ≈ 1e-6, where the anomalous term −log(1 − e^(−Ā)) and its gradient −1/Ā are
    /// steepest). The gradient is still `φ / sqrt(φ² + 1)`.
    public static func anomalyMap(_ phi: Tensor) -> Tensor {
        let squared = phi.squared()
        return squared / ((squared + 1).sqrt() + 1)
    }

    /// The anomaly score of each sample: the mean of `A` over its map, `[N]`.
    ///
    /// - Precondition: Stops with `TensorError` when `phi` is not `[N, 1, u, v]`.
    public static func scores(_ phi: Tensor) -> Tensor {
        requireMapBatch(phi, op: "FCDDLoss.scores")
        return anomalyMap(phi).mean(alongAxes: [1, 2, 3])
    }

    /// The sample-level loss (the reference's `__supervised_loss`): the mean over the batch
    /// of `Ā` for nominal samples and `−log(1 − e^(−Ā) + 1e-31)` for anomalous ones, always
    /// with labels (the reference falls back to the unlabelled mean when a batch holds one
    /// label only; we do not, so an all-anomalous batch still pushes its scores up). The
    /// anomalous term is computed as `−log(−expm1(−Ā) + 1e-31)`, exact for small `Ā` in
    /// float32.
    ///
    /// - Precondition: Stops with `TensorError` when `phi` is not `[N, 1, u, v]`, the label count is not
    ///   `N`, or a label is not 0 or 1.
    public static func sampleLevel(phi: Tensor, labels: [Int]) -> Tensor {
        let means = scores(phi)
        return labelled(means: means, labels: labels, op: "FCDDLoss.sampleLevel")
    }

    /// The pixel-wise loss with ground-truth maps (the reference's `__gt_loss`, the paper's
    /// Eq. 4) on the anomaly map upsampled to the input size, `A′` `[N, 1, H, W]`, and
    /// masks `Y` of the same shape (1 = anomalous pixel): per sample `(1/M)·Σ(1 − Y)·A′`
    /// plus, for samples with an anomalous pixel, `−log(1 − exp(−(1/M)·Σ Y·A′) + 1e-31)`,
    /// both divided by all `M` pixels as the reference does; the batch mean of that. With
    /// all-ones masks for synthetic anomalies (the reference's MVTec setting) it is the
    /// sample-level loss on `A′`.
    ///
    /// - Precondition: Stops with `TensorError` when the shapes differ or are not `[N, 1, H, W]`.
    public static func pixelWise(upsampledMap: Tensor, masks: Tensor) -> Tensor {
        let op = "FCDDLoss.pixelWise"
        requireMapBatch(upsampledMap, op: op)
        guard masks.shape == upsampledMap.shape else {
            TensorError.shapeMismatch(op: op, expected: "masks of the map's shape", found: [upsampledMap.shape, masks.shape]).trap()
        }
        let binary = masks.detached().isGreater(than: 0.5)
        let nominal = ((1 - binary) * upsampledMap).mean(alongAxes: [1, 2, 3])
        let anomalousMean = (binary * upsampledMap).mean(alongAxes: [1, 2, 3])
        let hasAnomaly = binary.max(alongAxes: [1, 2, 3]).scalars.map { Int($0) }
        let anomalous = anomalousTerm(anomalousMean) * Tensor(hasAnomaly.map(Float.init))
        return (nominal + anomalous).mean()
    }

    /// `Ā` for label 0 and the anomalous term for label 1, averaged over the batch.
    static func labelled(means: Tensor, labels: [Int], op: String) -> Tensor {
        guard labels.count == means.scalarCount else {
            TensorError.shapeMismatch(op: op, expected: "one label per sample (\(means.scalarCount))", found: [[labels.count]]).trap()
        }
        if let bad = labels.first(where: { $0 != 0 && $0 != 1 }) {
            TensorError.invalidArgument(op: op, message: "expected labels 0 (nominal) or 1 (anomalous), found \(bad)").trap()
        }
        let anomalous = Tensor(labels.map(Float.init))
        return ((1 - anomalous) * means + anomalous * anomalousTerm(means)).mean()
    }

    /// `−log(−expm1(−s) + 1e-31)` elementwise, with its exact derivative
    /// `−e^(−s) / (−expm1(−s) + 1e-31)`.
    static func anomalousTerm(_ means: Tensor) -> Tensor {
        let s = means.detached()
        let values = s.scalars
        let value = Tensor(shape: s.shape) { out in
            for i in out.indices { out[i] = -Foundation.log(-Foundation.expm1(-values[i]) + logFloor) }
        }
        return Tensor.customOperation(value: value, inputs: [means]) { gradient in
            let g = gradient.scalars
            return [
                Tensor(shape: s.shape) { out in
                    for i in out.indices {
                        out[i] = g[i] * -Foundation.exp(-values[i]) / (-Foundation.expm1(-values[i]) + logFloor)
                    }
                }
            ]
        }
    }

    private static func requireMapBatch(_ map: Tensor, op: String) {
        guard map.rank == 4, map.shape[1] == 1 else {
            TensorError.shapeMismatch(op: op, expected: "maps [N, 1, u, v]", found: [map.shape]).trap()
        }
    }
}
