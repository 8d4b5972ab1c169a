import Explain
import TensorCore

/// How the pictures of a run scale heatmaps to [0, 1] for colouring: the Figure 1 grid
/// (`heatmaps.png`) and the report's gallery both go through ``normalize(_:)``, so the choice
/// is made in this one place.
///
/// Today it is the reference's semi-global normalisation (``HeatmapNormalization/semiGlobal(quantile:)``)
/// over the heatmaps shown together, with the data set's display quantile: colours compare
/// within one picture or one gallery, not across runs.
public struct HeatmapDisplay: Sendable, Equatable, CustomStringConvertible {
    /// The quantile of the shown heatmaps that becomes full red.
    public var quantile: Double

    /// A display with the data set's quantile (a recipe's `displayQuantile`).
    public init(quantile: Double) {
        self.quantile = quantile
    }

    /// `heatmaps` (`[N, H, W]`, shown together) scaled to [0, 1].
    ///
    /// - Throws: ``ExplainError`` for another layout or a quantile outside (0, 1].
    public func normalize(_ heatmaps: Tensor) throws(ExplainError) -> Tensor {
        try HeatmapNormalization.semiGlobal(quantile: quantile).normalize(heatmaps)
    }

    /// A short description for captions, such as `semi-global (q 0.85) over the images shown`.
    public var description: String {
        "\(HeatmapNormalization.semiGlobal(quantile: quantile)) over the images shown together"
    }
}
