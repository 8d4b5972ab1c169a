/// Turning anomaly scores into decisions: a threshold calibrated on nominal data (for
/// example the 95th percentile of validation scores, accepting 5 % false alarms) and the
/// decisions it makes.
public enum ThresholdCalibration {
    /// The `quantile` of `nominalScores` as `numpy.quantile(scores, quantile)` computes it
    /// with its default method "linear": sort, take the virtual index q·(n − 1) and
    /// interpolate linearly between its two neighbours. The arithmetic follows NumPy's for
    /// float32 input exactly (the index in double, the interpolation in float32, from the
    /// upper neighbour when the fraction is ≥ ½), so the result is bit-identical.
    ///
    /// Where both neighbours are the same infinity the result is that infinity (NumPy
    /// returns NaN); a zero result is +0 where NumPy may return −0 (they compare equal).
    ///
    /// - Parameters:
    ///   - nominalScores: Scores of nominal elements, in any order; NaN is rejected.
    ///   - quantile: The level in [0, 1]: 0 is the minimum, 1 the maximum.
    /// - Throws: ``ExplainError/emptyScores(operation:)``,
    ///   ``ExplainError/nanScore(operation:index:)``, or
    ///   ``ExplainError/invalidArgument(operation:message:)`` for a level outside [0, 1].
    public static func quantile(nominalScores: [Float], quantile: Double) throws(ExplainError) -> Float {
        let operation = "ThresholdCalibration.quantile"
        guard quantile >= 0, quantile <= 1 else {
            throw .invalidArgument(operation: operation, message: "expected a quantile in [0, 1], found \(quantile)")
        }
        guard !nominalScores.isEmpty else { throw .emptyScores(operation: operation) }
        if let index = nominalScores.firstIndex(where: \.isNaN) {
            throw .nanScore(operation: operation, index: index)
        }
        // One radix sort of the score keys (as the ROC metrics rank), not a comparison sort.
        var sorted = nominalScores.map { ScoreKey.packed($0, payload: 0) }
        RadixSort.sortByScore(&sorted)
        let last = sorted.count - 1
        let virtualIndex = Double(last) * quantile
        guard virtualIndex < Double(last) else { return ScoreKey.score(packed: sorted[last]) }
        let below = Int(virtualIndex.rounded(.down))
        let fraction = virtualIndex - Double(below)
        let (lower, upper) = (ScoreKey.score(packed: sorted[below]), ScoreKey.score(packed: sorted[below + 1]))
        if lower == upper { return lower }
        let difference = upper - lower
        return fraction < 0.5 ? lower + difference * Float(fraction) : upper - difference * Float(1 - fraction)
    }

    /// Which elements a threshold calls anomalous: `score > threshold` (a NaN score is
    /// never anomalous).
    ///
    /// Note the strict inequality: the thresholds of ``ROC/curve(scores:labels:)`` and
    /// ``PrecisionRecall/bestF1(scores:labels:)`` use ≥, so a score equal to such a
    /// threshold counts there but not here.
    public static func decisions(scores: [Float], threshold: Float) -> [Bool] {
        scores.map { $0 > threshold }
    }
}
