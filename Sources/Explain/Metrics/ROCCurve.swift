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

    /// The curve of ranked scores with both classes present, with the points that
    /// ``CurveThinning`` keeps at `resolution` (0: every point).
    init(ranked: RankedScores, resolution: Double = 0) {
        var points = CurveThinning(resolution: resolution)
        points.add(x: 0, y: 0, threshold: .infinity)
        let (positives, negatives) = (Double(ranked.positives), Double(ranked.negatives))
        var (truePositives, falsePositives) = (0, 0)
        ranked.forEachThresholdDescending { score, positivesHere, negativesHere in
            truePositives += positivesHere
            falsePositives += negativesHere
            points.add(x: Double(falsePositives) / negatives, y: Double(truePositives) / positives, threshold: score)
        }
        points.finish()
        self.init(
            falsePositiveRates: points.xs, truePositiveRates: points.ys,
            thresholds: points.thresholds, areaUnderCurve: ranked.areaUnderCurve())
    }

    /// This curve with fewer points: the first, the last, and each point at least
    /// `resolution` from the previous kept one along either axis, so at most
    /// `2 / resolution + 2` points, each within `resolution` of the full curve. The area is
    /// the full curve's. Pixel-level curves (one point per distinct pixel score) thinned at
    /// 0.001 draw the same line with about a thousand points.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a resolution
    ///   outside [0, 1).
    public func thinned(resolution: Double) throws(ExplainError) -> ROCCurve {
        try CurveThinning.validate(resolution, operation: "ROCCurve.thinned")
        var points = CurveThinning(resolution: resolution)
        for index in falsePositiveRates.indices {
            points.add(x: falsePositiveRates[index], y: truePositiveRates[index], threshold: thresholds[index])
        }
        points.finish()
        return ROCCurve(falsePositiveRates: points.xs, truePositiveRates: points.ys, thresholds: points.thresholds, areaUnderCurve: areaUnderCurve)
    }
}
