import TensorCore

/// How well heatmaps locate the anomalies of ground-truth masks, image by image, and how two
/// kinds of heatmaps (e.g. FCDD's and a gradient baseline's) compare on the same masks.
///
/// The per-image AUC ranks one image's pixels by heatmap value against its mask with
/// ``ROC/areaUnderCurve(scores:labels:)``. It is undefined for a mask with no anomalous or
/// no nominal pixel (every nominal test image); such images get NaN and are left out of the
/// comparison. The reference's own explanation metric pools the pixels of all images
/// instead (``PixelROC/areaUnderCurve(maps:masks:)-(Tensor,_)``, as `BaseADTrainer.score` in the
/// official `training/bases.py` does).
///
/// Heatmaps and masks must have the same size: the reference up-samples maps with the
/// receptive-field Gaussian to the input size and then resizes them nearest-neighbour to
/// the mask's resolution (``HeatmapUpsampling``) before comparing.
public enum HeatmapComparison {
    /// Per-image AUCs of two kinds of heatmaps on the same masks.
    public struct Result: Sendable, Equatable {
        /// The first heatmaps' AUC per image (NaN where the mask has one class only).
        public let first: [Double]
        /// The second heatmaps' AUC per image (NaN where the mask has one class only).
        public let second: [Double]
        /// The images whose mask has both classes, ascending: where both AUCs are defined.
        public let evaluatedImages: [Int]
        /// The images left out because their mask is all nominal or all anomalous.
        public let skippedImages: [Int]

        /// The mean of ``first`` over ``evaluatedImages`` (NaN when there are none).
        public var meanFirst: Double { Self.mean(first, over: evaluatedImages) }
        /// The mean of ``second`` over ``evaluatedImages`` (NaN when there are none).
        public var meanSecond: Double { Self.mean(second, over: evaluatedImages) }
        /// How many evaluated images the first heatmaps rank better (strictly higher AUC).
        public var firstBetter: Int { evaluatedImages.count { first[$0] > second[$0] } }
        /// How many evaluated images the second heatmaps rank better (strictly higher AUC).
        public var secondBetter: Int { evaluatedImages.count { second[$0] > first[$0] } }

        private static func mean(_ values: [Double], over images: [Int]) -> Double {
            images.isEmpty ? .nan : images.reduce(0) { $0 + values[$1] } / Double(images.count)
        }
    }

    /// The ROC AUC of each image's heatmap against its mask.
    ///
    /// - Parameters:
    ///   - heatmaps: `[N, H, W]` or `[N, 1, H, W]`, higher = more anomalous.
    ///   - masks: `[N, H, W]` or `[N, 1, H, W]` with the heatmaps' N, H and W; a pixel whose
    ///     value is > 0.5 is anomalous (as ``PixelROC``).
    /// - Returns: One AUC per image; NaN flags an image whose mask is all nominal or all
    ///   anomalous, for which the AUC is undefined.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when the shapes do
    ///   not fit, ``ExplainError/nanScore(operation:index:)`` for a NaN heatmap value.
    public static func pixelAUC(heatmaps: Tensor, masks: Tensor) throws(ExplainError) -> [Double] {
        let operation = "HeatmapComparison.pixelAUC"
        let maps = try SingleChannelMaps(heatmaps, operation: operation, name: "heatmaps")
        let truth = try SingleChannelMaps(masks, operation: operation, name: "masks")
        guard maps.planes.shape == truth.planes.shape else {
            throw .shapeMismatch(
                operation: operation, expected: "heatmaps and masks of the same N, H and W",
                found: [heatmaps.shape, masks.shape])
        }
        let pixels = maps.height * maps.width
        var aucs: [Double] = []
        aucs.reserveCapacity(maps.count)
        var scores = [Float](repeating: 0, count: pixels)
        var labels = [Int](repeating: 0, count: pixels)
        for image in 0..<maps.count {
            var anomalous = 0
            heatmaps.withUnsafeBufferPointer { source in
                masks.withUnsafeBufferPointer { mask in
                    for pixel in 0..<pixels {
                        scores[pixel] = source[image * pixels + pixel]
                        let label = mask[image * pixels + pixel] > 0.5 ? 1 : 0
                        labels[pixel] = label
                        anomalous += label
                    }
                }
            }
            guard anomalous > 0, anomalous < pixels else {
                aucs.append(.nan)
                continue
            }
            do {
                aucs.append(try ROC.areaUnderCurve(scores: scores, labels: labels))
            } catch let .nanScore(_, index) {
                throw .nanScore(operation: operation, index: image * pixels + index)
            }
        }
        return aucs
    }

    /// The per-image AUCs of two kinds of heatmaps on the same masks.
    ///
    /// - Throws: The errors of ``pixelAUC(heatmaps:masks:)`` for either set.
    public static func compare(_ first: Tensor, _ second: Tensor, masks: Tensor) throws(ExplainError) -> Result {
        let firstAUCs = try pixelAUC(heatmaps: first, masks: masks)
        let secondAUCs = try pixelAUC(heatmaps: second, masks: masks)
        let evaluated = firstAUCs.indices.filter { !firstAUCs[$0].isNaN }
        let skipped = firstAUCs.indices.filter { firstAUCs[$0].isNaN }
        return Result(first: firstAUCs, second: secondAUCs, evaluatedImages: evaluated, skippedImages: skipped)
    }
}
