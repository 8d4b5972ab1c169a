import NN
import TensorCore

/// Our own fully convolutional net for 28×28 images, written as plain Swift. It maps an
/// image `[N, C, 28, 28]` to a one-channel map `[N, 1, 7, 7]`:
///
/// | layer | output |
/// |---|---|
/// | `stem`: conv 5×5, batch norm, leaky ReLU | `width` × 28 × 28 |
/// | `stemPool`: max pool 2 | `width` × 14 × 14 |
/// | `block`: ``ResidualBlock``, leaky ReLU | `width` × 14 × 14 |
/// | `pool`: average pool 2 | `width` × 7 × 7 |
/// | `head`: conv 1×1 | 1 × 7 × 7 |
///
/// `SpatialChain` lets the library compute its receptive field from `spatialLayers`
/// (16 × 16 pixels, 4 apart); `ArchitectureDescribing` lets a model file rebuild it.
/// No layer has a bias and batch norm has no affine part, as Deep SVDD needs (a bias
/// would let the net map every image onto the centre).
final class ResidualFCN: SpatialChain, ArchitectureDescribing {
    /// The name model files record; the `ModelRegistry` constructor is registered under it.
    static let architectureName = "DownstreamResidualFCN"

    var isTraining = true
    let inputChannels: Int
    let width: Int
    let stem: Conv2d
    let stemNorm: BatchNorm2d
    let stemPool = MaxPool2d(kernelSize: 2)
    let block: ResidualBlock
    let pool = AvgPool2d(kernelSize: 2)
    let head: Conv2d

    /// A net for images of `inputChannels` channels with `width` feature channels,
    /// initialised as PyTorch does from `seed`.
    init(inputChannels: Int, width: Int = 16, seed: UInt64 = 0) {
        var generator = SeededGenerator(seed: seed)
        self.inputChannels = inputChannels
        self.width = width
        stem = Conv2d(inputChannels, width, kernelSize: 5, padding: 2, bias: false, using: &generator)
        stemNorm = BatchNorm2d(width, epsilon: 1e-4, affine: false)
        block = ResidualBlock(channels: width, using: &generator)
        head = Conv2d(width, 1, kernelSize: 1, bias: false, using: &generator)
    }

    /// The sub-modules by the names their parameters are saved under (`stem.weight`, …).
    var childModules: [(name: String, module: any Module)] {
        [("stem", stem), ("stemNorm", stemNorm), ("stemPool", stemPool), ("block", block), ("pool", pool), ("head", head)]
    }

    /// The layers that change geometry, in the order `forward` applies them.
    var spatialLayers: [any Module] { [stem, stemPool, block, pool, head] }

    /// What a model file stores to rebuild the net.
    var architecture: NetArchitecture {
        NetArchitecture(name: Self.architectureName, hyperparameters: ["input_channels": "\(inputChannels)", "width": "\(width)"])
    }

    /// A fresh net of `architecture`, for a `ModelRegistry` (the weights are loaded after).
    convenience init(_ architecture: NetArchitecture) throws {
        try self.init(inputChannels: architecture.integer("input_channels", in: 1...4), width: architecture.integer("width", in: 1...512))
    }

    /// φ(X), `[N, 1, 7, 7]` for 28×28 inputs.
    func forward(_ input: Tensor) -> Tensor {
        let stemmed = stemPool(stem(input, batchNorm: stemNorm, activation: .leakyReLU(negativeSlope: 0.01)))
        let features = block(stemmed).leakyRelu(negativeSlope: 0.01)
        return head(pool(features))
    }
}
