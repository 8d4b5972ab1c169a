import Explain
import FCDD
import TensorCore

/// How the pictures of a run scale heatmaps to [0, 1] for colouring: the Figure 1 grid
/// (`heatmaps.png`) and the report's gallery both go through ``normalize(_:)``, so the choice
/// is made in this one place.
///
/// A model calibrated at training time (`AnomalyPredictor.heatmapScale`) is shown on its
/// fixed scale, the one `fcdd predict` uses: colours compare across images and runs of the
/// model, and nominal images stay cool. Otherwise the reference's semi-global normalisation
/// (`HeatmapNormalization.semiGlobal(quantile:)`) over the heatmaps shown together, with the
/// data set's display quantile: colours compare within one picture or one gallery only.
public struct HeatmapDisplay: Sendable, Equatable, CustomStringConvertible {
    /// The two ways of scaling.
    public enum Mode: Sendable, Equatable {
        /// The model's scale fixed at training time.
        case fixed(HeatmapScale)
        /// Semi-global over the heatmaps shown together: this quantile of them becomes full red.
        case semiGlobal(quantile: Double)
    }

    /// How heatmaps are scaled.
    public var mode: Mode

    /// A display with the data set's quantile (a recipe's `displayQuantile`), semi-global.
    public init(quantile: Double) {
        mode = .semiGlobal(quantile: quantile)
    }

    /// A display on a fixed scale.
    public init(scale: HeatmapScale) {
        mode = .fixed(scale)
    }

    /// The display for `predictor`'s pictures: its fixed scale where it has one, else
    /// semi-global with `quantile`.
    public init(for predictor: AnomalyPredictor, quantile: Double) {
        mode = predictor.heatmapScale.map(Mode.fixed) ?? .semiGlobal(quantile: quantile)
    }

    /// `heatmaps` (`[N, H, W]`, shown together) scaled to [0, 1].
    ///
    /// - Throws: `ExplainError` for another layout or a quantile outside (0, 1].
    public func normalize(_ heatmaps: Tensor) throws(ExplainError) -> Tensor {
        switch mode {
        case let .fixed(scale): try scale.normalize(heatmaps)
        case let .semiGlobal(quantile): try HeatmapNormalization.semiGlobal(quantile: quantile).normalize(heatmaps)
        }
    }

    /// A short description for captions, such as `semi-global (q 0.85) over the images shown`
    /// or `the model's fixed scale 0.01…0.2`.
    public var description: String {
        switch mode {
        case let .fixed(scale): "the model's fixed scale \(scale.low)…\(scale.high) (as fcdd predict draws it)"
        case let .semiGlobal(quantile): "\(HeatmapNormalization.semiGlobal(quantile: quantile)) over the images shown together"
        }
    }
}
