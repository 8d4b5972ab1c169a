import Explain
import TensorCore

extension Recipe {
    /// Input heights and widths a recipe may ask for: 1…4,096 pixels (the reference's largest
    /// is 224; MVTec-AD's images are 1,024).
    public static let inputSizes = 1...4096

    /// Checks every field before any work starts, so that a run fails at once rather than
    /// after training: the input size and pre-resize against ``inputSizes``, the channels
    /// against ``AnomalyPredictor/Limits/inputChannels``, σ against
    /// `FCDDGaussianKernel.validate(sigma:)`, the display quantile in `(0, 1]`, and the
    /// training configuration (``TrainingConfiguration/validate()``).
    ///
    /// - Throws: ``RecipeError/invalidValue(field:expected:found:)`` naming the first field
    ///   out of range, or ``TrainingError/invalidConfiguration(_:)`` for the training's.
    public func validate() throws {
        try Self.check("inputSize", inputSize, in: Self.inputSizes)
        try Self.check("channels", channels, in: AnomalyPredictor.Limits.inputChannels)
        if let preResize { try Self.check("preResize", preResize, in: Self.inputSizes) }
        do {
            try FCDDGaussianKernel.validate(sigma: sigma)
        } catch {
            throw RecipeError.invalidValue(field: "sigma", expected: "finite and at least \(FCDDGaussianKernel.minimumSigma)", found: "\(sigma)")
        }
        guard displayQuantile > 0, displayQuantile <= 1 else {
            throw RecipeError.invalidValue(field: "displayQuantile", expected: "in (0, 1]", found: "\(displayQuantile)")
        }
        try training.validate()
    }
}

extension Recipe {
    /// ``RecipeError/invalidValue(field:expected:found:)`` unless `range` holds `value`.
    static func check(_ field: String, _ value: Int, in range: ClosedRange<Int>) throws(RecipeError) {
        guard range.contains(value) else {
            throw .invalidValue(field: field, expected: "in \(range.lowerBound)...\(range.upperBound)", found: "\(value)")
        }
    }

    /// ``RecipeError/invalidValue(field:expected:found:)`` unless `range` holds both sides of
    /// `size`.
    static func check(_ field: String, _ size: Size2D, in range: ClosedRange<Int>) throws(RecipeError) {
        guard range.contains(size.height), range.contains(size.width) else {
            throw .invalidValue(
                field: field, expected: "a height and width in \(range.lowerBound)...\(range.upperBound)",
                found: "\(size.height)×\(size.width)")
        }
    }
}

extension RecipeRunOptions {
    /// Checks the options: a checkpoint interval of at least 1, a threshold quantile in
    /// `[0, 1]`, a pixel threshold quantile in `[0.01, 1]` (not below the heatmap
    /// calibration's low quantile), and an evaluation batch size in 1…65,536 when set.
    ///
    /// - Throws: ``RecipeError/invalidValue(field:expected:found:)`` naming the first option
    ///   out of range.
    public func validate() throws(RecipeError) {
        guard checkpointInterval >= 1 else {
            throw .invalidValue(field: "checkpointInterval", expected: "at least 1", found: "\(checkpointInterval)")
        }
        guard (0...1).contains(thresholdQuantile) else {
            throw .invalidValue(field: "thresholdQuantile", expected: "in [0, 1]", found: "\(thresholdQuantile)")
        }
        guard pixelThresholdQuantile >= HeatmapCalibration.defaultLowQuantile, pixelThresholdQuantile <= 1 else {
            throw .invalidValue(
                field: "pixelThresholdQuantile", expected: "in [\(HeatmapCalibration.defaultLowQuantile), 1]", found: "\(pixelThresholdQuantile)")
        }
        if let evaluationBatchSize, !TrainingConfiguration.Limits.batchSize.contains(evaluationBatchSize) {
            throw .invalidValue(field: "evaluationBatchSize", expected: "in 1...65536", found: "\(evaluationBatchSize)")
        }
    }
}
