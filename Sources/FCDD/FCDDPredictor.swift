import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// The result of scoring one image.
public struct FCDDPrediction: Sendable {
    /// The anomaly score: the mean of `A` over the low-resolution map.
    public let score: Float
    /// The low-resolution anomaly map `A`, `[u, v]`.
    public let map: Tensor
    /// `A` up-sampled to the input size with the receptive-field Gaussian, `[H, W]`.
    public let heatmap: Tensor
    /// `score > threshold` when the predictor has a calibrated threshold.
    public let isAnomalous: Bool?
}

/// A trained FCDD model ready to score images: the net in evaluation mode, the test-time
/// preprocessing it was trained with, its input size, the σ of its heatmaps and an
/// optional decision threshold, all saved together in one safetensors file so that a
/// model cannot be used with the wrong preprocessing.
public final class FCDDPredictor {
    /// The net, in evaluation mode.
    public let net: FCDDNet
    /// The test-time preprocessing.
    public let preprocessing: FCDDPreprocessing
    /// The input height and width the net was trained on.
    public let inputSize: Size2D
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
    /// - Throws: ``ExplainError`` for an input size the net cannot take or a bad σ.
    public init(net: FCDDNet, preprocessing: FCDDPreprocessing, inputSize: Size2D, sigma: Double, threshold: Float? = nil) throws(ExplainError) {
        _ = try net.outputSize(forInput: inputSize)
        self.net = net
        self.preprocessing = preprocessing
        self.inputSize = inputSize
        self.sigma = sigma
        self.threshold = threshold
        upsampler = try net.upsampler(inputSize: inputSize, sigma: sigma)
        net.eval()
    }

    /// Loads a predictor saved by ``save(to:)``.
    ///
    /// - Throws: ``CheckpointError`` when the file is unreadable, is not an FCDD model file,
    ///   or its weights do not fit the net it names.
    public convenience init(contentsOf url: URL) throws(CheckpointError) {
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: url)
        } catch {
            throw .file(error)
        }
        let metadata = file.metadata
        func invalid(_ reason: String) -> CheckpointError { .invalidCheckpoint(file: url.path, reason: reason) }
        guard metadata["format"] == "fcdd-swift.model" else {
            throw invalid("expected metadata format \"fcdd-swift.model\", found \(metadata["format"] ?? "none")")
        }
        guard let kind = metadata["net"].flatMap(FCDDNetKind.init(rawValue:)),
              let channels = metadata["input_channels"].flatMap(Int.init), channels >= 1,
              let height = metadata["input_height"].flatMap(Int.init), let width = metadata["input_width"].flatMap(Int.init),
              let sigma = metadata["sigma"].flatMap(Double.init), sigma > 0,
              let preprocessingData = metadata["preprocessing"]?.data(using: .utf8),
              let preprocessing = try? JSONDecoder().decode(FCDDPreprocessing.self, from: preprocessingData) else {
            throw invalid("expected net, input_channels, input_height, input_width, sigma and preprocessing metadata, found \(metadata.keys.sorted())")
        }
        var generator = SeededGenerator(seed: 0)
        let net: FCDDNet
        do {
            net = try FCDDNet(kind, inputChannels: channels, using: &generator)
        } catch {
            throw invalid("cannot build \(kind) with \(channels) channels: \(error)")
        }
        do {
            try net.load(file.tensors, strict: true)
        } catch {
            throw .stateDict(file: url.path, error)
        }
        do {
            try self.init(net: net, preprocessing: preprocessing, inputSize: Size2D(height, width), sigma: sigma,
                          threshold: metadata["threshold"].flatMap(Float.init))
        } catch {
            throw invalid("\(error)")
        }
        self.metadata = metadata
    }

    /// Saves the net with everything needed to predict, atomically.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` when the file cannot be written.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws(CheckpointError) {
        // A Codable enum always encodes.
        let preprocessingJSON = String(decoding: try! JSONEncoder().encode(preprocessing), as: UTF8.self)
        var metadata = extra
        metadata["format"] = "fcdd-swift.model"
        metadata["net"] = net.kind.rawValue
        metadata["input_channels"] = String(net.inputChannels)
        metadata["input_height"] = String(inputSize.height)
        metadata["input_width"] = String(inputSize.width)
        metadata["sigma"] = String(sigma)
        metadata["preprocessing"] = preprocessingJSON
        if let threshold { metadata["threshold"] = "\(threshold)" }
        try net.save(to: url, metadata: metadata)
    }

    /// Scores a batch of decoded images `[N, C, H, W]` in [0, 1] of the model's input size;
    /// the preprocessing is applied here.
    ///
    /// - Throws: `DatasetError` for images the preprocessing cannot take, `TensorError`
    ///   for a shape the net cannot take, `ExplainError` from the up-sampling.
    public func predict(_ images: Tensor) throws -> [FCDDPrediction] {
        guard images.rank == 4, images.shape[1] == net.inputChannels, images.shape[2] == inputSize.height, images.shape[3] == inputSize.width else {
            throw TensorError.shapeMismatch(op: "FCDDPredictor.predict", expected: "images [N, \(net.inputChannels), \(inputSize.height), \(inputSize.width)]", found: [images.shape])
        }
        let transform = try preprocessing.transform()
        var prepared: [Tensor] = []
        for index in 0..<images.shape[0] {
            let sample = DatasetSample(image: try images.slice(alongAxis: 0, index..<(index + 1)).squeezed(axis: 0), label: 0, name: "image \(index)")
            prepared.append(try transform.apply(sample, seed: 0).image)
        }
        return try withoutGradients { () throws -> [FCDDPrediction] in
            let phi = try net(Tensor.stack(prepared))
            let maps = FCDDLoss.anomalyMap(phi)
            let scores = try FCDDLoss.scores(phi).scalars
            let heatmaps = try upsampler.upsample(maps)
            return try scores.indices.map { index in
                FCDDPrediction(
                    score: scores[index],
                    map: try maps.slice(alongAxis: 0, index..<(index + 1)).reshaped(to: Array(maps.shape.suffix(2))),
                    heatmap: try heatmaps.slice(alongAxis: 0, index..<(index + 1)).reshaped(to: [inputSize.height, inputSize.width]),
                    isAnomalous: threshold.map { scores[index] > $0 })
            }
        }
    }

    /// Scores one decoded image of any size and channel count: it is converted to the net's
    /// channels and resized (bilinear) to the input size first.
    ///
    /// - Throws: as ``predict(_:)``.
    public func predict(image: Image) throws -> FCDDPrediction {
        let converted = image.converted(toChannels: net.inputChannels)
        let sample = DatasetSample(image: converted.tensor(), label: 0, name: "image")
        let resized = try Resize(height: inputSize.height, width: inputSize.width).apply(sample, seed: 0)
        return try predict(resized.image.unsqueezed(axis: 0))[0]
    }
}
