import Explain
import NN
import TensorCore

/// Fully convolutional data description (Liznerski et al., ICLR 2021): the net maps an
/// image to a one-channel map φ(X); `A = sqrt(φ² + 1) − 1` is the explanation and its mean
/// the anomaly score. Trains with ``FCDDLoss``: the sample-level loss, or, when
/// ``pixelWiseLoss`` is on and the batch carries ground-truth masks, the pixel-wise loss on
/// `A` up-sampled with the receptive-field Gaussian. Heatmaps are `A` up-sampled the same
/// way, with the receptive field computed from the net's layers, so the net must be a
/// `SpatialModule` (any net of them, not only the reference's).
public struct FCDDObjective: AnomalyObjective, Equatable {
    /// σ of the receptive-field Gaussian (the reference's `--gauss-std`: 1.2 for
    /// Fashion-MNIST and CIFAR-10, 12 for MVTec-AD).
    public var sigma: Double
    /// Whether batches with ground-truth masks train with the pixel-wise loss.
    public var pixelWiseLoss: Bool

    /// The FCDD objective with heatmap σ `sigma`.
    public init(sigma: Double, pixelWiseLoss: Bool = false) {
        self.sigma = sigma
        self.pixelWiseLoss = pixelWiseLoss
    }

    /// `fcdd`.
    public var name: String { "fcdd" }

    /// FCDD reads a one-channel map `[N, 1, h, w]`.
    public func netOutputProblem(outputShape: [Int], inputShape: [Int]) -> String? {
        outputShape.count == 4 && outputShape[0] == 1 && outputShape[1] == 1 && outputShape[2] >= 1 && outputShape[3] >= 1
            ? nil : "the fcdd objective reads a map [N, 1, h, w] from the net, found output \(outputShape) for input \(inputShape)"
    }

    /// `sigma` and `pixel_wise_loss`.
    public var metadata: [String: String] { ["sigma": String(sigma), "pixel_wise_loss": String(pixelWiseLoss)] }

    /// The objective a model file describes (`sigma` required, `pixel_wise_loss` optional).
    ///
    /// - Throws: ``ObjectiveRegistryError/invalidSetting(objective:key:expected:found:)``.
    public init(metadata: [String: String]) throws(ObjectiveRegistryError) {
        guard let sigma = metadata["sigma"].flatMap(Double.init), sigma > 0, sigma.isFinite else {
            throw .invalidSetting(objective: "fcdd", key: "sigma", expected: "a positive number", found: metadata["sigma"])
        }
        self.init(sigma: sigma, pixelWiseLoss: metadata["pixel_wise_loss"] == "true")
    }

    /// The sample-level loss, or the pixel-wise loss for a batch with masks when
    /// ``pixelWiseLoss`` is on; scores are the means of `A`.
    public func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
        let phi = net(batch.images)
        let loss: Tensor
        if pixelWiseLoss, let masks = batch.masks {
            let upsampler = try ReceptiveFieldUpsampler(
                net: net, inputSize: Size2D(batch.images.shape[2], batch.images.shape[3]), sigma: sigma)
            loss = try FCDDLoss.pixelWise(upsampledMap: upsampler.upsample(FCDDLoss.anomalyMap(phi)), masks: masks)
        } else {
            loss = FCDDLoss.sampleLevel(phi: phi, labels: batch.labels)
        }
        let scores = withoutGradients { FCDDLoss.scores(phi.detached()).scalars }
        return ObjectiveLoss(loss: loss, scores: scores)
    }

    /// Each prediction's `map` is the low-resolution `A`, its `heatmap` `A` up-sampled with
    /// the receptive-field Gaussian to the input size.
    public func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] {
        let inputs = batch.inputs
        let upsampler = try ReceptiveFieldUpsampler(net: net, inputSize: Size2D(inputs.shape[2], inputs.shape[3]), sigma: sigma)
        return try withoutGradients { () throws -> [AnomalyPrediction] in
            let phi = net(inputs)
            let maps = FCDDLoss.anomalyMap(phi)
            let scores = FCDDLoss.scores(phi).scalars
            return try AnomalyPrediction.batch(scores: scores, maps: maps, heatmaps: upsampler.upsample(maps))
        }
    }
}
