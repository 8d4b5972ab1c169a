import TensorCore

/// How heatmaps are scaled to [0, 1] for display (`__local_norm` and `__global_norm` in
/// `training/bases.py` of the official code). Every variant subtracts a minimum m,
/// divides by a quantile s of the values above it, and clamps to [0, 1]; they differ in
/// which values m and s come from. The quantile is the reference's torch
/// `kthvalue(int(q·N))` (at least the smallest value); q = 1 is plain min-max scaling.
/// Per-benchmark quantiles are in the FCDD module's `FCDDHeatmapPreset.displayQuantile`.
///
/// The reference applies the normalisation after up-sampling (and, for baselines,
/// blurring) the maps to the input size. For global statistics it nevertheless measures
/// the reference set at the low resolution; ``HeatmapReferenceResolution`` and
/// ``HeatmapReferenceStatistics/init(lowResolutionMaps:quantile:resolution:upsample:)``
/// offer that and the resolution-consistent alternative side by side.
public enum HeatmapNormalization: Sendable, Equatable, CustomStringConvertible {
    /// Per map: m = the map's minimum, s = the q-quantile of the map minus m
    /// ("local"; every map spans the full colour range).
    case local(quantile: Double)
    /// With fixed statistics from a reference set, the same for every map ("global"; the
    /// reference uses a label-balanced random subset of all maps of the split, see
    /// ``LabelBalancing``).
    case global(HeatmapReferenceStatistics)
    /// With statistics of all the maps given together ("semi_global" in the reference: the
    /// reference set is exactly the heatmaps of one picture). In the reference that set is
    /// again the low-resolution maps; to reproduce it, build
    /// ``HeatmapReferenceStatistics`` from them and use ``global(_:)``.
    case semiGlobal(quantile: Double)

    /// Normalises `maps` to [0, 1]. Where the scale s is 0 (a constant map, for which the
    /// reference divides 0 by 0 and shows NaN) values above m become 1 and the others 0.
    ///
    /// - Parameter maps: `[N, H, W]` or `[N, 1, H, W]` (for ``global(_:)`` any shape).
    /// - Returns: The normalised maps, same shape, every value in [0, 1]; not recorded for
    ///   differentiation.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for another
    ///   layout, ``ExplainError/invalidArgument(operation:message:)`` for a quantile outside
    ///   (0, 1] or a value that is not finite.
    public func normalize(_ maps: Tensor) throws(ExplainError) -> Tensor {
        let operation = "HeatmapNormalization.normalize"
        switch self {
        case let .global(statistics):
            return try statistics.normalize(maps)
        case let .semiGlobal(quantile):
            _ = try SingleChannelMaps(maps, operation: operation)
            let statistics = try HeatmapReferenceStatistics(reference: maps, quantile: quantile)
            return try statistics.normalize(maps)
        case let .local(quantile):
            try MapsSupport.validateQuantile(quantile, operation: operation)
            let batch = try SingleChannelMaps(maps, operation: operation)
            let pixels = batch.height * batch.width
            var scratch = [Float](repeating: 0, count: pixels)
            return try HeatmapReferenceStatistics.normalize(maps, operation: operation) { image throws(ExplainError) in
                maps.withUnsafeBufferPointer { source in
                    scratch.withUnsafeMutableBufferPointer { buffer in
                        _ = buffer.update(fromContentsOf: source[(image * pixels)..<((image + 1) * pixels)])
                    }
                }
                return try HeatmapReferenceStatistics.measure(&scratch, quantile: quantile, operation: operation)
            }
        }
    }

    /// A short, readable summary.
    public var description: String {
        switch self {
        case let .local(quantile): "local (q \(quantile))"
        case let .global(statistics): "global (\(statistics))"
        case let .semiGlobal(quantile): "semi-global (q \(quantile))"
        }
    }
}
