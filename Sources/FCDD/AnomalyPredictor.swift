import Datasets
import Foundation
import NN
import TensorCore

/// A trained anomaly detector ready to score images, whatever its ``AnomalyObjective``: the
/// net in evaluation mode with the test-time preprocessing it was trained with, its input
/// size and an optional decision threshold, saved together in one model file. What
/// ``evaluate(_:batchSize:progress:)`` and ``predict(image:)`` need; ``FCDDPredictor`` and
/// ``BaselinePredictor`` conform, and ``AnomalyPredictors/load(contentsOf:)`` loads a file of
/// any objective.
public protocol AnomalyPredictor: AnyObject {
    /// The objective the model was trained with.
    var objective: AnomalyObjective { get }
    /// The input height and width the net was trained on.
    var inputSize: Size2D { get }
    /// Channels of the input images (1 for grey, 3 for colour).
    var inputChannels: Int { get }
    /// The test-time preprocessing.
    var preprocessing: FCDDPreprocessing { get }
    /// Scores above this are anomalous (e.g. a quantile of nominal validation scores from
    /// `ThresholdCalibration`); `nil` gives scores only.
    var threshold: Float? { get set }
    /// The file's other metadata (such as `dataset` and `normal_class` from `fcdd train`);
    /// empty for a predictor made in memory.
    var metadata: [String: String] { get }

    /// Scores a batch of decoded images `[N, C, H, W]` in [0, 1] of the model's input size
    /// and channels; the preprocessing is applied here. Every prediction's heatmap has the
    /// input size.
    ///
    /// - Throws: `DatasetError` for images the preprocessing cannot take, `TensorError`
    ///   for a shape the net cannot take, `ExplainError` from the heatmaps.
    func predict(_ images: Tensor) throws -> [FCDDPrediction]

    /// Saves the net with everything needed to predict (metadata `objective` included)
    /// over the `metadata` given, atomically.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` when the file cannot be written.
    func save(to url: URL, metadata: [String: String]) throws(CheckpointError)
}

extension AnomalyPredictor {
    /// Scores one decoded image of any size and channel count: it is converted to the net's
    /// channels and resized (bilinear) to the input size first.
    ///
    /// - Throws: as ``predict(_:)``.
    public func predict(image: Image) throws -> FCDDPrediction {
        let converted = image.converted(toChannels: inputChannels)
        let sample = DatasetSample(image: converted.tensor(), label: 0, name: "image")
        let resized = try Resize(height: inputSize.height, width: inputSize.width).apply(sample, seed: 0)
        return try predict(resized.image.unsqueezed(axis: 0))[0]
    }

    /// `images` `[N, C, H, W]` checked against the input shape and pre-processed, for
    /// ``predict(_:)``.
    ///
    /// - Throws: `TensorError` for another shape, `DatasetError` from the preprocessing.
    func preprocessedBatch(_ images: Tensor, operation: String) throws -> Tensor {
        guard images.rank == 4, images.shape[0] >= 1, images.shape[1] == inputChannels,
              images.shape[2] == inputSize.height, images.shape[3] == inputSize.width else {
            throw TensorError.shapeMismatch(
                op: operation, expected: "images [N, \(inputChannels), \(inputSize.height), \(inputSize.width)]", found: [images.shape])
        }
        let transform = try preprocessing.transform()
        var prepared: [Tensor] = []
        for index in 0..<images.shape[0] {
            let sample = DatasetSample(image: try images.slice(alongAxis: 0, index..<(index + 1)).squeezed(axis: 0), label: 0, name: "image \(index)")
            prepared.append(try transform.apply(sample, seed: 0).image)
        }
        return try Tensor.stack(prepared)
    }

    /// The `index`-th `[H, W]` slice of `maps` `[N, H, W]` (or `[N, 1, H, W]`).
    func plane(_ index: Int, of maps: Tensor) throws(TensorError) -> Tensor {
        try maps.slice(alongAxis: 0, index..<(index + 1)).reshaped(to: Array(maps.shape.suffix(2)))
    }
}
