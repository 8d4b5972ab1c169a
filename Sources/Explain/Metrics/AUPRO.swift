import TensorCore

/// The normalised area under the per-region overlap (PRO) curve up to a false positive
/// rate limit: the localisation metric of the MVTec AD benchmark (Bergmann et al., "The
/// MVTec Anomaly Detection Dataset", IJCV 2021), computed as its official evaluation code
/// does (`pro_curve_util.compute_pro`, `generic_util.trapezoid`, `evaluate_experiment.py`).
///
/// For a threshold t, a pixel is predicted anomalous when its score is ≥ t. The ground
/// truth of each image is split into connected regions with 8-connectivity (the official
/// code labels with `scipy.ndimage.label` and the structuring element `np.ones((3, 3))`, so
/// pixels touching at a corner belong to one region). Then
/// * PRO(t) = the mean over all regions of all images of the fraction of the region's
///   pixels predicted anomalous, each region weighing the same whatever its size;
/// * FPR(t) = predicted-anomalous pixels outside every region / all pixels outside every
///   region, over all images, nominal images included.
///
/// The curve has one point per distinct score (thresholds descending), both coordinates
/// capped at 1, with (0, 0) in front and (1, 1) at the end; its trapezoidal integral from
/// FPR 0 to the limit (interpolating the PRO at the limit) is divided by the limit, so a
/// perfect detector scores 1.
public enum AUPRO {
    /// The integration limit of the MVTec AD benchmark: FPR 0.3.
    public static let defaultFPRLimit = 0.3

    /// The normalised AU-PRO of anomaly maps against ground-truth masks.
    ///
    /// Differences from the official code, all below 1e-6: the FPR is a `Double` quotient
    /// of exact counts (the official code casts the cumulative counts to float32 to save
    /// memory), and a mask pixel is anomalous when > 0.5 (the official code takes any
    /// nonzero value; both agree for {0, 1} and {0, 255} masks).
    ///
    /// - Parameters:
    ///   - maps: Anomaly maps [N, H, W] or [N, 1, H, W], higher = more anomalous, at the
    ///     masks' resolution. NaN is rejected.
    ///   - masks: Ground truth [N, H, W] or [N, 1, H, W] with the maps' N, H and W; a pixel
    ///     > 0.5 is anomalous. Images without anomalous pixels only add nominal pixels.
    ///   - fprLimit: The FPR up to which the curve is integrated, in (0, 1]; 0.3 by default.
    /// - Returns: The area divided by `fprLimit`, in [0, 1].
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a limit outside
    ///   (0, 1], ``ExplainError/shapeMismatch(operation:expected:found:)``,
    ///   ``ExplainError/emptyScores(operation:)``, ``ExplainError/nanScore(operation:index:)``
    ///   (flat index into `maps`), or ``ExplainError/missingClass(operation:label:)`` when no
    ///   mask has an anomalous pixel (label 1: the PRO is undefined) or every pixel is
    ///   anomalous (label 0: the FPR is undefined).
    public static func compute(maps: Tensor, masks: Tensor, fprLimit: Double = defaultFPRLimit) throws(ExplainError) -> Double {
        let operation = "AUPRO.compute"
        try validateLimit(fprLimit, operation: operation)
        let batch = try PixelBatch(maps: maps, masks: masks, operation: operation)
        let sizes = Array(repeating: (height: batch.height, width: batch.width), count: batch.images)
        var integral = LimitedTrapezoid(limit: fprLimit)
        try maps.withUnsafeBufferPointer { maps throws(ExplainError) in
            try masks.withUnsafeBufferPointer { masks throws(ExplainError) in
                try walk(maps: maps, masks: masks, sizes: sizes, operation: operation) { x, y, _ in
                    integral.add(x: x, y: y)
                    return !integral.isComplete
                }
            }
        }
        integral.add(x: 1, y: 1)
        return integral.area / fprLimit
    }

    /// The normalised AU-PRO of anomaly maps of different sizes, such as the maps of a data
    /// set whose images are not all one size, each up-sampled to its own image's size.
    ///
    /// - Parameters:
    ///   - maps: One map per image, `[H, W]`, `[1, H, W]` or `[1, 1, H, W]`.
    ///   - masks: The masks, each of its map's height and width.
    ///   - fprLimit: As in ``compute(maps:masks:fprLimit:)-(Tensor,_,_)``.
    /// - Throws: The errors of ``compute(maps:masks:fprLimit:)-(Tensor,_,_)``; the index of a NaN score
    ///   counts the pixels of all maps in order.
    public static func compute(maps: [Tensor], masks: [Tensor], fprLimit: Double = defaultFPRLimit) throws(ExplainError) -> Double {
        let operation = "AUPRO.compute"
        try validateLimit(fprLimit, operation: operation)
        var integral = LimitedTrapezoid(limit: fprLimit)
        try walk(maps: maps, masks: masks, operation: operation) { x, y, _ in
            integral.add(x: x, y: y)
            return !integral.isComplete
        }
        integral.add(x: 1, y: 1)
        return integral.area / fprLimit
    }

    /// The whole PRO curve of anomaly maps of different sizes (as
    /// ``compute(maps:masks:fprLimit:)-([Tensor],_,_)`` for such maps takes them), from (0, 0) to (1, 1),
    /// with the points that ``ROCCurve/thinned(resolution:)`` would keep, collected while the
    /// thresholds are walked so that the full curve (one point per distinct score) is never
    /// held; its ``PROCurve/normalizedArea`` is exactly what `compute` returns.
    ///
    /// - Parameters:
    ///   - maps: The anomaly maps, one tensor per image.
    ///   - masks: The ground-truth masks, one per map and of its size.
    ///   - fprLimit: As in ``compute(maps:masks:fprLimit:)-([Tensor],_,_)``.
    ///   - resolution: The spacing of the kept points in [0, 1); 0 keeps every point.
    /// - Throws: The errors of ``compute(maps:masks:fprLimit:)-([Tensor],_,_)``, and
    ///   ``ExplainError/invalidArgument(operation:message:)`` for a resolution outside [0, 1).
    public static func curve(
        maps: [Tensor], masks: [Tensor], fprLimit: Double = defaultFPRLimit, resolution: Double
    ) throws(ExplainError) -> PROCurve {
        let operation = "AUPRO.curve"
        try validateLimit(fprLimit, operation: operation)
        try CurveThinning.validate(resolution, operation: operation)
        var integral = LimitedTrapezoid(limit: fprLimit)
        var points = CurveThinning(resolution: resolution)
        points.add(x: 0, y: 0, threshold: .infinity)
        var lowest = Float.infinity
        try walk(maps: maps, masks: masks, operation: operation) { x, y, score in
            integral.add(x: x, y: y)
            points.add(x: x, y: y, threshold: score)
            lowest = score
            return true
        }
        integral.add(x: 1, y: 1)
        points.add(x: 1, y: 1, threshold: lowest)
        points.finish()
        return PROCurve(
            falsePositiveRates: points.xs, overlaps: points.ys, thresholds: points.thresholds,
            fprLimit: fprLimit, normalizedArea: integral.area / fprLimit)
    }

    /// Throws unless `fprLimit` is in (0, 1].
    private static func validateLimit(_ fprLimit: Double, operation: String) throws(ExplainError) {
        guard fprLimit.isFinite, fprLimit > 0, fprLimit <= 1 else {
            throw .invalidArgument(operation: operation, message: "expected an FPR limit in (0, 1], found \(fprLimit)")
        }
    }

    /// Walks the PRO curve of maps of different sizes (see ``walk(maps:masks:sizes:operation:point:)``).
    private static func walk(
        maps: [Tensor], masks: [Tensor], operation: String, point: (_ fpr: Double, _ overlap: Double, _ score: Float) -> Bool
    ) throws(ExplainError) {
        let sizes = try PixelBatch.imageSizes(maps: maps, masks: masks, operation: operation)
        let (allMaps, allMasks) = PixelBatch.concatenatedScalars(maps: maps, masks: masks)
        try allMaps.withUnsafeBufferPointer { allMaps throws(ExplainError) in
            try allMasks.withUnsafeBufferPointer { allMasks throws(ExplainError) in
                try walk(maps: allMaps, masks: allMasks, sizes: sizes, operation: operation, point: point)
            }
        }
    }

    /// Walks the PRO curve of images stored one after another in `maps` and `masks`, image
    /// `i` being `sizes[i]`: calls `point` with (FPR, PRO, score) for each run of tied scores
    /// from the highest down, both rates capped at 1, until it returns `false`. The caller
    /// adds (0, 0) in front and (1, 1) at the end.
    private static func walk(
        maps: UnsafeBufferPointer<Float>, masks: UnsafeBufferPointer<Float>, sizes: [(height: Int, width: Int)],
        operation: String, point: (_ fpr: Double, _ overlap: Double, _ score: Float) -> Bool
    ) throws(ExplainError) {
        let count = maps.count
        guard count < Int(UInt32.max) else {
            throw .invalidArgument(operation: operation, message: "expected fewer than 2^32 − 1 pixels, found \(count)")
        }

        // Pack each pixel's score with its region: 0 outside every region, else 1 + the
        // region's index over all images. inverseSizes[payload] is what one pixel adds to
        // the sum of per-region overlaps.
        var inverseSizes: [Double] = [0]
        var nominalPixels = 0
        var nanIndex: Int?
        var words = [UInt64](unsafeUninitializedCapacity: count) { words, initializedCount in
            var offset = 0
            for size in sizes {
                let pixels = size.height * size.width
                let (labels, regionSizes) = ConnectedComponents.label8(
                    mask: UnsafeBufferPointer(rebasing: masks[offset..<(offset + pixels)]),
                    height: size.height, width: size.width)
                let firstPayload = inverseSizes.count - 1
                for regionSize in regionSizes { inverseSizes.append(1 / Double(regionSize)) }
                for pixel in 0..<pixels {
                    let score = maps[offset + pixel]
                    if score.isNaN {
                        nanIndex = offset + pixel
                        initializedCount = 0
                        return
                    }
                    let region = Int(labels[pixel])
                    if region == 0 { nominalPixels += 1 }
                    let payload = region == 0 ? 0 : UInt32(truncatingIfNeeded: firstPayload + region)
                    words[offset + pixel] = ScoreKey.packed(score, payload: payload)
                }
                offset += pixels
            }
            initializedCount = count
        }
        if let nanIndex { throw .nanScore(operation: operation, index: nanIndex) }
        let regions = inverseSizes.count - 1
        guard regions > 0 else { throw .missingClass(operation: operation, label: 1) }
        guard nominalPixels > 0 else { throw .missingClass(operation: operation, label: 0) }

        RadixSort.sortByScore(&words)

        // Walk the thresholds from the highest score down; each run of tied scores is one
        // point (FPR, PRO) of the curve.
        let (nominal, regionCount) = (Double(nominalPixels), Double(regions))
        words.withUnsafeBufferPointer { words in
            inverseSizes.withUnsafeBufferPointer { inverseSizes in
                var falsePositives = 0
                var overlapSum = 0.0
                var end = words.count
                var proceeds = true
                while end > 0 && proceeds {
                    let score = words[end - 1] >> 32
                    var start = end
                    repeat {
                        start -= 1
                        let payload = Int(words[start] & 0xFFFF_FFFF)
                        if payload == 0 {
                            falsePositives += 1
                        } else {
                            overlapSum += inverseSizes[payload]
                        }
                    } while start > 0 && words[start - 1] >> 32 == score
                    proceeds = point(min(Double(falsePositives) / nominal, 1), min(overlapSum / regionCount, 1), ScoreKey.score(packed: words[start]))
                    end = start
                }
            }
        }
    }
}
