import NN
import TensorCore

/// What a one-class model is trained for and how it explains itself: the loss of a forward
/// pass over labelled images (with optional ground-truth anomaly maps), a per-sample anomaly
/// score and a heatmap per image. FCDD (``FCDDObjective``), the hypersphere classifier
/// (``HSCObjective``) and the autoencoder (``AutoencoderObjective``) conform; an objective
/// of your own gets the same ``AnomalyTrainer``, ``AnomalyPredictor`` (evaluation, metrics,
/// figures) and model files. Register it in a ``ModelRegistry`` to load its model files.
///
/// ```swift
/// struct DeepSVDD: AnomalyObjective {
///     var name: String { "deep-svdd" }
///     var trainsOnAnomalies: Bool { false }
///     func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
///         let distances = try (net(batch.images) - centre).squared().mean(alongAxes: [1])
///         return ObjectiveLoss(loss: distances.mean(), scores: distances.detached().scalars)
///     }
///     func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] { … }
/// }
/// ```
public protocol AnomalyObjective: Sendable {
    /// The name model files and checkpoints record under `objective` (`fcdd`, `hsc`, `ae`).
    var name: String { get }
    /// Whether training takes samples labelled anomalous (1). When false, the trainer
    /// refuses a batch holding one (``TrainingError/anomaliesRefused(objective:epoch:batch:count:)``).
    var trainsOnAnomalies: Bool { get }
    /// The settings that model files store with the objective (beyond ``name``), from which
    /// its ``ModelRegistry`` constructor rebuilds it.
    var metadata: [String: String] { get }

    /// The training loss of one forward pass of `net` (in training mode) over `batch`, with
    /// each sample's anomaly score.
    func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss

    /// Scores and heatmaps of pre-processed images with `net` in evaluation mode; gradients
    /// are recorded only if the objective asks for them (for gradient heatmaps).
    func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction]

    /// What is wrong with a net for this objective, given the shape of its output on one input
    /// image of shape `inputShape` (`[1, C, H, W]`), or `nil` when it fits. A model file is
    /// checked with it when it is loaded, so that a file pairing a net and an objective that do
    /// not fit is an error there, not a stop at the first prediction. The default accepts any
    /// output.
    func netOutputProblem(outputShape: [Int], inputShape: [Int]) -> String?
}

extension AnomalyObjective {
    /// Accepts any output (an objective that reads a particular shape says so).
    public func netOutputProblem(outputShape: [Int], inputShape: [Int]) -> String? { nil }

    public var trainsOnAnomalies: Bool { true }
    public var metadata: [String: String] { [:] }
}

/// The images of one training step: the concatenated loader batches, pre-processed (and with
/// anomalies injected where the loader's transform does so).
public struct TrainingBatch: Sendable {
    /// `[N, C, H, W]`.
    public var images: Tensor
    /// One label per image: 0 nominal, 1 anomalous.
    public var labels: [Int]
    /// Ground-truth anomaly maps `[N, 1, H, W]` in [0, 1] when every sample has one.
    public var masks: Tensor?

    /// A batch; see the properties.
    public init(images: Tensor, labels: [Int], masks: Tensor? = nil) {
        self.images = images
        self.labels = labels
        self.masks = masks
    }
}

/// The result of ``AnomalyObjective/loss(net:batch:)``.
public struct ObjectiveLoss: Sendable {
    /// The scalar loss, recorded for differentiation.
    public var loss: Tensor
    /// Each sample's anomaly score (for the epoch's mean nominal and anomalous scores).
    public var scores: [Float]

    /// A loss with the samples' scores.
    public init(loss: Tensor, scores: [Float]) {
        self.loss = loss
        self.scores = scores
    }
}

/// The images one prediction runs on.
public struct PredictionBatch: Sendable {
    /// The pre-processed images the net takes, `[N, C, H, W]`.
    public var inputs: Tensor
    /// The same images before preprocessing, in [0, 1].
    public var images: Tensor
    /// The preprocessing that turned ``images`` into ``inputs`` (for explanations that need
    /// a pre-processed reference image, such as integrated gradients from black).
    public var preprocessing: ModelPreprocessing

    /// A batch; see the properties.
    public init(inputs: Tensor, images: Tensor, preprocessing: ModelPreprocessing) {
        self.inputs = inputs
        self.images = images
        self.preprocessing = preprocessing
    }

    /// `images` of the batch's shape pre-processed like ``inputs``.
    ///
    /// - Throws: The preprocessing's errors.
    public func preprocessed(_ images: Tensor) throws -> Tensor {
        try preprocessing.apply(toBatch: images)
    }
}
