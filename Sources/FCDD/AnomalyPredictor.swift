import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// A trained anomaly detector ready to score images, whatever its net and objective: the
/// net in evaluation mode, the ``AnomalyObjective`` that scores and explains, the test-time
/// preprocessing it was trained with, its input size, an optional decision threshold and an
/// optional heatmap calibration (display scale and pixel threshold), saved together in one
/// model file so that a model cannot be used with the wrong preprocessing.
/// ``evaluate(_:batchSize:communicator:progress:)`` measures it on a labelled test set;
/// ``predict(_:)`` and ``predict(image:)`` score images, ``predictions(of:limits:)`` image files and
/// folders; ``calibrate(onNominal:scoreQuantile:lowQuantile:pixelQuantile:maximumHeatmapImages:batchSize:communicator:)``
/// sets the threshold and the heatmap calibration from nominal images.
public final class AnomalyPredictor {
    /// The net, in evaluation mode.
    public let net: any Module
    /// How the net's output becomes scores and heatmaps.
    public let objective: any AnomalyObjective
    /// The test-time preprocessing.
    public let preprocessing: ModelPreprocessing
    /// The input height and width the net was trained on.
    public let inputSize: Size2D
    /// Channels of the input images (1 for grey, 3 for colour).
    public let inputChannels: Int
    /// Scores above this are anomalous (e.g. a quantile of nominal validation scores from
    /// `ThresholdCalibration`); `nil` gives scores only.
    ///
    /// - Precondition: finite: a NaN threshold would mark every image nominal, so setting one
    ///   stops the program (a threshold from outside must be checked first).
    public var threshold: Float? {
        didSet { Self.checkThreshold(threshold) }
    }
    /// The heatmap scale and pixel threshold measured on nominal training heatmaps
    /// (``calibrate(onNominal:scoreQuantile:lowQuantile:pixelQuantile:maximumHeatmapImages:batchSize:communicator:)``,
    /// which recipe runs and `fcdd train` call); `nil` for a model file written before
    /// calibrations were stored, whose heatmaps ``displayLevels(_:)`` then scales per image.
    public var heatmapCalibration: HeatmapCalibration?
    /// The fixed display scale of the heatmaps, if calibrated.
    public var heatmapScale: HeatmapScale? { heatmapCalibration?.scale }
    /// Heatmap pixels above this are anomalous, if calibrated.
    public var pixelThreshold: Float? { heatmapCalibration?.pixelThreshold }
    /// The file's other metadata (such as `dataset` and `normal_class` from `fcdd train`);
    /// empty for a predictor made in memory.
    public private(set) var metadata: [String: String] = [:]

    /// A predictor for a trained net; puts the net in evaluation mode.
    public init(
        net: any Module, objective: any AnomalyObjective, preprocessing: ModelPreprocessing, inputSize: Size2D, inputChannels: Int,
        threshold: Float? = nil, heatmapCalibration: HeatmapCalibration? = nil
    ) {
        self.net = net
        self.objective = objective
        self.preprocessing = preprocessing
        self.inputSize = inputSize
        self.inputChannels = inputChannels
        self.threshold = threshold
        self.heatmapCalibration = heatmapCalibration
        Self.checkThreshold(threshold)
        net.eval()
    }

    /// The input shapes a model may declare, checked when a model file is read: wide enough
    /// for any real net, narrow enough that an image buffer's size cannot overflow.
    public enum Limits {
        /// Channels of the input images: 1…4,096.
        public static let inputChannels = 1...4096
        /// Input height and width: 1…16,384 pixels each.
        public static let inputSide = 1...16_384
    }

    /// Stops on a threshold that is not finite (see ``threshold``).
    private static func checkThreshold(_ threshold: Float?) {
        if let threshold, !threshold.isFinite {
            TensorError.invalidArgument(op: "AnomalyPredictor.threshold", message: "expected a finite threshold, found \(threshold)").trap()
        }
    }

    /// Loads a predictor saved by ``save(to:metadata:)``: the net is rebuilt by its
    /// architecture name and the objective by its name through `registry`, then the weights
    /// load strictly. Files without an `objective` key (written before the baselines existed)
    /// hold FCDD models; files without a `heatmap_calibration` key (written before it existed)
    /// load with ``heatmapCalibration`` `nil`.
    ///
    /// - Throws: `CheckpointError` when the file is unreadable or not a model file, names a
    ///   net or objective that `registry` does not know
    ///   (`CheckpointError.invalidCheckpoint(file:reason:)` naming it), or its weights do not
    ///   fit the net.
    public convenience init(contentsOf url: URL, registry: ModelRegistry = .standard) throws(CheckpointError) {
        let file = try AnomalyModelFile(contentsOf: url)
        let objective: any AnomalyObjective, net: any Module
        do {
            objective = try registry.makeObjective(file.objective, metadata: file.metadata)
        } catch {
            throw file.invalid("\(error)")
        }
        do {
            net = try registry.nets.makeNet(file.architecture)
        } catch {
            throw file.invalid("\(error)")
        }
        try file.load(into: net)
        try Self.checkFit(net: net, objective: objective, file: file)
        self.init(
            net: net, objective: objective, preprocessing: file.preprocessing, inputSize: file.inputSize,
            inputChannels: file.inputChannels, threshold: file.threshold, heatmapCalibration: file.heatmapCalibration)
        metadata = file.metadata
    }

    /// Checks that the file's net takes its input size and gives what its objective reads:
    /// the spatial geometry of a fully convolutional net, the designed size of a baseline net,
    /// then the output of one forward pass on a blank image (nets of other kinds must take
    /// the input size; their own code checks that).
    private static func checkFit(net: any Module, objective: any AnomalyObjective, file: AnomalyModelFile) throws(CheckpointError) {
        let size = file.inputSize
        if let baseline = net as? any BaselineNet {
            let designed = baseline.kind.designedInputSize
            guard size == Size2D(designed, designed) else {
                throw file.invalid("\(baseline.kind.rawValue) takes \(designed)×\(designed) images, found an input size of \(size.height)×\(size.width)")
            }
        } else if net is any SpatialModule {
            do {
                _ = try net.spatialGeometry(forInput: size)
            } catch {
                throw file.invalid("the net cannot take \(size.height)×\(size.width) inputs: \(error)")
            }
        }
        let inputShape = [1, file.inputChannels, size.height, size.width]
        net.eval()
        let outputShape = withoutGradients { net(Tensor.zeros(shape: inputShape)).shape }
        if let problem = objective.netOutputProblem(outputShape: outputShape, inputShape: inputShape) {
            throw file.invalid(problem)
        }
    }

    /// Saves the net with everything needed to predict, atomically: the model file's common
    /// metadata (`AnomalyModelFile`), the objective's settings, and `extra` beneath them.
    ///
    /// - Throws: `CheckpointError.invalidCheckpoint(file:reason:)` for a net that does not
    ///   describe its architecture (`ArchitectureDescribing`) or objective settings whose
    ///   keys collide with the file's own keys or `extra`, `CheckpointError.file(_:)` when
    ///   the file cannot be written.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws(CheckpointError) {
        guard let described = net as? any ArchitectureDescribing else {
            throw .invalidCheckpoint(
                file: url.path,
                reason:
                    "the net \(type(of: net)) cannot be rebuilt from a file: expected it to conform to ArchitectureDescribing (and its constructor to be registered in a ModelRegistry)"
            )
        }
        let collisions = Set(objective.metadata.keys).intersection(AnomalyModelFile.reservedKeys.union(extra.keys))
        guard collisions.isEmpty else {
            throw .invalidCheckpoint(
                file: url.path,
                reason:
                    "the \(objective.name) objective's settings \(collisions.sorted()) collide with the model file's own keys \(AnomalyModelFile.reservedKeys.sorted()) or the extra metadata; rename them"
            )
        }
        let metadata = AnomalyModelFile.metadata(
            objective: objective, architecture: described.architecture, inputChannels: inputChannels, inputSize: inputSize,
            preprocessing: preprocessing, threshold: threshold, heatmapCalibration: heatmapCalibration, extra: extra)
        try net.save(to: url, metadata: metadata)
    }

    /// Scores a batch of decoded images `[N, C, H, W]` in [0, 1] of the model's input size
    /// and channels; the preprocessing is applied here. Every prediction's heatmap has the
    /// input size. Runs entirely under the `ComputeSettings` in effect when it is called.
    ///
    /// - Throws: `TensorError` for images of another shape, `DatasetError` for images the
    ///   preprocessing cannot take, and the objective's errors.
    public func predict(_ images: Tensor) throws -> [AnomalyPrediction] {
        guard images.rank == 4, images.shape[0] >= 1, images.shape[1] == inputChannels,
            images.shape[2] == inputSize.height, images.shape[3] == inputSize.width
        else {
            throw TensorError.shapeMismatch(
                op: "AnomalyPredictor.predict", expected: "images [N, \(inputChannels), \(inputSize.height), \(inputSize.width)]",
                found: [images.shape])
        }
        // The settings in effect now hold for the whole prediction, even if another task
        // replaces the process default meanwhile.
        return try ComputeSettings.withSettings(.current) { () throws -> [AnomalyPrediction] in
            let batch = PredictionBatch(inputs: try preprocessing.apply(toBatch: images), images: images, preprocessing: preprocessing)
            net.eval()
            return try objective.predict(net: net, batch: batch).map { prediction in
                var decided = prediction
                decided.isAnomalous = threshold.map { prediction.score > $0 }
                return decided
            }
        }
    }

    /// Scores one decoded image of any size and channel count: it is converted to the net's
    /// channels and resized (bilinear) to the input size first.
    ///
    /// - Throws: as ``predict(_:)``, and `TensorError.invalidArgument` when the model takes
    ///   a channel count that no `Image` has (images hold 1 to 4 channels; a model file may
    ///   name up to ``Limits/inputChannels``) and the image cannot be converted to it.
    public func predict(image: Image) throws -> AnomalyPrediction {
        guard image.channels == inputChannels || (1...4).contains(inputChannels) else {
            throw TensorError.invalidArgument(
                op: "AnomalyPredictor.predict(image:)",
                message: "expected a model of 1 to 4 input channels to convert a \(image.channels)-channel image to, found \(inputChannels) channels")
        }
        let converted = image.converted(toChannels: inputChannels)
        let sample = DatasetSample(image: converted.tensor(), label: 0, name: "image")
        let resized = try Resize(height: inputSize.height, width: inputSize.width).apply(sample, seed: 0)
        return try predict(resized.image.unsqueezed(axis: 0))[0]
    }
}
