import Explain
import NN
import TensorCore

/// The hypersphere classifier, the paper's gradient-explained baseline (the official code's
/// `hsc` objective): the net maps an image to a feature vector whose pseudo-Huber norm is the
/// anomaly score (``HSCLoss``), trained on nominal samples and anomalies like FCDD. Heatmaps
/// are the absolute input gradients of the score summed over the channels (or integrated
/// gradients from the pre-processed black image), optionally blurred.
public struct HSCObjective: AnomalyObjective, Equatable {
    /// How a score is attributed to pixels.
    public var gradientMethod: GradientMethod
    /// The blur of the heatmaps (the reference's `--blur-heatmaps`); `nil` leaves them unblurred.
    public var blur: GaussianBlur?

    /// The HSC objective with the given explanation.
    public init(gradientMethod: GradientMethod = .gradient, blur: GaussianBlur? = nil) {
        self.gradientMethod = gradientMethod
        self.blur = blur
    }

    /// `hsc`.
    public var name: String { "hsc" }

    /// HSC reads feature vectors `[N, D]`.
    public func netOutputProblem(outputShape: [Int], inputShape: [Int]) -> String? {
        outputShape.count == 2 && outputShape[0] == 1 && outputShape[1] >= 1
            ? nil : "the hsc objective reads features [N, D] from the net, found output \(outputShape) for input \(inputShape)"
    }

    /// `gradient_method` and the blur's keys.
    public var metadata: [String: String] {
        var metadata = BaselineHeatmaps.metadata(blur: blur)
        metadata["gradient_method"] = gradientMethod.description
        return metadata
    }

    /// The objective a model file describes (`gradient_method` defaults to `grad`).
    ///
    /// - Throws: ``ObjectiveRegistryError/invalidSetting(objective:key:expected:found:)``.
    public init(metadata: [String: String]) throws(ObjectiveRegistryError) {
        var method = GradientMethod.gradient
        if let text = metadata["gradient_method"] {
            guard let parsed = GradientMethod(text) else {
                throw .invalidSetting(objective: "hsc", key: "gradient_method", expected: "grad, or ig followed by a step count", found: text)
            }
            method = parsed
        }
        self.init(gradientMethod: method, blur: try BaselineHeatmaps.blur(from: metadata, objective: "hsc"))
    }

    /// ``HSCLoss/loss(features:labels:)``; scores are the pseudo-Huber norms.
    public func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
        let features = net(batch.images)
        let loss = HSCLoss.loss(features: features, labels: batch.labels)
        let scores = withoutGradients { HSCLoss.scores(features.detached()).scalars }
        return ObjectiveLoss(loss: loss, scores: scores)
    }

    /// Each prediction's `map` is the unblurred gradient heatmap, its `heatmap` the blurred one.
    /// Records gradients for the forward pass (the net's parameters do not change).
    public func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] {
        let inputs = batch.inputs
        let scores: [Float], maps: Tensor
        if gradientMethod == .gradient {
            var forward: [Float] = []
            maps = try GradientExplanation.heatmaps(inputs: inputs) { images in
                let scores = HSCLoss.scores(net(images))
                forward = scores.detached().scalars
                return scores
            }
            scores = forward
        } else {
            scores = withoutGradients { HSCLoss.scores(net(inputs)).scalars }
            let black = try batch.preprocessed(Tensor.zeros(shape: batch.images.shape))
            maps = try GradientExplanation.heatmaps(inputs: inputs, method: gradientMethod, baseline: black) { images in
                HSCLoss.scores(net(images))
            }
        }
        return try BaselineHeatmaps.predictions(scores: scores, maps: maps, blur: blur)
    }
}
