import Foundation
import TensorCore

/// How a model's heatmaps are shown and thresholded, measured once on the heatmaps of nominal
/// training images and then fixed: the value ``low`` (a low quantile of the nominal pixels)
/// and the ``pixelThreshold`` (a high quantile of them, above which a pixel counts as
/// anomalous). Its ``scale`` shows ``low`` as 0 and the pixel threshold as
/// ``thresholdLevel`` (½, the middle of the colour map), so nominal images stay in the cool
/// half and whatever exceeds the nominal range turns warm, reaching 1 at
/// `high = low + 2 · (pixelThreshold − low)`.
///
/// Quantiles are taken as the display normalisation takes them: the k-th smallest of the N
/// pixel values with k = ⌊q · N⌋ (at least 1), torch's `kthvalue`.
///
/// Stored as JSON in model files (`low`, `pixel_threshold`, `high`, `low_quantile`,
/// `pixel_quantile`, `images`); decoding checks it as ``init(low:pixelThreshold:high:lowQuantile:pixelQuantile:images:)`` does.
public struct HeatmapCalibration: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The level of ``scale`` at which the pixel threshold is shown.
    public static let thresholdLevel: Float = 0.5

    /// The heatmap value shown as 0: the ``lowQuantile`` of the nominal pixels.
    public let low: Float
    /// Pixels above this are anomalous: the ``pixelQuantile`` of the nominal pixels.
    public let pixelThreshold: Float
    /// The heatmap value shown as 1.
    public let high: Float
    /// The quantile level that gave ``low``.
    public let lowQuantile: Double
    /// The quantile level that gave ``pixelThreshold``.
    public let pixelQuantile: Double
    /// How many nominal heatmaps were measured.
    public let images: Int
    /// The fixed display scale from ``low`` to ``high``.
    public let scale: HeatmapScale

    /// The default quantile of ``low``: 0.01.
    public static let defaultLowQuantile = 0.01
    /// The default quantile of ``pixelThreshold``: 0.99.
    public static let defaultPixelQuantile = 0.99
    /// The default bound on the heatmaps measured: 256.
    public static let defaultMaximumImages = 256

    /// A calibration given directly (as read from a model file).
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` unless the values are
    ///   finite and ordered (`low ≤ pixelThreshold ≤ high`), the quantiles lie in (0, 1] with
    ///   `lowQuantile ≤ pixelQuantile`, and `images ≥ 1`.
    public init(low: Float, pixelThreshold: Float, high: Float, lowQuantile: Double, pixelQuantile: Double, images: Int) throws(ExplainError) {
        let operation = "HeatmapCalibration"
        guard low.isFinite, pixelThreshold.isFinite, high.isFinite, low <= pixelThreshold, pixelThreshold <= high else {
            throw .invalidArgument(
                operation: operation,
                message: "expected finite values with low ≤ pixel threshold ≤ high, found low \(low), pixel threshold \(pixelThreshold) and high \(high)")
        }
        guard lowQuantile > 0, pixelQuantile <= 1, lowQuantile <= pixelQuantile else {
            throw .invalidArgument(
                operation: operation,
                message: "expected quantiles in (0, 1] with the low quantile ≤ the pixel quantile, found \(lowQuantile) and \(pixelQuantile)")
        }
        guard images >= 1 else {
            throw .invalidArgument(operation: operation, message: "expected at least one measured image, found \(images)")
        }
        scale = try HeatmapScale(low: low, high: high)
        self.low = low
        self.pixelThreshold = pixelThreshold
        self.high = high
        self.lowQuantile = lowQuantile
        self.pixelQuantile = pixelQuantile
        self.images = images
    }

    /// Measures nominal heatmaps: ``low`` and ``pixelThreshold`` are the `lowQuantile` and the
    /// `pixelQuantile` of all pixels of at most `maximumImages` of them, evenly spaced over
    /// the batch (heatmap `⌊i · N / M⌋` for i in 0..<M), so the cost is bounded for large
    /// training sets.
    ///
    /// - Parameters:
    ///   - nominalHeatmaps: Heatmaps of nominal images, `[N, H, W]` or `[N, 1, H, W]`.
    ///   - lowQuantile: The quantile that becomes ``low``.
    ///   - pixelQuantile: The quantile that becomes ``pixelThreshold``.
    ///   - maximumImages: The most heatmaps measured.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for another layout,
    ///   ``ExplainError/invalidArgument(operation:message:)`` for quantiles outside (0, 1] or
    ///   out of order, `maximumImages < 1`, or a value that is not finite.
    public init(
        nominalHeatmaps: Tensor, lowQuantile: Double = defaultLowQuantile, pixelQuantile: Double = defaultPixelQuantile,
        maximumImages: Int = defaultMaximumImages
    ) throws(ExplainError) {
        let operation = "HeatmapCalibration"
        try MapsSupport.validateQuantile(lowQuantile, operation: operation)
        try MapsSupport.validateQuantile(pixelQuantile, operation: operation)
        guard maximumImages >= 1 else {
            throw .invalidArgument(operation: operation, message: "expected a maximum of at least 1 image, found \(maximumImages)")
        }
        let maps = try SingleChannelMaps(nominalHeatmaps, operation: operation, name: "nominal heatmaps")
        let count = Swift.min(maps.count, maximumImages)
        let pixels = maps.height * maps.width
        var values = [Float](repeating: 0, count: count * pixels)
        nominalHeatmaps.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                for index in 0..<count {
                    let image = index * maps.count / count
                    _ = UnsafeMutableBufferPointer(rebasing: target[(index * pixels)..<((index + 1) * pixels)])
                        .update(fromContentsOf: source[(image * pixels)..<((image + 1) * pixels)])
                }
            }
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidArgument(
                operation: operation, message: "expected finite heatmap values, found \(values[index]) at index \(index) of the measured pixels")
        }
        let (low, threshold) = values.withUnsafeMutableBufferPointer { buffer in
            (
                MapsSupport.kthSmallest(buffer, rank: MapsSupport.quantileRank(lowQuantile, count: buffer.count)),
                MapsSupport.kthSmallest(buffer, rank: MapsSupport.quantileRank(pixelQuantile, count: buffer.count))
            )
        }
        let high = low + (threshold - low) / Self.thresholdLevel
        try self.init(
            low: low, pixelThreshold: threshold, high: high.isFinite ? high : .greatestFiniteMagnitude,
            lowQuantile: lowQuantile, pixelQuantile: pixelQuantile, images: count)
    }

    /// A short, readable summary.
    public var description: String {
        "HeatmapCalibration(low \(low), pixel threshold \(pixelThreshold), high \(high); quantiles \(lowQuantile) and \(pixelQuantile) of \(images) nominal heatmaps)"
    }

    private enum CodingKeys: String, CodingKey {
        case low
        case pixelThreshold = "pixel_threshold"
        case high
        case lowQuantile = "low_quantile"
        case pixelQuantile = "pixel_quantile"
        case images
    }

    /// Reads a calibration and checks it as ``init(low:pixelThreshold:high:lowQuantile:pixelQuantile:images:)``.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the problem.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                low: container.decode(Float.self, forKey: .low), pixelThreshold: container.decode(Float.self, forKey: .pixelThreshold),
                high: container.decode(Float.self, forKey: .high), lowQuantile: container.decode(Double.self, forKey: .lowQuantile),
                pixelQuantile: container.decode(Double.self, forKey: .pixelQuantile), images: container.decode(Int.self, forKey: .images))
        } catch let error as ExplainError {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
}
