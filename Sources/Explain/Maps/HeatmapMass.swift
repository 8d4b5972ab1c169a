import TensorCore

/// How much of each heatmap falls inside a region of its image: the "Clever Hans" check of
/// whether a model bases its decision on a part of the image that should not matter (a
/// watermark, a text tag, a border) or concentrates on the object.
///
/// The share of image `i` is `Σ h` over the region's pixels divided by `Σ h` over all its
/// pixels, so it lies in `[0, 1]`. A heatmap that spreads its mass evenly gets the region's
/// area fraction; ``summary(of:inside:)-(_,PixelRect)`` reports that
/// ``HeatmapMassSummary/uniformShare`` next to the mean and median share, so a mean well
/// above it means the heatmaps concentrate on the region.
///
/// Heatmaps are `[N, H, W]` or `[N, 1, H, W]` with non-negative, finite values (anomaly
/// maps, gradient magnitudes); normalisation does not matter, as each image's share is a
/// ratio. An all-zero heatmap has no mass to place: its share is **0 by definition** (not
/// NaN, which would poison means, and not the uniform share, which would claim an even
/// spread that the heatmap does not show). The summary lists such images in
/// ``HeatmapMassSummary/zeroMassImages``.
public enum HeatmapMass {
    /// Each image's share of heatmap mass inside a rectangle.
    ///
    /// - Parameters:
    ///   - heatmaps: `[N, H, W]` or `[N, 1, H, W]`, values ≥ 0 and finite.
    ///   - region: The rectangle in image pixels (`x` the column, `y` the row of its top-left
    ///     pixel), the same for every image; clipped to the `W × H` image.
    /// - Returns: One share in `[0, 1]` per image; 0 for an all-zero heatmap.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for another shape
    ///   or no map, ``ExplainError/nanScore(operation:index:)`` for a NaN value (its flat
    ///   index), ``ExplainError/invalidArgument(operation:message:)`` for a negative or
    ///   infinite value, or a region that does not overlap the image.
    public static func shares(of heatmaps: Tensor, inside region: PixelRect) throws(ExplainError) -> [Double] {
        try masses(of: heatmaps, inside: region, operation: "HeatmapMass.shares").shares
    }

    /// Each image's share of heatmap mass inside its own mask.
    ///
    /// - Parameters:
    ///   - heatmaps: `[N, H, W]` or `[N, 1, H, W]`, values ≥ 0 and finite.
    ///   - masks: `[N, H, W]` or `[N, 1, H, W]` with the heatmaps' `N`, `H` and `W`; a pixel
    ///     whose value is > 0.5 is inside the region (NaN is outside).
    /// - Returns: One share in `[0, 1]` per image; 0 for an all-zero heatmap.
    /// - Throws: The errors of ``shares(of:inside:)-(_,PixelRect)`` for the heatmaps,
    ///   ``ExplainError/shapeMismatch(operation:expected:found:)`` when the masks do not fit
    ///   them, ``ExplainError/invalidArgument(operation:message:)`` for a mask without any
    ///   pixel inside.
    public static func shares(of heatmaps: Tensor, inside masks: Tensor) throws(ExplainError) -> [Double] {
        try masses(of: heatmaps, inside: masks, operation: "HeatmapMass.shares").shares
    }

    /// The shares inside a rectangle, their mean and median, and the share of a uniform
    /// heatmap (the clipped rectangle's area over the image's).
    ///
    /// - Throws: The errors of ``shares(of:inside:)-(_,PixelRect)``.
    public static func summary(of heatmaps: Tensor, inside region: PixelRect) throws(ExplainError) -> HeatmapMassSummary {
        try masses(of: heatmaps, inside: region, operation: "HeatmapMass.summary").summary
    }

    /// The shares inside per-image masks, their mean and median, and the share of uniform
    /// heatmaps (each mask's area over the image's, averaged over the images).
    ///
    /// - Throws: The errors of ``shares(of:inside:)-(_,Tensor)``.
    public static func summary(of heatmaps: Tensor, inside masks: Tensor) throws(ExplainError) -> HeatmapMassSummary {
        try masses(of: heatmaps, inside: masks, operation: "HeatmapMass.summary").summary
    }

    // MARK: - Sums

    /// The heatmap mass of each image inside its region and in all, and the region's size.
    private struct Masses {
        /// Per image, the sum of the heatmap over the region.
        var inside: [Double] = []
        /// Per image, the sum of the whole heatmap.
        var total: [Double] = []
        /// Per image, the pixels in the region.
        var regionPixels: [Int] = []
        /// The pixels of one image, `H × W`.
        let imagePixels: Int

        /// Per image, `inside / total`, or 0 where the heatmap is all zero.
        var shares: [Double] { zip(inside, total).map { $1 > 0 ? $0 / $1 : 0 } }

        /// The shares, their mean and median, the uniform share and the all-zero heatmaps.
        var summary: HeatmapMassSummary {
            // The mean area fraction as one division of exact counts.
            let uniformShare = Double(regionPixels.reduce(0, +)) / (Double(regionPixels.count) * Double(imagePixels))
            return HeatmapMassSummary(shares: shares, uniformShare: uniformShare, zeroMassImages: total.indices.filter { total[$0] == 0 })
        }
    }

    /// The masses inside `region`, clipped to the images.
    private static func masses(of heatmaps: Tensor, inside region: PixelRect, operation: String) throws(ExplainError) -> Masses {
        let maps = try SingleChannelMaps(heatmaps, operation: operation, name: "heatmaps")
        let width = maps.width
        let clipped = region.intersection(PixelRect(x: 0, y: 0, width: width, height: maps.height))
        guard !clipped.isEmpty else {
            throw .invalidArgument(
                operation: operation,
                message: "expected a region that overlaps the \(width)x\(maps.height) images, found \(region) (x,y widthxheight)")
        }
        return try masses(of: heatmaps, maps: maps, operation: operation) { _, pixel in
            clipped.contains(x: pixel % width, y: pixel / width)
        }
    }

    /// The masses inside the pixels of `masks` that are > 0.5.
    private static func masses(of heatmaps: Tensor, inside masks: Tensor, operation: String) throws(ExplainError) -> Masses {
        let maps = try SingleChannelMaps(heatmaps, operation: operation, name: "heatmaps")
        let regions = try SingleChannelMaps(masks, operation: operation, name: "masks")
        guard maps.planes.shape == regions.planes.shape else {
            throw .shapeMismatch(operation: operation, expected: "heatmaps and masks of the same N, H and W", found: [heatmaps.shape, masks.shape])
        }
        let pixels = maps.height * maps.width
        let result = try masks.withUnsafeBufferPointer { (mask) throws(ExplainError) -> Masses in
            try Self.masses(of: heatmaps, maps: maps, operation: operation) { image, pixel in mask[image * pixels + pixel] > 0.5 }
        }
        if let image = result.regionPixels.firstIndex(of: 0) {
            throw .invalidArgument(operation: operation, message: "expected every mask to have a pixel inside (> 0.5), found none in mask \(image)")
        }
        return result
    }

    /// The masses of `heatmaps` (read as `maps`) inside the pixels for which
    /// `isInside(image, pixel)` holds (`pixel` the flat index `row · W + column`), checking
    /// that every value is finite and non-negative.
    private static func masses(
        of heatmaps: Tensor, maps: SingleChannelMaps, operation: String, isInside: (_ image: Int, _ pixel: Int) -> Bool
    ) throws(ExplainError) -> Masses {
        let pixels = maps.height * maps.width
        return try heatmaps.withUnsafeBufferPointer { (values) throws(ExplainError) -> Masses in
            var masses = Masses(imagePixels: pixels)
            for image in 0..<maps.count {
                var inside = 0.0, total = 0.0, regionPixels = 0
                for pixel in 0..<pixels {
                    let value = values[image * pixels + pixel]
                    guard value >= 0, value.isFinite else {
                        if value.isNaN { throw .nanScore(operation: operation, index: image * pixels + pixel) }
                        throw .invalidArgument(
                            operation: operation,
                            message:
                                "expected non-negative, finite heatmap values, found \(value) in image \(image) at row \(pixel / maps.width), column \(pixel % maps.width)"
                        )
                    }
                    total += Double(value)
                    if isInside(image, pixel) {
                        inside += Double(value)
                        regionPixels += 1
                    }
                }
                masses.inside.append(inside)
                masses.total.append(total)
                masses.regionPixels.append(regionPixels)
            }
            return masses
        }
    }
}
