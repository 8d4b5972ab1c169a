import TensorCore

/// The statistics with which global (and semi-global) normalisation maps heatmaps to
/// [0, 1]: the minimum m of a reference set and the scale s, the q-quantile of
/// `reference − m` over all its values (`__global_norm` in `training/bases.py` of the
/// official code). A map value x becomes `clamp((x − m) / s, 0, 1)`.
///
/// The quantile is the reference's: torch `kthvalue(int(q·N))`, the k-th smallest of the N
/// values (k at least 1). Older revisions of the reference divided by the quantile of the
/// raw reference values rather than of `reference − m`; this follows the later form, that
/// of commit 4fa8502.
///
/// Build them from a label-balanced set of maps (``LabelBalancing``) for "global", or from
/// the maps being shown for "semi-global"; for up-sampled maps choose the reference
/// resolution with ``init(lowResolutionMaps:quantile:resolution:upsample:)``.
public struct HeatmapReferenceStatistics: Sendable, Equatable, CustomStringConvertible {
    /// The reference set's minimum m.
    public let minimum: Float
    /// The q-quantile of `reference − m`, the value that maps to 1.
    public let scale: Float

    /// Statistics given directly.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` unless both are finite
    ///   and the scale is ≥ 0.
    public init(minimum: Float, scale: Float) throws(ExplainError) {
        guard minimum.isFinite, scale.isFinite, scale >= 0 else {
            throw .invalidArgument(
                operation: "HeatmapReferenceStatistics",
                message: "expected a finite minimum and a finite scale ≥ 0, found \(minimum) and \(scale)")
        }
        self.minimum = minimum
        self.scale = scale
    }

    /// The statistics of every value of `reference` (any shape), with the `quantile`-quantile.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a quantile outside
    ///   (0, 1], an empty reference, or a value that is not finite.
    public init(reference: Tensor, quantile: Double) throws(ExplainError) {
        let operation = "HeatmapReferenceStatistics"
        try MapsSupport.validateQuantile(quantile, operation: operation)
        var values = reference.scalars
        (minimum, scale) = try Self.measure(&values, quantile: quantile, operation: operation)
    }

    /// The statistics of a reference set of low-resolution maps (e.g. a label-balanced
    /// selection of a split's A maps), measured at the chosen resolution.
    ///
    /// - Parameters:
    ///   - lowResolutionMaps: The reference maps `[N, 1, h, w]` or `[N, h, w]` as the net
    ///     produces them.
    ///   - quantile: The quantile q (see the FCDD module's `FCDDHeatmapPreset.displayQuantile`).
    ///   - resolution: ``HeatmapReferenceResolution/lowResolution`` measures the maps as
    ///     given (the reference's quirk); ``HeatmapReferenceResolution/upsampled`` measures
    ///     `upsample(maps)`, the resolution of the maps being normalised.
    ///   - upsample: The up-sampling applied to the shown maps, e.g.
    ///     `upsampler.upsample`; called on chunks of at most 64 maps, and only for
    ///     ``HeatmapReferenceResolution/upsampled``.
    /// - Throws: The errors of ``init(reference:quantile:)``, a shape mismatch for maps of
    ///   another rank, and whatever `upsample` throws.
    public init(
        lowResolutionMaps: Tensor, quantile: Double, resolution: HeatmapReferenceResolution,
        upsample: (Tensor) throws(ExplainError) -> Tensor
    ) throws(ExplainError) {
        let operation = "HeatmapReferenceStatistics"
        try MapsSupport.validateQuantile(quantile, operation: operation)
        let maps = try SingleChannelMaps(lowResolutionMaps, operation: operation, name: "reference maps")
        var values: [Float] = []
        switch resolution {
        case .lowResolution:
            values = lowResolutionMaps.scalars
        case .upsampled:
            let chunk = 64
            for start in stride(from: 0, to: maps.count, by: chunk) {
                let range = start..<Swift.min(start + chunk, maps.count)
                let part = lowResolutionMaps.slice(alongAxis: 0, range)
                let upsampled = try upsample(part)
                if values.isEmpty { values.reserveCapacity(upsampled.scalarCount * ((maps.count + chunk - 1) / chunk)) }
                upsampled.withUnsafeBufferPointer { values.append(contentsOf: $0) }
            }
        }
        (minimum, scale) = try Self.measure(&values, quantile: quantile, operation: operation)
    }

    /// Maps every value x of `maps` (any shape) to `clamp((x − m) / s, 0, 1)`. Where s is 0
    /// (the reference divides 0 by 0 and shows NaN) values above m become 1 and the others 0.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a value that is not
    ///   finite.
    public func normalize(_ maps: Tensor) throws(ExplainError) -> Tensor {
        try Self.normalize(maps, operation: "HeatmapReferenceStatistics.normalize") { _ in (minimum, scale) }
    }

    /// A short, readable summary.
    public var description: String { "HeatmapReferenceStatistics(minimum \(minimum), scale \(scale))" }

    // MARK: - Shared with HeatmapNormalization

    /// Minimum and the quantile of `values − minimum`; reorders `values`.
    static func measure(_ values: inout [Float], quantile: Double, operation: String) throws(ExplainError) -> (minimum: Float, scale: Float) {
        guard !values.isEmpty else {
            throw .invalidArgument(operation: operation, message: "expected a non-empty reference set, found no values")
        }
        return try values.withUnsafeMutableBufferPointer { buffer throws(ExplainError) in
            try measure(buffer, quantile: quantile, operation: operation)
        }
    }

    /// Minimum and the quantile of `values − minimum` of a non-empty buffer; reorders it.
    static func measure(_ values: UnsafeMutableBufferPointer<Float>, quantile: Double, operation: String) throws(ExplainError) -> (minimum: Float, scale: Float)
    {
        var minimum = Float.infinity
        for index in 0..<values.count {
            let value = values[index]
            guard value.isFinite else {
                throw .invalidArgument(operation: operation, message: "expected finite values, found \(value) at index \(index)")
            }
            if value < minimum { minimum = value }
        }
        let kth = MapsSupport.kthSmallest(values, rank: MapsSupport.quantileRank(quantile, count: values.count))
        // x ↦ x − m rounds monotonically, so the k-th of the shifted values is the shifted k-th.
        return (minimum, kth - minimum)
    }

    /// Normalises `maps` plane group by plane group: `statistics(image)` gives the minimum
    /// and scale for the values of image `image` (the leading axis).
    static func normalize(
        _ maps: Tensor, operation: String, statistics: (Int) throws(ExplainError) -> (minimum: Float, scale: Float)
    ) throws(ExplainError) -> Tensor {
        let count = maps.scalarCount
        let images = maps.rank == 0 ? 1 : maps.shape[0]
        let perImage = images == 0 ? 0 : count / images
        if let bad = maps.withUnsafeBufferPointer({ MapsSupport.firstNaN($0) }) {
            throw .invalidArgument(operation: operation, message: "expected finite values, found NaN at index \(bad)")
        }
        if let infinite = maps.withUnsafeBufferPointer({ buffer in (0..<count).first { buffer[$0].isInfinite } }) {
            throw .invalidArgument(operation: operation, message: "expected finite values, found an infinity at index \(infinite)")
        }
        var perImageStatistics: [(minimum: Float, scale: Float)] = []
        perImageStatistics.reserveCapacity(images)
        for image in 0..<images { perImageStatistics.append(try statistics(image)) }
        return Tensor(shape: maps.shape) { target in
            maps.withUnsafeBufferPointer { source in
                for (image, (minimum, scale)) in perImageStatistics.enumerated() {
                    let start = image * perImage
                    for index in start..<(start + perImage) {
                        let shifted = source[index] - minimum
                        let value: Float = scale > 0 ? shifted / scale : (shifted > 0 ? 1 : 0)
                        target[index] = Swift.min(Swift.max(value, 0), 1)
                    }
                }
            }
        }
    }
}
