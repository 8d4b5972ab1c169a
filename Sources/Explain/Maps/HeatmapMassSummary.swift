/// The shares of heatmap mass inside a region over a batch of images, with the share that a
/// uniform heatmap would give, so that one sees at a glance whether a model concentrates on
/// the region: a ``mean`` near ``uniformShare`` means no more than an even spread, a mean
/// well above it (``concentration`` > 1) means the heatmaps favour the region.
///
/// Made by ``HeatmapMass/summary(of:inside:)-(_,PixelRect)`` and
/// ``HeatmapMass/summary(of:inside:)-(_,Tensor)``.
public struct HeatmapMassSummary: Sendable, Equatable {
    /// Each image's share of heatmap mass inside the region, in `[0, 1]` (0 for an all-zero
    /// heatmap).
    public let shares: [Double]
    /// The mean of ``shares`` (all-zero heatmaps included, with share 0).
    public let mean: Double
    /// The median of ``shares``: the middle share, or the mean of the two middle shares for
    /// an even count (as `numpy.median`).
    public let median: Double
    /// The share that a uniform (constant, non-zero) heatmap would give: the region's area
    /// over the image's. For per-image masks, each mask's area fraction averaged over the
    /// images, which is the ``mean`` that uniform heatmaps would give.
    public let uniformShare: Double
    /// The images whose heatmap is all zero, ascending; their share counts as 0.
    public let zeroMassImages: [Int]

    /// ``mean`` over ``uniformShare``: 1 for heatmaps that put no more mass on the region
    /// than an even spread would, above 1 when they concentrate on it, below 1 when they
    /// avoid it.
    public var concentration: Double { mean / uniformShare }

    /// The summary of `shares` (at least one) with the given uniform share and all-zero images.
    init(shares: [Double], uniformShare: Double, zeroMassImages: [Int]) {
        let sorted = shares.sorted()
        let middle = sorted.count / 2
        self.shares = shares
        self.mean = shares.reduce(0, +) / Double(shares.count)
        self.median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        self.uniformShare = uniformShare
        self.zeroMassImages = zeroMassImages
    }
}
