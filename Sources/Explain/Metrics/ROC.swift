/// Image-level (or any element-level) ROC analysis of anomaly scores.
///
/// Label 1 is anomalous (the positive class), 0 nominal; a higher score means more
/// anomalous. Results equal scikit-learn's `roc_auc_score` and `roc_curve`: tied scores
/// form one threshold, so a tie between a nominal and an anomalous element counts ½.
/// The scores are ranked with one O(n) radix sort, so millions of pixel scores take tens of
/// milliseconds.
public enum ROC {
    /// The area under the ROC curve, as scikit-learn's `roc_auc_score(labels, scores)`:
    /// the probability that a random anomalous element scores higher than a random nominal
    /// one, ties counted ½. Computed from exact counts in `Double`.
    ///
    /// Infinite scores are ranked like any other (scikit-learn rejects them).
    ///
    /// - Parameters:
    ///   - scores: One score per element; higher is more anomalous. NaN is rejected.
    ///   - labels: 1 (anomalous) or 0 (nominal) per element.
    /// - Throws: ``ExplainError/emptyScores(operation:)``,
    ///   ``ExplainError/countMismatch(operation:scores:labels:)``,
    ///   ``ExplainError/invalidLabel(operation:index:label:)``,
    ///   ``ExplainError/nanScore(operation:index:)``, or
    ///   ``ExplainError/missingClass(operation:label:)`` when only one class is present
    ///   (where scikit-learn raises a `ValueError`).
    public static func areaUnderCurve(scores: [Float], labels: [Int]) throws(ExplainError) -> Double {
        let operation = "ROC.areaUnderCurve"
        let ranked = try RankedScores(scores: scores, labels: labels, operation: operation)
        try ranked.requireBothClasses(operation: operation)
        return ranked.areaUnderCurve()
    }

    /// Every point of the ROC curve, as scikit-learn's
    /// `roc_curve(labels, scores, drop_intermediate=False)` (≥ 1.3: the first threshold is
    /// +∞), with the area under it.
    ///
    /// A run of equal scores that mixes −0 and +0 reports the threshold +0 (scikit-learn
    /// reports whichever zero its sort puts last; the two compare equal).
    ///
    /// - Parameters:
    ///   - scores: One score per element; higher is more anomalous. NaN is rejected.
    ///   - labels: 1 (anomalous) or 0 (nominal) per element.
    /// - Throws: The errors of ``areaUnderCurve(scores:labels:)``; scikit-learn only warns
    ///   when a class is missing and returns NaN rates.
    public static func curve(scores: [Float], labels: [Int]) throws(ExplainError) -> ROCCurve {
        let operation = "ROC.curve"
        let ranked = try RankedScores(scores: scores, labels: labels, operation: operation)
        try ranked.requireBothClasses(operation: operation)
        return ROCCurve(ranked: ranked)
    }
}
