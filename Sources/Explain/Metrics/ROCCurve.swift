/// A receiver operating characteristic: the points that scikit-learn's
/// `roc_curve(labels, scores, drop_intermediate=False)` returns, and the area under them.
///
/// Point `i` is the rate of nominal (false positive) and anomalous (true positive) elements
/// whose score is at least `thresholds[i]`. The first point is (0, 0) at threshold +∞, as
/// scikit-learn ≥ 1.3 writes it (older versions used the highest score + 1); then one
/// point per distinct score, thresholds descending, ending at (1, 1).
public struct ROCCurve: Sendable, Equatable {
    /// False positive rates (nominal elements at or above the threshold / all nominal), ascending.
    public let falsePositiveRates: [Double]
    /// True positive rates (anomalous elements at or above the threshold / all anomalous), ascending.
    public let truePositiveRates: [Double]
    /// The threshold of each point: +∞, then the distinct scores in descending order.
    public let thresholds: [Float]
    /// The area under the curve, as `roc_auc_score` computes it.
    public let areaUnderCurve: Double

    /// A curve from its points and area (the arrays must have equal lengths).
    public init(falsePositiveRates: [Double], truePositiveRates: [Double], thresholds: [Float], areaUnderCurve: Double) {
        self.falsePositiveRates = falsePositiveRates
        self.truePositiveRates = truePositiveRates
        self.thresholds = thresholds
        self.areaUnderCurve = areaUnderCurve
    }

    /// The curve of ranked scores with both classes present.
    init(ranked: RankedScores) {
        var falsePositiveRates = [0.0]
        var truePositiveRates = [0.0]
        var thresholds = [Float.infinity]
        let (positives, negatives) = (Double(ranked.positives), Double(ranked.negatives))
        var (truePositives, falsePositives) = (0, 0)
        ranked.forEachThresholdDescending { score, positivesHere, negativesHere in
            truePositives += positivesHere
            falsePositives += negativesHere
            falsePositiveRates.append(Double(falsePositives) / negatives)
            truePositiveRates.append(Double(truePositives) / positives)
            thresholds.append(score)
        }
        self.init(falsePositiveRates: falsePositiveRates, truePositiveRates: truePositiveRates,
                  thresholds: thresholds, areaUnderCurve: ranked.areaUnderCurve())
    }
}
