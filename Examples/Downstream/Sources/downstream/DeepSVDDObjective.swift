import Datasets
import Explain
import FCDD
import NN
import TensorCore

/// Deep SVDD with a fixed centre (Ruff et al., "Deep One-Class Classification", ICML 2018),
/// applied to every pixel of a fully convolutional net's one-channel map φ(X) of u × v
/// pixels, so that it explains itself the way FCDD does:
///
/// ```
/// A(X)ᵢⱼ = (φ(X)ᵢⱼ − c)²              the anomaly map: each pixel's squared distance to c
/// s(X)   = (1 / uv) · Σᵢⱼ A(X)ᵢⱼ      the anomaly score
/// L      = (1 / n) · Σₖ s(Xₖ)         the one-class loss of n nominal training images
/// ```
///
/// The centre c is fixed before training, as Ruff et al. fix it: the mean of the initial
/// net's outputs over the training images, moved out to ±ε when it lies within ε of 0
/// (``initialCentre(of:loader:epsilon:)``). The net must have no bias terms, or it could
/// map every image onto c. Only nominal images train it (`trainsOnAnomalies` is false, so
/// the trainer refuses a batch with anomalies). Heatmaps are A up-sampled to the input
/// size with the receptive-field Gaussian of the net's computed field, as FCDD's are.
struct DeepSVDDObjective: AnomalyObjective {
    /// The name model files record; the `ModelRegistry` constructor is registered under it.
    static let registeredName = "deep-svdd"

    /// The fixed centre c.
    var centre: Float
    /// σ of the receptive-field Gaussian that up-samples A into heatmaps.
    var sigma: Double

    /// The objective with centre `centre` and heatmap σ `sigma`.
    init(centre: Float, sigma: Double) {
        self.centre = centre
        self.sigma = sigma
    }

    /// The objective a model file describes (`centre` and `sigma`, written by ``metadata``).
    ///
    /// - Throws: `ObjectiveRegistryError.invalidSetting` for a missing or malformed setting.
    init(metadata: [String: String]) throws(ObjectiveRegistryError) {
        guard let centre = metadata["centre"].flatMap(Float.init), centre.isFinite else {
            throw .invalidSetting(objective: Self.registeredName, key: "centre", expected: "a finite number", found: metadata["centre"])
        }
        guard let sigma = metadata["sigma"].flatMap(Double.init), sigma > 0, sigma.isFinite else {
            throw .invalidSetting(objective: Self.registeredName, key: "sigma", expected: "a positive number", found: metadata["sigma"])
        }
        self.init(centre: centre, sigma: sigma)
    }

    var name: String { Self.registeredName }
    var trainsOnAnomalies: Bool { false }
    /// The settings a model file stores; `Float`'s and `Double`'s descriptions read back exactly.
    var metadata: [String: String] { ["centre": String(centre), "sigma": String(sigma)] }

    /// Ruff et al.'s centre: the mean output of `net` in evaluation mode over the batches of
    /// `loader` (pre-processed nominal training images), moved to ±`epsilon` when it lies
    /// closer to 0.
    ///
    /// - Throws: The loader's and the net's errors.
    static func initialCentre(of net: any Module, loader: DataLoader, epsilon: Float = 0.1) throws -> Float {
        net.eval()
        defer { net.train() }
        var (sum, count): (Float, Int) = (0, 0)
        let batches = loader.epoch(0)
        while let batch = try batches.next() {
            let phi = withoutGradients { net(batch.images) }
            sum += phi.scalars.reduce(0, +)
            count += phi.scalarCount
        }
        let mean = sum / Float(max(count, 1))
        return abs(mean) < epsilon ? (mean < 0 ? -epsilon : epsilon) : mean
    }

    /// A = (φ − c)², the shape of φ.
    func anomalyMap(_ phi: Tensor) -> Tensor {
        (phi - centre).squared()
    }

    /// The mean of A over every channel and pixel of each image, `[N]`.
    func scores(_ map: Tensor) -> Tensor {
        map.mean(alongAxes: [1, 2, 3])
    }

    /// L, the mean score of the batch; the trainer makes sure every image is nominal.
    func loss(net: any Module, batch: TrainingBatch) throws -> ObjectiveLoss {
        let scores = scores(anomalyMap(net(batch.images)))
        return ObjectiveLoss(loss: scores.mean(), scores: scores.detached().scalars)
    }

    /// Each prediction's `map` is A at the map's resolution, its `heatmap` A up-sampled with
    /// the receptive-field Gaussian to the input size.
    func predict(net: any Module, batch: PredictionBatch) throws -> [AnomalyPrediction] {
        let inputs = batch.inputs
        let upsampler = try ReceptiveFieldUpsampler(net: net, inputSize: Size2D(inputs.shape[2], inputs.shape[3]), sigma: sigma)
        return try withoutGradients { () throws -> [AnomalyPrediction] in
            let maps = anomalyMap(net(inputs))
            return try AnomalyPrediction.batch(scores: scores(maps).scalars, maps: maps, heatmaps: upsampler.upsample(maps))
        }
    }
}
