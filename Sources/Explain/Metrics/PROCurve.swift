/// A per-region overlap curve (see ``AUPRO``): for each threshold, descending, the false
/// positive rate of the pixels outside every ground-truth region and the mean overlap of the
/// regions, from (0, 0) at +∞ to (1, 1), with the normalised area up to ``fprLimit``.
public struct PROCurve: Sendable, Equatable {
    /// False positive rates of the points, ascending, in [0, 1].
    public let falsePositiveRates: [Double]
    /// Mean per-region overlaps of the points, ascending, in [0, 1].
    public let overlaps: [Double]
    /// The threshold of each point: +∞ first, then scores descending; the closing point
    /// (1, 1) of the official code has the lowest score's threshold.
    public let thresholds: [Float]
    /// The false positive rate the area is integrated to.
    public let fprLimit: Double
    /// The area under the curve from FPR 0 to ``fprLimit`` divided by ``fprLimit``: the
    /// value ``AUPRO/compute(maps:masks:fprLimit:)-([Tensor],_,_)`` returns.
    public let normalizedArea: Double

    /// A curve from its points and area (the arrays must have equal lengths).
    public init(falsePositiveRates: [Double], overlaps: [Double], thresholds: [Float], fprLimit: Double, normalizedArea: Double) {
        self.falsePositiveRates = falsePositiveRates
        self.overlaps = overlaps
        self.thresholds = thresholds
        self.fprLimit = fprLimit
        self.normalizedArea = normalizedArea
    }
}
