import NN
import TensorCore

/// FCDD_CNN28 and FCDD_CNN28_W for 28×28 inputs: conv 5×5 → BN → leaky ReLU → pool, conv 5×5
/// → pool, 1×1 conv to one channel (8 and 16 channels, or 128 and 128 for the wide net).
public final class FCDDCNN28: FCDDReferenceNet {
    public var isTraining = true
    public let kind: FCDDNetKind
    public let inputChannels: Int
    /// `conv1`: 5×5, padding 2.
    public let conv1: Conv2d
    /// `bn2d1` (eps 1e-4).
    public let bn2d1: BatchNorm2d
    /// `pool1`: 2×2 max-pool.
    public let pool1 = MaxPool2d(kernelSize: 2, stride: 2)
    /// `conv2`: 5×5, padding 2.
    public let conv2: Conv2d
    /// `pool2`: 2×2 max-pool.
    public let pool2 = MaxPool2d(kernelSize: 2, stride: 2)
    /// `conv_final`: 1×1 to one channel.
    public let convFinal: Conv2d

    /// A fresh FCDD_CNN28 (or FCDD_CNN28_W when `wide`).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(wide: Bool, inputChannels: Int, using generator: inout SeededGenerator) {
        let (first, second) = wide ? (128, 128) : (8, 16)
        kind = wide ? .cnn28Wide : .cnn28
        self.inputChannels = inputChannels
        conv1 = referenceConv(inputChannels, first, 5, padding: 2, using: &generator)
        bn2d1 = BatchNorm2d(first, epsilon: 1e-4)
        conv2 = referenceConv(first, second, 5, padding: 2, using: &generator)
        convFinal = referenceConv(second, 1, 1, padding: 0, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn2d1", bn2d1), ("pool1", pool1), ("conv2", conv2), ("pool2", pool2), ("conv_final", convFinal)]
    }

    public var spatialLayers: [any Module] { [conv1, pool1, conv2, pool2, convFinal] }

    /// φ(X): `[N, C, 28, 28]` → `[N, 1, 7, 7]`.
    public func forward(_ input: Tensor) -> Tensor {
        let x = pool1(conv1(input, batchNorm: bn2d1, activation: .leakyReLU(negativeSlope: 0.01)))
        return convFinal(pool2(conv2(x)))
    }
}
