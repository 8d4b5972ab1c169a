import Datasets
import Explain
import NN
import TensorCore

extension AnomalyPredictor {
    /// Calibrates the predictor on nominal images, as a recipe run does after training:
    /// scores every image of `nominal` as ``evaluate(_:batchSize:communicator:progress:)`` does, sets
    /// ``threshold`` to the `scoreQuantile` of the scores (`ThresholdCalibration.quantile`) and
    /// ``heatmapCalibration`` to the `lowQuantile` and `pixelQuantile` of the pixels of at
    /// most `maximumHeatmapImages` of their heatmaps, evenly spaced over the set
    /// (`HeatmapCalibration.init(nominalHeatmaps:lowQuantile:pixelQuantile:maximumImages:)`).
    /// Both are saved with the model.
    ///
    /// - Parameters:
    ///   - nominal: Nominal images, such as the training set without injected anomalies.
    ///   - scoreQuantile: The level of the decision threshold, in [0, 1].
    ///   - lowQuantile: The level of the heatmap value shown as 0, in (0, 1].
    ///   - pixelQuantile: The level of the pixel threshold, in (0, 1], at least `lowQuantile`.
    ///   - maximumHeatmapImages: At most this many heatmaps are measured (≥ 1).
    ///   - batchSize: Images per forward pass.
    ///   - communicator: The processes that share the scoring (see ``evaluate(_:batchSize:communicator:progress:)``);
    ///     every process ends with the same calibration.
    /// - Returns: The evaluation of the nominal images.
    /// - Throws: `ExplainError.invalidArgument(operation:message:)` for a level or bound out
    ///   of range (before any image is scored) or scores whose quantile is not finite, and the errors of
    ///   ``evaluate(_:batchSize:communicator:progress:)``; the predictor is unchanged then.
    @discardableResult
    public func calibrate(
        onNominal nominal: any ImageDataset, scoreQuantile: Double = 0.95, lowQuantile: Double = HeatmapCalibration.defaultLowQuantile,
        pixelQuantile: Double = HeatmapCalibration.defaultPixelQuantile, maximumHeatmapImages: Int = HeatmapCalibration.defaultMaximumImages,
        batchSize: Int = 64, communicator: any Communicator = SingleProcessCommunicator()
    ) throws -> AnomalyEvaluation {
        let operation = "AnomalyPredictor.calibrate"
        guard (0...1).contains(scoreQuantile) else {
            throw ExplainError.invalidArgument(operation: operation, message: "expected a score quantile in [0, 1], found \(scoreQuantile)")
        }
        guard lowQuantile > 0, pixelQuantile <= 1, lowQuantile <= pixelQuantile, maximumHeatmapImages >= 1 else {
            throw ExplainError.invalidArgument(
                operation: operation,
                message:
                    "expected heatmap quantiles in (0, 1] with the low one ≤ the pixel one and at least 1 heatmap image, found \(lowQuantile), \(pixelQuantile) and \(maximumHeatmapImages)"
            )
        }
        let evaluation = try evaluate(nominal, batchSize: batchSize, communicator: communicator)
        let scoreThreshold = try ThresholdCalibration.quantile(nominalScores: evaluation.scores, quantile: scoreQuantile)
        guard scoreThreshold.isFinite else {
            throw ExplainError.invalidArgument(
                operation: operation, message: "expected finite nominal scores, found a \(scoreQuantile) quantile of \(scoreThreshold)")
        }
        let calibration = try HeatmapCalibration(
            nominalHeatmaps: evaluation.heatmaps, lowQuantile: lowQuantile, pixelQuantile: pixelQuantile, maximumImages: maximumHeatmapImages)
        threshold = scoreThreshold
        heatmapCalibration = calibration
        return evaluation
    }
}
