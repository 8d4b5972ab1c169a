import NN
import TensorCore

/// The end that the 32×32 HSC nets share, registered after their first blocks (as the
/// reference does): `conv3` to 128 channels, `bn2d3`, leaky ReLU, `pool3` (8×8 → 4×4), then
/// `fc1` 2048 → 512, `bn1d1`, leaky ReLU, `fc_final` 512 → 64.
struct HSCHead32 {
    let conv3: Conv2d
    let bn2d3: BatchNorm2d
    let pool3 = BaselineLayers.pool()
    let fc1: Linear
    let bn1d1: BatchNorm1d
    let fcFinal: Linear

    init(from input: Int, kernel: Int, padding: Int, features: Int, using generator: inout SeededGenerator) {
        conv3 = referenceConv(input, 128, kernel, padding: padding, using: &generator)
        bn2d3 = BaselineLayers.norm2d(128)
        fc1 = Linear(128 * 4 * 4, 512, using: &generator)
        bn1d1 = BaselineLayers.norm1d(512)
        fcFinal = Linear(512, features, using: &generator)
    }

    var childModules: [(name: String, module: any Module)] {
        [("conv3", conv3), ("bn2d3", bn2d3), ("pool3", pool3), ("fc1", fc1), ("bn1d1", bn1d1), ("fc_final", fcFinal)]
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let x = pool3(bn2d3(conv3(input)).leakyRelu(negativeSlope: 0.01)).flattened(startAxis: 1)
        return fcFinal(bn1d1(fc1(x)).leakyRelu(negativeSlope: 0.01))
    }
}

/// The HSC net CNN32 for 32×32 inputs: three blocks of conv 5×5 (32, 64, 128 channels), BN,
/// leaky ReLU and pool; `fc1` 2048 → 512, BN1d, leaky ReLU; `fc_final` 512 → 64.
public final class HSCCNN32: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .cnn32 }
    public let inputChannels: Int
    let conv1: Conv2d
    let bn2d1: BatchNorm2d
    let pool1 = BaselineLayers.pool()
    let conv2: Conv2d
    let bn2d2: BatchNorm2d
    let pool2 = BaselineLayers.pool()
    let head: HSCHead32

    /// A fresh CNN32.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        conv1 = referenceConv(inputChannels, 32, 5, padding: 2, using: &generator)
        bn2d1 = BaselineLayers.norm2d(32)
        conv2 = referenceConv(32, 64, 5, padding: 2, using: &generator)
        bn2d2 = BaselineLayers.norm2d(64)
        head = HSCHead32(from: 64, kernel: 5, padding: 2, features: BaselineNetKind.cnn32.featureCount, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn2d1", bn2d1), ("pool1", pool1), ("conv2", conv2), ("bn2d2", bn2d2), ("pool2", pool2)] + head.childModules
    }

    /// Features `[N, 64]` of images `[N, C, 32, 32]`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInput(input)
        var x = pool1(bn2d1(conv1(input)).leakyRelu(negativeSlope: 0.01))
        x = pool2(bn2d2(conv2(x)).leakyRelu(negativeSlope: 0.01))
        return head(x)
    }
}

/// The HSC net CNN32_LW3K for 32×32 inputs: conv 3×3 blocks of 128, 256, 256 and 128
/// channels with BN and leaky ReLU (pooling after the first, third and fourth), then `fc1`
/// 2048 → 512, BN1d, leaky ReLU, `fc_final` 512 → 64.
public final class HSCCNN32LW3K: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .cnn32LW3K }
    public let inputChannels: Int
    let conv1: Conv2d
    let bn2d1: BatchNorm2d
    let pool1 = BaselineLayers.pool()
    let conv2: Conv2d
    let bn2d2: BatchNorm2d
    let conv25: Conv2d
    let bn2d25: BatchNorm2d
    let pool2 = BaselineLayers.pool()
    let head: HSCHead32

    /// A fresh CNN32_LW3K.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        conv1 = referenceConv(inputChannels, 128, 3, padding: 1, using: &generator)
        bn2d1 = BaselineLayers.norm2d(128)
        conv2 = referenceConv(128, 256, 3, padding: 1, using: &generator)
        bn2d2 = BaselineLayers.norm2d(256)
        conv25 = referenceConv(256, 256, 3, padding: 1, using: &generator)
        bn2d25 = BaselineLayers.norm2d(256)
        head = HSCHead32(from: 256, kernel: 3, padding: 1, features: BaselineNetKind.cnn32LW3K.featureCount, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [
            ("conv1", conv1), ("bn2d1", bn2d1), ("pool1", pool1), ("conv2", conv2), ("bn2d2", bn2d2), ("conv25", conv25),
            ("bn2d25", bn2d25), ("pool2", pool2),
        ] + head.childModules
    }

    /// Features `[N, 64]` of images `[N, C, 32, 32]`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInput(input)
        var x = pool1(bn2d1(conv1(input)).leakyRelu(negativeSlope: 0.01))
        x = bn2d2(conv2(x)).leakyRelu(negativeSlope: 0.01)
        x = pool2(bn2d25(conv25(x)).leakyRelu(negativeSlope: 0.01))
        return head(x)
    }
}
