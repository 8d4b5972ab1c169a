import Datasets
import TensorCore

/// The test samples a heatmap figure draws from: input images, their heatmaps, optional
/// ground-truth masks, anomaly scores and labels, all of the same length `N` and in the
/// same order.
///
/// Heatmaps are expected already up-sampled to the inputs' size and normalised to `[0, 1]`
/// (the Maps part of this module does both); masks hold 1 for anomalous pixels. Labels
/// are 0 for nominal and 1 for anomalous samples in the FCDD convention, but any integers
/// work: figures treat each distinct label as a class, in ascending order.
public struct HeatmapSamples: Sendable {
    /// How input tensors are turned into images for display.
    public enum InputDisplay: Sendable, Equatable {
        /// Each image min-max scaled over all its channels to `[0, 1]`, as the FCDD
        /// reference shows inputs (`qu = 1` local normalisation), so normalised
        /// (LCN, mean/std) inputs are visible. A constant image is shown clamped.
        case minMax
        /// The values as they are, clamped to `[0, 1]`.
        case clamped
    }

    /// The inputs as images, each of the heatmaps' height and width.
    public let images: [Image]
    /// The heatmaps, `[N, H, W]`, values in `[0, 1]`.
    public let heatmaps: Tensor
    /// The ground-truth masks, `[N, H, W]`, or `nil`.
    public let masks: Tensor?
    /// The anomaly score of each sample (higher is more anomalous).
    public let scores: [Float]
    /// The label of each sample.
    public let labels: [Int]

    /// The number of samples.
    public var count: Int { labels.count }
    /// Width and height of the images and maps.
    public var imageSize: (width: Int, height: Int) { (heatmaps.shape[2], heatmaps.shape[1]) }

    /// Samples from images that are ready to show.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when `heatmaps` or
    ///   `masks` is not `[N, H, W]` or an image is not `W × H`;
    ///   ``ExplainError/countMismatch(operation:scores:labels:)`` when the numbers of images,
    ///   maps, scores and labels differ; ``ExplainError/nanScore(operation:index:)`` for a
    ///   NaN score.
    public init(images: [Image], heatmaps: Tensor, masks: Tensor? = nil, scores: [Float], labels: [Int]) throws(ExplainError) {
        let operation = "HeatmapSamples"
        let (count, height, width) = try RenderingSupport.batchSize(heatmaps, operation: operation, name: "heatmaps")
        if let masks, masks.shape != heatmaps.shape {
            throw .shapeMismatch(operation: operation, expected: "masks of the heatmaps' shape", found: [heatmaps.shape, masks.shape])
        }
        guard scores.count == labels.count else { throw .countMismatch(operation: operation, scores: scores.count, labels: labels.count) }
        guard images.count == labels.count, count == labels.count else {
            throw .shapeMismatch(
                operation: operation, expected: "one image, heatmap, score and label per sample (\(labels.count) labels)",
                found: [[images.count], heatmaps.shape])
        }
        if let index = images.firstIndex(where: { $0.width != width || $0.height != height }) {
            throw .shapeMismatch(
                operation: operation, expected: "images of the heatmaps' size [\(height), \(width)]",
                found: [[images[index].height, images[index].width]])
        }
        if let index = scores.firstIndex(where: \.isNaN) { throw .nanScore(operation: operation, index: index) }
        self.images = images
        self.heatmaps = heatmaps
        self.masks = masks
        self.scores = scores
        self.labels = labels
    }

    /// Samples from a batch of inputs `[N, C, H, W]` (`C` in 1...4), shown as `display` says.
    ///
    /// - Throws: the errors of ``init(images:heatmaps:masks:scores:labels:)`` and of
    ///   ``displayImages(_:display:)``.
    public init(inputs: Tensor, display: InputDisplay = .minMax, heatmaps: Tensor, masks: Tensor? = nil, scores: [Float], labels: [Int]) throws(ExplainError) {
        try self.init(images: Self.displayImages(inputs, display: display), heatmaps: heatmaps, masks: masks, scores: scores, labels: labels)
    }

    /// The images of a batch `[N, C, H, W]` (`C` in 1...4: grey, grey and alpha, RGB, RGBA),
    /// scaled for display as `display` says.
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for another shape.
    public static func displayImages(_ batch: Tensor, display: InputDisplay = .minMax) throws(ExplainError) -> [Image] {
        guard batch.rank == 4, (1...4).contains(batch.shape[1]), batch.shape[2] >= 1, batch.shape[3] >= 1 else {
            throw .shapeMismatch(operation: "HeatmapSamples.displayImages", expected: "inputs [N, C, H, W] with C in 1...4 and H, W ≥ 1", found: [batch.shape])
        }
        let (count, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let plane = height * width, sampleSize = channels * plane
        return batch.withUnsafeBufferPointer { values in
            (0..<count).map { index in
                let pixels = [Float](unsafeUninitializedCapacity: sampleSize) { output, initialized in
                    guard let base = values.baseAddress, let target = output.baseAddress else { return }
                    let source = base + index * sampleSize
                    var low = Float.infinity, high = -Float.infinity
                    if display == .minMax {
                        for offset in 0..<sampleSize where source[offset].isFinite {
                            low = min(low, source[offset])
                            high = max(high, source[offset])
                        }
                    }
                    let stretch = display == .minMax && high > low
                    let range = high - low
                    // Planes (CHW) to interleaved samples (HWC).
                    for channel in 0..<channels {
                        let from = source + channel * plane
                        for position in 0..<plane {
                            var value = from[position]
                            if stretch { value = (value - low) / range }
                            // `value > 0` is false for NaN, which becomes 0.
                            target[position * channels + channel] = value > 0 ? min(value, 1) : 0
                        }
                    }
                    initialized = sampleSize
                }
                return Image(validatedWidth: width, height: height, channels: channels, pixels: pixels)
            }
        }
    }
}
