import Datasets
import Explain
import TensorCore

extension AnomalyPredictor {
    /// The quantile of the per-image scale that shows the heatmaps of a predictor without a
    /// ``heatmapCalibration`` (`HeatmapNormalization.local(quantile:)`), as `fcdd predict`
    /// showed every heatmap before calibrations were stored.
    public static let uncalibratedDisplayQuantile = 0.97

    /// The prediction's heatmap brought to `size` with bilinear interpolation (PyTorch's
    /// `align_corners=False`), `[height, width]`, in the heatmap's own units; the heatmap is
    /// computed at the input size, so this is how it covers an image of another size.
    ///
    /// - Throws: `ExplainError.shapeMismatch(operation:expected:found:)` for a heatmap that
    ///   is not `[H, W]` (an objective of your own may give other shapes) and
    ///   `ExplainError.invalidArgument(operation:message:)` for a size below 1×1.
    public func heatmap(of prediction: AnomalyPrediction, resizedTo size: Size2D) throws(ExplainError) -> Tensor {
        let heatmap = prediction.heatmap
        guard heatmap.rank == 2, heatmap.shape[0] >= 1, heatmap.shape[1] >= 1 else {
            throw .shapeMismatch(operation: "AnomalyPredictor.heatmap(of:resizedTo:)", expected: "a heatmap [H, W]", found: [heatmap.shape])
        }
        guard size.height >= 1, size.width >= 1 else {
            throw .invalidArgument(operation: "AnomalyPredictor.heatmap(of:resizedTo:)", message: "expected a size of at least 1×1, found \(size)")
        }
        if heatmap.shape == [size.height, size.width] { return heatmap }
        return heatmap.reshaped(to: [1, 1] + heatmap.shape).resized(to: size, mode: .bilinear).reshaped(to: [size.height, size.width])
    }

    /// Heatmap values (`[H, W]`) as display levels in [0, 1]: on the fixed ``heatmapScale``
    /// when the predictor is calibrated, so that levels compare between images (a nominal
    /// image stays below `HeatmapCalibration.thresholdLevel` almost everywhere), else scaled
    /// per image with ``uncalibratedDisplayQuantile``.
    ///
    /// - Throws: `ExplainError` for a value that is not finite or a heatmap that is not `[H, W]`.
    public func displayLevels(_ heatmap: Tensor) throws(ExplainError) -> Tensor {
        guard heatmap.rank == 2 else {
            throw .shapeMismatch(operation: "AnomalyPredictor.displayLevels", expected: "a heatmap [H, W]", found: [heatmap.shape])
        }
        if let heatmapScale { return try heatmapScale.normalize(heatmap) }
        return try HeatmapNormalization.local(quantile: Self.uncalibratedDisplayQuantile)
            .normalize(heatmap.unsqueezed(axis: 0)).squeezed(axis: 0)
    }

    /// The prediction's heatmap over `image` (the original, at its own resolution): the heatmap
    /// resized to the image bilinearly (``heatmap(of:resizedTo:)``), coloured by its
    /// ``displayLevels(_:)`` and blended with the image.
    ///
    /// - Throws: The errors of ``heatmap(of:resizedTo:)``, ``displayLevels(_:)`` and
    ///   `Image.overlaying(heatmap:colorMap:opacity:)`.
    public func overlay(of prediction: AnomalyPrediction, on image: Image, colorMap: ColorMap = .jet, opacity: Float = 0.5) throws(ExplainError) -> Image {
        let levels = try displayLevels(heatmap(of: prediction, resizedTo: Size2D(image.height, image.width)))
        return try image.overlaying(heatmap: levels, colorMap: colorMap, opacity: opacity)
    }

    /// A binary mask of the prediction at `size` (the original image's, say), a grey image
    /// that is 1 (white in a PNG) where the resized heatmap (``heatmap(of:resizedTo:)``)
    /// exceeds the pixel threshold and 0 elsewhere: `pixelThreshold` when given, else the
    /// calibrated ``pixelThreshold``.
    ///
    /// - Throws: `ExplainError.invalidArgument(operation:message:)` when neither exists (a
    ///   model file written before calibrations were stored) or the given one is not finite,
    ///   and the errors of ``heatmap(of:resizedTo:)``.
    public func mask(of prediction: AnomalyPrediction, size: Size2D, pixelThreshold: Float? = nil) throws(ExplainError) -> Image {
        let operation = "AnomalyPredictor.mask(of:size:pixelThreshold:)"
        guard let threshold = pixelThreshold ?? self.pixelThreshold else {
            throw .invalidArgument(
                operation: operation,
                message:
                    "expected a pixel threshold: the model has no heatmap calibration (its file was written before they were stored); give one or calibrate the model"
            )
        }
        guard threshold.isFinite else {
            throw .invalidArgument(operation: operation, message: "expected a finite pixel threshold, found \(threshold)")
        }
        let heatmap = try heatmap(of: prediction, resizedTo: size)
        let pixels = heatmap.withUnsafeBufferPointer { values in values.map { $0 > threshold ? Float(1) : 0 } }
        do {
            return try Image(width: size.width, height: size.height, channels: 1, pixels: pixels)
        } catch {
            throw .invalidArgument(operation: operation, message: "\(error)")
        }
    }
}
