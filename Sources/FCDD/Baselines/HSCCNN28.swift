import NN
import TensorCore

/// The HSC nets CNN28 and CNN28_W for 28×28 inputs: conv 5×5 to 8 (128) channels, BN, leaky
/// ReLU, pool; conv 5×5 to 4 (64), BN, leaky ReLU, pool; `fc_final` to 48 features.
public final class HSCCNN28: BaselineNet {
    public var isTraining = true
    public let kind: BaselineNetKind
    public let inputChannels: Int
    /// `conv1`: 5×5, padding 2.
    public let conv1: Conv2d
    /// `bn1`.
    public let bn1: BatchNorm2d
    /// `pool1`.
    public let pool1 = BaselineLayers.pool()
    /// `conv2`: 5×5, padding 2.
    public let conv2: Conv2d
    /// `bn2`.
    public let bn2: BatchNorm2d
    /// `pool2`.
    public let pool2 = BaselineLayers.pool()
    /// `fc_final`: to 48 features.
    public let fcFinal: Linear

    /// A fresh CNN28 (or CNN28_W when `wide`).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(wide: Bool, inputChannels: Int, using generator: inout SeededGenerator) {
        let (first, second) = wide ? (128, 64) : (8, 4)
        kind = wide ? .cnn28Wide : .cnn28
        self.inputChannels = inputChannels
        conv1 = referenceConv(inputChannels, first, 5, padding: 2, using: &generator)
        bn1 = BaselineLayers.norm2d(first)
        conv2 = referenceConv(first, second, 5, padding: 2, using: &generator)
        bn2 = BaselineLayers.norm2d(second)
        fcFinal = Linear(second * 7 * 7, kind.featureCount, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("pool1", pool1), ("conv2", conv2), ("bn2", bn2), ("pool2", pool2), ("fc_final", fcFinal)]
    }

    /// Features `[N, 48]` of images `[N, C, 28, 28]`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInput(input)
        var x = pool1(bn1(conv1(input)).leakyRelu(negativeSlope: 0.01))
        x = pool2(bn2(conv2(x)).leakyRelu(negativeSlope: 0.01))
        return fcFinal(x.flattened(startAxis: 1))
    }
}
