import TensorCore

/// A fixed linear scale from heatmap values to [0, 1], the same for every heatmap: `low`
/// maps to 0, `high` to 1, values outside are clamped. Unlike
/// ``HeatmapNormalization/local(quantile:)``, which stretches every map over the whole colour
/// range (so a perfectly normal image still shows red spots), a fixed scale keeps the colours
/// comparable between images: a model's ``HeatmapCalibration`` sets it from nominal training
/// heatmaps so that nominal images stay cool and anomalies show hot.
public struct HeatmapScale: Sendable, Equatable, CustomStringConvertible {
    /// The heatmap value shown as 0 (the coolest colour).
    public let low: Float
    /// The heatmap value shown as 1 (the hottest colour).
    public let high: Float

    /// A scale from `low` to `high`. Where they are equal, values above them become 1 and the
    /// others 0.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` unless both are finite
    ///   and `low ≤ high`.
    public init(low: Float, high: Float) throws(ExplainError) {
        guard low.isFinite, high.isFinite, low <= high else {
            throw .invalidArgument(operation: "HeatmapScale", message: "expected finite values with low ≤ high, found low \(low) and high \(high)")
        }
        self.low = low
        self.high = high
    }

    /// The value `x` on the scale: `clamp((x − low) / (high − low), 0, 1)`.
    public func level(of value: Float) -> Float {
        let shifted = value - low
        let level: Float = high > low ? shifted / (high - low) : (shifted > 0 ? 1 : 0)
        return Swift.min(Swift.max(level, 0), 1)
    }

    /// Every value of `maps` (any shape) on the scale (``level(of:)``); not recorded for
    /// differentiation.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a value that is not
    ///   finite.
    public func normalize(_ maps: Tensor) throws(ExplainError) -> Tensor {
        try HeatmapReferenceStatistics.normalize(maps, operation: "HeatmapScale.normalize") { _ in (low, high - low) }
    }

    /// A short, readable summary.
    public var description: String { "HeatmapScale(low \(low), high \(high))" }
}
