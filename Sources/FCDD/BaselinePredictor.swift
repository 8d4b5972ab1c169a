import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// A trained baseline (``AnomalyObjective/hsc`` or ``AnomalyObjective/ae``) ready to score
/// images: the ``BaselineNet`` in evaluation mode, the test-time preprocessing it was trained
/// with, the blur of its heatmaps and an optional decision threshold, all saved together in
/// one model file. Scores and heatmaps follow the reference (`fcdd-reference.md` §2.5),
/// computed on the pre-processed images the net sees:
///
/// - HSC: score `h`, the pseudo-Huber norm of the features (``HSCLoss/scores(_:)``);
///   heatmap `|∂h/∂input|` summed over the channels (`GradientExplanation`), or with
///   ``gradientMethod`` integrated gradients from the pre-processed black image.
/// - AE: score the mean squared reconstruction error; heatmap the squared error per pixel
///   averaged over the channels (``AutoencoderLoss/errorMaps(reconstruction:inputs:)``).
///
/// Each heatmap is then blurred with ``blur`` (the reference's `--blur-heatmaps`; see
/// ``Explain/GaussianBlur/reference(pairedWith:sigma:)``); a prediction's `map` is the
/// heatmap before the blur.
public final class BaselinePredictor: AnomalyPredictor {
    /// The net, in evaluation mode.
    public let net: any BaselineNet
    /// The test-time preprocessing.
    public let preprocessing: FCDDPreprocessing
    /// The blur of the heatmaps; `nil` leaves them unblurred.
    public let blur: GaussianBlur?
    /// How an HSC net's heatmaps attribute its score to pixels: the reference's plain
    /// gradient (the default) or integrated gradients. Autoencoders ignore it.
    public let gradientMethod: GradientMethod
    /// Scores above this are anomalous; `nil` gives scores only.
    public var threshold: Float?
    /// The file's other metadata; empty for a predictor made in memory.
    public private(set) var metadata: [String: String] = [:]

    /// The objective of the net's kind: HSC or AE.
    public var objective: AnomalyObjective { net.kind.objective }
    /// The input height and width the architecture requires.
    public var inputSize: Size2D { Size2D(net.kind.designedInputSize, net.kind.designedInputSize) }
    /// Channels of the input images: the net's.
    public var inputChannels: Int { net.inputChannels }

    /// A predictor for a trained baseline net; puts the net in evaluation mode.
    public init(
        net: any BaselineNet, preprocessing: FCDDPreprocessing, blur: GaussianBlur?, gradientMethod: GradientMethod = .gradient,
        threshold: Float? = nil
    ) {
        self.net = net
        self.preprocessing = preprocessing
        self.blur = blur
        self.gradientMethod = gradientMethod
        self.threshold = threshold
        net.eval()
    }

    /// Loads a predictor saved by ``save(to:metadata:)``.
    ///
    /// - Throws: ``CheckpointError`` when the file is unreadable or is not a baseline model
    ///   file (``CheckpointError/kindMismatch(file:found:reader:expected:)`` for an FCDD
    ///   model, including files without an `objective` key), or its weights do not fit the
    ///   net it names.
    public convenience init(contentsOf url: URL) throws(CheckpointError) {
        try self.init(file: AnomalyModelFile(contentsOf: url))
    }

    /// The predictor of a model file read by ``AnomalyModelFile``.
    convenience init(file: AnomalyModelFile) throws(CheckpointError) {
        try file.require([.hsc, .ae], reader: "BaselinePredictor")
        guard let kind = BaselineNetKind(rawValue: file.net), kind.objective == file.objective,
              file.inputSize == Size2D(kind.designedInputSize, kind.designedInputSize) else {
            throw file.invalid("net \(file.net) with input \(file.inputSize) is not a \(file.objective) baseline of its designed input size")
        }
        let blur: GaussianBlur?
        switch (file.metadata["blur_kernel_size"], file.metadata["blur_sigma"], file.metadata["blur_border"]) {
        case (nil, nil, nil):
            blur = nil
        case let (size?, sigma?, border?):
            guard let size = Int(size), let sigma = Double(sigma), let border = GaussianBlur.Border(rawValue: border),
                  let made = try? GaussianBlur(kernelSize: size, sigma: sigma, border: border) else {
                throw file.invalid("expected an odd blur_kernel_size, a positive blur_sigma and a blur_border, found \(size), \(sigma), \(border)")
            }
            blur = made
        default:
            throw file.invalid("expected blur_kernel_size, blur_sigma and blur_border together or none of them")
        }
        let method: GradientMethod
        if let text = file.metadata["gradient_method"] {
            guard let parsed = GradientMethod(text) else {
                throw file.invalid("expected gradient_method grad or ig followed by a step count, found \(text)")
            }
            method = parsed
        } else {
            method = .gradient
        }
        var generator = SeededGenerator(seed: 0)
        let net: any BaselineNet
        do {
            net = try kind.makeNet(inputChannels: file.inputChannels, using: &generator)
        } catch {
            throw file.invalid("cannot build \(kind) with \(file.inputChannels) channels: \(error)")
        }
        try file.load(into: net)
        self.init(net: net, preprocessing: file.preprocessing, blur: blur, gradientMethod: method, threshold: file.threshold)
        metadata = file.metadata
    }

    /// Saves the net with everything needed to predict, atomically: the common metadata of
    /// model files (``AnomalyPredictor/save(to:metadata:)``) with objective `hsc` or `ae`,
    /// with a blur `blur_kernel_size`, `blur_sigma` and `blur_border`, and for an HSC net its
    /// heatmaps' `gradient_method` (`grad`, or `ig` and a step count).
    ///
    /// - Throws: ``CheckpointError/file(_:)`` when the file cannot be written.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws(CheckpointError) {
        var metadata = AnomalyModelFile.metadata(
            objective: objective, net: net.kind.rawValue, inputChannels: net.inputChannels, inputSize: inputSize,
            preprocessing: preprocessing, threshold: threshold, extra: extra)
        for key in ["blur_kernel_size", "blur_sigma", "blur_border"] { metadata[key] = nil }
        metadata["gradient_method"] = net.kind.isAutoencoder ? nil : gradientMethod.description
        if let blur {
            metadata["blur_kernel_size"] = String(blur.kernelSize)
            metadata["blur_sigma"] = String(blur.sigma)
            metadata["blur_border"] = blur.border.rawValue
        }
        try net.save(to: url, metadata: metadata)
    }

    /// Scores a batch of decoded images `[N, C, H, W]` in [0, 1] of the model's input size;
    /// the preprocessing is applied here. Each prediction's `map` is the unblurred heatmap
    /// and its `heatmap` the blurred one, both `[H, W]`.
    ///
    /// HSC heatmaps need the input gradient, so this records gradients for the HSC forward
    /// pass (the net's parameters are not changed).
    ///
    /// - Throws: `DatasetError` for images the preprocessing cannot take, `TensorError`
    ///   for a shape the net cannot take, `ExplainError` from the gradient and the blur.
    public func predict(_ images: Tensor) throws -> [FCDDPrediction] {
        let inputs = try preprocessedBatch(images, operation: "BaselinePredictor.predict")
        let scores: [Float], maps: Tensor
        if net.kind.isAutoencoder {
            (scores, maps) = try withoutGradients { () throws(TensorError) -> ([Float], Tensor) in
                let reconstruction = try net(inputs)
                return (try AutoencoderLoss.scores(reconstruction: reconstruction, inputs: inputs).scalars,
                        try AutoencoderLoss.errorMaps(reconstruction: reconstruction, inputs: inputs).squeezed(axis: 1))
            }
        } else if gradientMethod == .gradient {
            var forward: [Float] = []
            maps = try GradientExplanation.heatmaps(inputs: inputs) { images in
                let scores = try HSCLoss.scores(net(images))
                forward = scores.detached().scalars
                return scores
            }
            scores = forward
        } else {
            scores = try withoutGradients { () throws(TensorError) in try HSCLoss.scores(net(inputs)).scalars }
            let black = try preprocessedBatch(Tensor.zeros(shape: images.shape), operation: "BaselinePredictor.predict")
            maps = try GradientExplanation.heatmaps(inputs: inputs, method: gradientMethod, baseline: black) { images in
                try HSCLoss.scores(net(images))
            }
        }
        let heatmaps = try blur.map { blur throws(ExplainError) in try blur.apply(maps) } ?? maps
        return try scores.indices.map { index in
            FCDDPrediction(
                score: scores[index], map: try plane(index, of: maps), heatmap: try plane(index, of: heatmaps),
                isAnomalous: threshold.map { scores[index] > $0 })
        }
    }
}
