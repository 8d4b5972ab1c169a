/// A precision-recall curve as scikit-learn's
/// `precision_recall_curve(labels, scores)` returns it (`drop_intermediate=False`).
///
/// Element `i < thresholds.count` is the precision and recall when every element whose
/// score is ≥ `thresholds[i]` is called anomalous; thresholds ascend over the distinct
/// scores, so recall descends. The arrays of rates have one more element than the
/// thresholds: the final point (precision 1, recall 0) has no threshold.
public struct PrecisionRecallCurve: Sendable, Equatable {
    /// Anomalous among the elements called anomalous; last element 1.
    public let precisions: [Double]
    /// Called anomalous among all anomalous elements, descending; last element 0.
    public let recalls: [Double]
    /// The distinct scores, ascending.
    public let thresholds: [Float]

    /// A curve from its points (`precisions` and `recalls` one longer than `thresholds`).
    public init(precisions: [Double], recalls: [Double], thresholds: [Float]) {
        self.precisions = precisions
        self.recalls = recalls
        self.thresholds = thresholds
    }
}
