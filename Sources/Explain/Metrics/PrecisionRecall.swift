/// Precision-recall analysis of anomaly scores: label 1 (anomalous) is the positive class,
/// higher scores are more anomalous, and an element is called anomalous when its score is
/// ≥ the threshold (scikit-learn's convention).
public enum PrecisionRecall {
    /// The precision-recall curve, as scikit-learn's `precision_recall_curve(labels, scores)`.
    ///
    /// - Parameters:
    ///   - scores: One score per element; NaN is rejected.
    ///   - labels: 1 (anomalous) or 0 (nominal) per element.
    /// - Throws: ``ExplainError/emptyScores(operation:)``,
    ///   ``ExplainError/countMismatch(operation:scores:labels:)``,
    ///   ``ExplainError/invalidLabel(operation:index:label:)``,
    ///   ``ExplainError/nanScore(operation:index:)``, or
    ///   ``ExplainError/missingClass(operation:label:)`` with label 1 when no element is
    ///   anomalous (recall is undefined; scikit-learn warns and sets it to 1). Nominal
    ///   elements may be absent.
    public static func curve(scores: [Float], labels: [Int]) throws(ExplainError) -> PrecisionRecallCurve {
        let operation = "PrecisionRecall.curve"
        let ranked = try RankedScores(scores: scores, labels: labels, operation: operation)
        guard ranked.positives > 0 else { throw .missingClass(operation: operation, label: 1) }
        var precisions: [Double] = []
        var recalls: [Double] = []
        var thresholds: [Float] = []
        var (truePositives, called) = (0, 0)
        let anomalous = Double(ranked.positives)
        ranked.forEachThresholdDescending { score, positivesHere, negativesHere in
            truePositives += positivesHere
            called += positivesHere + negativesHere
            precisions.append(Double(truePositives) / Double(called))
            recalls.append(Double(truePositives) / anomalous)
            thresholds.append(score)
        }
        precisions.reverse()
        recalls.reverse()
        thresholds.reverse()
        precisions.append(1)
        recalls.append(0)
        return PrecisionRecallCurve(precisions: precisions, recalls: recalls, thresholds: thresholds)
    }

    /// The largest F1 score over the thresholds of ``curve(scores:labels:)`` and the
    /// threshold that attains it (F1-max, as anomaly-detection papers report it).
    ///
    /// F1 = 2·P·R / (P + R) = 2·TP / (TP + FP + all anomalous), 0 where nothing anomalous is
    /// caught. F1 values are compared exactly (as fractions of counts), and of thresholds
    /// with the same F1 the lowest is returned, as `numpy.argmax` over scikit-learn's
    /// ascending thresholds picks it when rounding does not split the tie.
    ///
    /// - Returns: The F1 score and its threshold; call elements with score ≥ `threshold`
    ///   anomalous to reproduce it.
    /// - Throws: The errors of ``curve(scores:labels:)``.
    public static func bestF1(scores: [Float], labels: [Int]) throws(ExplainError) -> (f1: Double, threshold: Float) {
        let operation = "PrecisionRecall.bestF1"
        let ranked = try RankedScores(scores: scores, labels: labels, operation: operation)
        guard ranked.positives > 0 else { throw .missingClass(operation: operation, label: 1) }
        let anomalous = ranked.positives
        // Best so far as the fraction 2·TP / (TP + FP + anomalous), kept as its two counts.
        var best = (truePositives: 0, denominator: 1, threshold: Float.infinity)
        var (truePositives, called) = (0, 0)
        ranked.forEachThresholdDescending { score, positivesHere, negativesHere in
            truePositives += positivesHere
            called += positivesHere + negativesHere
            let denominator = called + anomalous
            // TP/den ≥ bestTP/bestDen, cross-multiplied (exact below 2^53).
            if Double(truePositives) * Double(best.denominator) >= Double(best.truePositives) * Double(denominator) {
                best = (truePositives, denominator, score)
            }
        }
        return (2 * Double(best.truePositives) / Double(best.denominator), best.threshold)
    }
}
