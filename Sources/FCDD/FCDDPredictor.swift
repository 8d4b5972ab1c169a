import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// A trained FCDD model ready to score images: the net in evaluation mode, the test-time
/// preprocessing it was trained with, its input size, the σ of its heatmaps and an
/// optional decision threshold, all saved together in one safetensors file so that a
/// model cannot be used with the wrong preprocessing. The ``AnomalyPredictor`` of the FCDD
/// objective.
public final class FCDDPredictor: AnomalyPredictor {
    /// The net, in evaluation mode: a ``SpatialModule`` mapping images to one-channel maps.
    public let net: any Module
    /// The net's name in model files (the official name of a reference net).
    public let netName: String
    /// The test-time preprocessing.
    public let preprocessing: FCDDPreprocessing
    /// The input height and width the net was trained on.
    public let inputSize: Size2D
    /// Always ``AnomalyObjective/fcdd``.
    public var objective: AnomalyObjective { .fcdd }
    /// Channels of the input images.
    public let inputChannels: Int
    /// σ of the receptive-field Gaussian for heatmaps.
    public let sigma: Double
    /// Scores above this are anomalous (e.g. a quantile of nominal validation scores from
    /// ``ThresholdCalibration``); `nil` gives scores only.
    public var threshold: Float?
    /// The file's other metadata (such as `dataset` and `normal_class` from `fcdd train`);
    /// empty for a predictor made in memory.
    public private(set) var metadata: [String: String] = [:]
    private let upsampler: ReceptiveFieldUpsampler

    /// A predictor for a trained net.
    ///
    /// - Throws: ``ExplainError`` for an input size the net cannot take, a net whose
    ///   receptive field cannot be computed, or a bad σ.
    public init(
        net: any Module, inputChannels: Int, preprocessing: FCDDPreprocessing, inputSize: Size2D, sigma: Double, threshold: Float? = nil
    ) throws(ExplainError) {
        upsampler = try ReceptiveFieldUpsampler(net: net, inputSize: inputSize, sigma: sigma)
        self.net = net
        netName = net.architectureName
        self.inputChannels = inputChannels
        self.preprocessing = preprocessing
        self.inputSize = inputSize
        self.sigma = sigma
        self.threshold = threshold
        net.eval()
    }

    /// Loads a predictor saved by ``save(to:metadata:)``. Files without an `objective` key
    /// (written before the baselines existed) are FCDD models.
    ///
    /// - Throws: ``CheckpointError`` when the file is unreadable or is not an FCDD model
    ///   file (``CheckpointError/kindMismatch(file:found:reader:expected:)`` for a model of
    ///   another objective), or its weights do not fit the net it names.
    public convenience init(contentsOf url: URL) throws(CheckpointError) {
        try self.init(file: AnomalyModelFile(contentsOf: url))
    }

    /// The predictor of a model file read by ``AnomalyModelFile``.
    convenience init(file: AnomalyModelFile) throws(CheckpointError) {
        try file.require([.fcdd], reader: "FCDDPredictor")
        guard let kind = FCDDNetKind(rawValue: file.net), let sigma = file.metadata["sigma"].flatMap(Double.init), sigma > 0 else {
            throw file.invalid("expected an FCDD net name and a positive sigma, found net \(file.net) and sigma \(file.metadata["sigma"] ?? "none")")
        }
        var generator = SeededGenerator(seed: 0)
        let net: any Module
        do {
            net = try kind.makeNet(inputChannels: file.inputChannels, using: &generator)
        } catch {
            throw file.invalid("cannot build \(kind) with \(file.inputChannels) channels: \(error)")
        }
        try file.load(into: net)
        do {
            try self.init(net: net, inputChannels: file.inputChannels, preprocessing: file.preprocessing, inputSize: file.inputSize, sigma: sigma, threshold: file.threshold)
        } catch {
            throw file.invalid("\(error)")
        }
        metadata = file.metadata
    }

    /// Saves the net with everything needed to predict, atomically: the common metadata of
    /// model files (``AnomalyPredictor/save(to:metadata:)``) with objective `fcdd`, and `sigma`.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` when the file cannot be written.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws(CheckpointError) {
        var metadata = AnomalyModelFile.metadata(
            objective: .fcdd, net: netName, inputChannels: inputChannels, inputSize: inputSize,
            preprocessing: preprocessing, threshold: threshold, extra: extra)
        metadata["sigma"] = String(sigma)
        try net.save(to: url, metadata: metadata)
    }

    /// Scores a batch of decoded images `[N, C, H, W]` in [0, 1] of the model's input size;
    /// the preprocessing is applied here. Each prediction's `map` is the low-resolution
    /// anomaly map `A`, its `heatmap` `A` up-sampled with the receptive-field Gaussian.
    ///
    /// - Throws: `DatasetError` for images the preprocessing cannot take, `TensorError`
    ///   for a shape the net cannot take, `ExplainError` from the up-sampling.
    public func predict(_ images: Tensor) throws -> [FCDDPrediction] {
        let inputs = try preprocessedBatch(images, operation: "FCDDPredictor.predict")
        return try withoutGradients { () throws -> [FCDDPrediction] in
            let phi = try net(inputs)
            let maps = FCDDLoss.anomalyMap(phi)
            let scores = try FCDDLoss.scores(phi).scalars
            let heatmaps = try upsampler.upsample(maps)
            return try scores.indices.map { index in
                FCDDPrediction(
                    score: scores[index], map: try plane(index, of: maps), heatmap: try plane(index, of: heatmaps),
                    isAnomalous: threshold.map { scores[index] > $0 })
            }
        }
    }
}
