import Datasets
import Foundation

/// One image scored by ``ImagePredictions``: its input, the decoded image and prediction, or
/// why it could not be scored.
public struct ImagePrediction {
    /// A decoded image and its prediction.
    public struct Scored {
        /// The image as decoded, at its own size and channels (for overlays at its resolution).
        public let image: Image
        /// The prediction, as ``AnomalyPredictor/predict(image:)`` gives it.
        public let prediction: AnomalyPrediction
    }

    /// The image file.
    public let input: ImageInput
    /// The decision threshold in effect.
    public let threshold: Float?
    /// The image and its prediction, or the error of reading or scoring it (a `DatasetError`
    /// for a file that is missing, not an image or damaged).
    public let outcome: Result<Scored, any Error>

    /// The prediction's table row (no outputs named).
    public var row: PredictionRow {
        switch outcome {
        case let .success(scored):
            PredictionRow(path: input.path, score: scored.prediction.score, isAnomalous: scored.prediction.isAnomalous, threshold: threshold)
        case let .failure(error):
            PredictionRow(path: input.path, threshold: threshold, error: "\(error)")
        }
    }
}

/// The predictions of a list of image files, one at a time as the sequence is iterated (only
/// the current image is held in memory): each file is decoded and scored with
/// ``AnomalyPredictor/predict(image:)``, so its score equals that of the same image scored
/// alone, bit for bit. A file that cannot be read or scored gives an element with the error
/// instead of ending the sequence. Made by ``AnomalyPredictor/predictions(of:limits:)``.
public struct ImagePredictions: Sequence, IteratorProtocol {
    /// The predictor.
    public let predictor: AnomalyPredictor
    /// The images, in order.
    public let inputs: [ImageInput]
    /// The caps on decoding each file.
    public let limits: DatasetLimits
    private var index = 0

    init(predictor: AnomalyPredictor, inputs: [ImageInput], limits: DatasetLimits) {
        self.predictor = predictor
        self.inputs = inputs
        self.limits = limits
    }

    /// The next image's prediction, or `nil` after the last.
    public mutating func next() -> ImagePrediction? {
        guard index < inputs.count else { return nil }
        let input = inputs[index]
        index += 1
        let outcome = Result { () throws -> ImagePrediction.Scored in
            let image = try Image(contentsOf: input.url, limits: limits)
            return ImagePrediction.Scored(image: image, prediction: try predictor.predict(image: image))
        }
        return ImagePrediction(input: input, threshold: predictor.threshold, outcome: outcome)
    }

    /// The number of images.
    public var underestimatedCount: Int { inputs.count - index }
}

extension AnomalyPredictor {
    /// The predictions of `inputs` (from `ImageInput.expand(_:imageExtensions:)`),
    /// computed one image at a time as the sequence is iterated; see ``ImagePredictions``.
    ///
    /// ```swift
    /// let inputs = try ImageInput.expand([URL(fileURLWithPath: "photos")])
    /// let rows = predictor.predictions(of: inputs).map(\.row)   // path, score, decision, threshold
    /// ```
    public func predictions(of inputs: [ImageInput], limits: DatasetLimits = .default) -> ImagePredictions {
        ImagePredictions(predictor: self, inputs: inputs, limits: limits)
    }
}
