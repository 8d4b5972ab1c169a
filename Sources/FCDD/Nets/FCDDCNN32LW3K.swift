import NN
import TensorCore

/// FCDD_CNN32_LW3K for 32×32 inputs, the CIFAR-10 default: 3×3 convolutions to 128, 256,
/// 256 and 128 channels with pooling after the first and third, batch norm and leaky ReLU
/// after the first three, then a 1×1 conv to one channel. `bn2d3` is defined but never
/// applied, as in the reference.
public final class FCDDCNN32LW3K: FCDDReferenceNet {
    public var isTraining = true
    public var kind: FCDDNetKind { .cnn32LW3K }
    public let inputChannels: Int
    /// `conv1` to 128 channels.
    public let conv1: Conv2d
    /// `pool1`: 2×2 max-pool.
    public let pool1 = MaxPool2d(kernelSize: 2, stride: 2)
    /// `bn2d1` (eps 1e-4).
    public let bn2d1: BatchNorm2d
    /// `conv2` to 256 channels.
    public let conv2: Conv2d
    /// `bn2d2` (eps 1e-4).
    public let bn2d2: BatchNorm2d
    /// `conv25` to 256 channels.
    public let conv25: Conv2d
    /// `bn2d25` (eps 1e-4).
    public let bn2d25: BatchNorm2d
    /// `pool2`: 2×2 max-pool.
    public let pool2 = MaxPool2d(kernelSize: 2, stride: 2)
    /// `conv3` to 128 channels.
    public let conv3: Conv2d
    /// `bn2d3`: defined by the reference but never applied.
    public let bn2d3: BatchNorm2d
    /// `conv_final`: 1×1 to one channel.
    public let convFinal: Conv2d

    /// A fresh FCDD_CNN32_LW3K.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        conv1 = referenceConv(inputChannels, 128, 3, padding: 1, using: &generator)
        bn2d1 = BatchNorm2d(128, epsilon: 1e-4)
        conv2 = referenceConv(128, 256, 3, padding: 1, using: &generator)
        bn2d2 = BatchNorm2d(256, epsilon: 1e-4)
        conv25 = referenceConv(256, 256, 3, padding: 1, using: &generator)
        bn2d25 = BatchNorm2d(256, epsilon: 1e-4)
        conv3 = referenceConv(256, 128, 3, padding: 1, using: &generator)
        bn2d3 = BatchNorm2d(128, epsilon: 1e-4)
        convFinal = referenceConv(128, 1, 1, padding: 0, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [
            ("conv1", conv1), ("pool1", pool1), ("bn2d1", bn2d1), ("conv2", conv2), ("bn2d2", bn2d2), ("conv25", conv25),
            ("bn2d25", bn2d25), ("pool2", pool2), ("conv3", conv3), ("bn2d3", bn2d3), ("conv_final", convFinal),
        ]
    }

    public var spatialLayers: [any Module] { [conv1, pool1, conv2, conv25, pool2, conv3, convFinal] }

    /// φ(X): `[N, C, 32, 32]` → `[N, 1, 8, 8]`.
    public func forward(_ input: Tensor) -> Tensor {
        var x = pool1(conv1(input, batchNorm: bn2d1, activation: .leakyReLU(negativeSlope: 0.01)))
        x = conv2(x, batchNorm: bn2d2, activation: .leakyReLU(negativeSlope: 0.01))
        x = pool2(conv25(x, batchNorm: bn2d25, activation: .leakyReLU(negativeSlope: 0.01)))
        return convFinal(conv3(x))
    }
}
