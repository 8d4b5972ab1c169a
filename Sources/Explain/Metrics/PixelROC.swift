import TensorCore

/// Pixel-level ROC analysis: every pixel of every image is one element, anomalous where
/// its ground-truth mask is.
///
/// This is FCDD's "pixel-wise AUC" (and the MVTec AD pixel AUROC): the maps of all test
/// images of a class, nominal images with all-zero masks included, are flattened into one
/// list of scores and ranked together, as `roc_auc_score(masks.ravel(), maps.ravel())`.
/// The pixels are packed straight from the tensors' storage and ranked with one radix sort;
/// no per-image arrays are built.
public enum PixelROC {
    /// The ROC AUC over all pixels of all images.
    ///
    /// - Parameters:
    ///   - maps: Anomaly maps [N, H, W] or [N, 1, H, W], higher = more anomalous. NaN is
    ///     rejected.
    ///   - masks: Ground truth [N, H, W] or [N, 1, H, W] with the maps' N, H and W; a pixel
    ///     whose value is > 0.5 is anomalous (masks scaled to {0, 1}).
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)``,
    ///   ``ExplainError/emptyScores(operation:)``, ``ExplainError/nanScore(operation:index:)``
    ///   (flat index into `maps`), or ``ExplainError/missingClass(operation:label:)`` when no
    ///   pixel, or every pixel, is anomalous.
    public static func areaUnderCurve(maps: Tensor, masks: Tensor) throws(ExplainError) -> Double {
        let operation = "PixelROC.areaUnderCurve"
        let ranked = try rank(maps: maps, masks: masks, operation: operation)
        try ranked.requireBothClasses(operation: operation)
        return ranked.areaUnderCurve()
    }

    /// The ROC curve over all pixels of all images (one point per distinct score, so up to
    /// N·H·W + 1 points), with its area; see ``ROC/curve(scores:labels:)``.
    ///
    /// - Throws: The errors of ``areaUnderCurve(maps:masks:)-(Tensor,_)``.
    public static func curve(maps: Tensor, masks: Tensor) throws(ExplainError) -> ROCCurve {
        let operation = "PixelROC.curve"
        let ranked = try rank(maps: maps, masks: masks, operation: operation)
        try ranked.requireBothClasses(operation: operation)
        return ROCCurve(ranked: ranked)
    }

    /// The ROC AUC over all pixels of maps of different sizes (each map `[H, W]`,
    /// `[1, H, W]` or `[1, 1, H, W]` with a mask of its size), such as the maps of a data set
    /// whose images are not all one size, each up-sampled to its own image's size.
    ///
    /// - Throws: The errors of ``areaUnderCurve(maps:masks:)-(Tensor,_)``.
    public static func areaUnderCurve(maps: [Tensor], masks: [Tensor]) throws(ExplainError) -> Double {
        let operation = "PixelROC.areaUnderCurve"
        let ranked = try rank(maps: maps, masks: masks, operation: operation)
        try ranked.requireBothClasses(operation: operation)
        return ranked.areaUnderCurve()
    }

    /// The ROC curve over all pixels of maps of different sizes (each map with a mask of its
    /// size, as for the area over such maps), with the points that
    /// ``ROCCurve/thinned(resolution:)`` keeps, collected while the pixels are ranked so that
    /// the full curve (one point per distinct score) is never held; the area is exact.
    ///
    /// - Parameters:
    ///   - maps: The anomaly maps, one tensor per image.
    ///   - masks: The ground-truth masks, one per map and of its size.
    ///   - resolution: The spacing of the kept points in [0, 1); 0 keeps every point.
    /// - Throws: The errors of ``areaUnderCurve(maps:masks:)-([Tensor],_)``, and
    ///   ``ExplainError/invalidArgument(operation:message:)`` for a resolution outside [0, 1).
    public static func curve(maps: [Tensor], masks: [Tensor], resolution: Double) throws(ExplainError) -> ROCCurve {
        let operation = "PixelROC.curve"
        try CurveThinning.validate(resolution, operation: operation)
        let ranked = try rank(maps: maps, masks: masks, operation: operation)
        try ranked.requireBothClasses(operation: operation)
        return ROCCurve(ranked: ranked, resolution: resolution)
    }

    /// Packs every pixel of maps of different sizes with its mask label and ranks them.
    private static func rank(maps: [Tensor], masks: [Tensor], operation: String) throws(ExplainError) -> RankedScores {
        _ = try PixelBatch.imageSizes(maps: maps, masks: masks, operation: operation)
        let (allMaps, allMasks) = PixelBatch.concatenatedScalars(maps: maps, masks: masks)
        let shape = [1, 1, allMaps.count]
        return try rank(maps: Tensor(shape: shape, scalars: allMaps), masks: Tensor(shape: shape, scalars: allMasks), operation: operation)
    }

    /// Packs every pixel's score with its mask label and ranks them.
    static func rank(maps: Tensor, masks: Tensor, operation: String) throws(ExplainError) -> RankedScores {
        let batch = try PixelBatch(maps: maps, masks: masks, operation: operation)
        let count = batch.images * batch.pixelsPerImage
        var positives = 0
        var nanIndex: Int?
        let words = [UInt64](unsafeUninitializedCapacity: count) { words, initializedCount in
            maps.withUnsafeBufferPointer { maps in
                masks.withUnsafeBufferPointer { masks in
                    for index in 0..<count {
                        let score = maps[index]
                        if score.isNaN {
                            nanIndex = index
                            return
                        }
                        let label: UInt32 = masks[index] > 0.5 ? 1 : 0
                        positives += Int(label)
                        words[index] = ScoreKey.packed(score, payload: label)
                    }
                }
            }
            initializedCount = nanIndex == nil ? count : 0
        }
        if let nanIndex { throw .nanScore(operation: operation, index: nanIndex) }
        return RankedScores(unsortedWords: consume words, positives: positives)
    }
}
