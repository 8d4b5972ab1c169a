import Explain
import NN
import TensorCore

/// The autoencoder, the paper's reconstruction-explained baseline (the official code's `ae`
/// objective): trained unsupervised on nominal samples with the mean squared reconstruction
/// error (``AutoencoderLoss``), which is also the anomaly score; heatmaps are the squared
/// error per pixel averaged over the channels, optionally blurred.
public struct AutoencoderObjective: AnomalyObjective, Equatable {
    /// The blur of the heatmaps; `nil` leaves them unblurred.
    public var blur: GaussianBlur?

    /// The autoencoder objective.
    public init(blur: GaussianBlur? = nil) {
        self.blur = blur
    }

    /// `ae`.
    public var name: String { "ae" }

    /// The autoencoder reads a reconstruction of the input's shape.
    public func netOutputProblem(outputShape: [Int], inputShape: [Int]) -> String? {
        outputShape == inputShape
            ? nil : "the ae objective reads a reconstruction of the input's shape \(inputShape) from the net, found output \(outputShape)"
    }

    /// The reference trains the autoencoder on nominal samples only.
    public var trainsOnAnomalies: Bool { false }

    /// The blur's keys.
    public var metadata: [String: String] { BaselineHeatmaps.metadata(blur: blur) }

    /// The objective a model file describes.
    ///
    /// - Throws: ``ObjectiveRegistryError/invalidSetting(objective:key:expected:found:)``.
    public init(metadata: [String: String]) throws(ObjectiveRegistryError) {
        self.init(blur: try BaselineHeatmaps.blur(from: metadata, objective: "ae"))
    }

    /// The MSE between reconstruction and input (the input is not differentiated).
    public func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
        let inputs = batch.images.detached()
        let reconstruction = net(inputs)
        let loss = AutoencoderLoss.loss(reconstruction: reconstruction, inputs: inputs)
        let scores = withoutGradients {
            AutoencoderLoss.scores(reconstruction: reconstruction.detached(), inputs: inputs).scalars
        }
        return ObjectiveLoss(loss: loss, scores: scores)
    }

    /// Each prediction's `map` is the squared error per pixel, its `heatmap` that map blurred.
    public func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] {
        let inputs = batch.inputs
        let (scores, maps) = withoutGradients { () -> ([Float], Tensor) in
            let reconstruction = net(inputs)
            return (
                AutoencoderLoss.scores(reconstruction: reconstruction, inputs: inputs).scalars,
                AutoencoderLoss.errorMaps(reconstruction: reconstruction, inputs: inputs).squeezed(axis: 1)
            )
        }
        return try BaselineHeatmaps.predictions(scores: scores, maps: maps, blur: blur)
    }
}

/// What the two baselines share: blurred heatmaps and the blur's keys in model files.
enum BaselineHeatmaps {
    /// `blur_kernel_size`, `blur_sigma` and `blur_border`, or nothing without a blur.
    static func metadata(blur: GaussianBlur?) -> [String: String] {
        guard let blur else { return [:] }
        return ["blur_kernel_size": String(blur.kernelSize), "blur_sigma": String(blur.sigma), "blur_border": blur.border.rawValue]
    }

    /// The blur the three keys describe, `nil` when none is there.
    static func blur(from metadata: [String: String], objective: String) throws(ObjectiveRegistryError) -> GaussianBlur? {
        switch (metadata["blur_kernel_size"], metadata["blur_sigma"], metadata["blur_border"]) {
        case (nil, nil, nil):
            return nil
        case let (size?, sigma?, border?):
            guard let size = Int(size), let sigma = Double(sigma), let border = GaussianBlur.Border(rawValue: border),
                let made = try? GaussianBlur(kernelSize: size, sigma: sigma, border: border)
            else {
                throw .invalidSetting(
                    objective: objective, key: "blur_kernel_size", expected: "an odd blur_kernel_size, a positive blur_sigma and a blur_border",
                    found: "\(size), \(sigma), \(border)")
            }
            return made
        default:
            throw .invalidSetting(
                objective: objective, key: "blur_kernel_size", expected: "blur_kernel_size, blur_sigma and blur_border together or none of them",
                found: metadata.keys.filter { $0.hasPrefix("blur_") }.sorted().joined(separator: ", "))
        }
    }

    /// Predictions whose `map` is `maps` `[N, H, W]` and whose heatmap is it blurred.
    static func predictions(scores: [Float], maps: Tensor, blur: GaussianBlur?) throws -> [AnomalyPrediction] {
        let heatmaps = try blur.map { blur throws(ExplainError) in try blur.apply(maps) } ?? maps
        return AnomalyPrediction.batch(scores: scores, maps: maps, heatmaps: heatmaps)
    }
}
