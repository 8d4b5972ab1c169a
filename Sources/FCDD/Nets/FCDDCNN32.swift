import NN
import TensorCore

/// FCDD_CNN32 and FCDD_CNN32_S for 32×32 inputs: three convolutions to 32, 64 and 128
/// channels (5×5, or 3×3 for the small net) with pooling, batch norm and leaky ReLU after
/// the first two, then a 1×1 conv to one channel. FCDD_CNN32 defines `bn2d3` without using
/// it, as the reference does.
public final class FCDDCNN32: FCDDReferenceNet {
    public var isTraining = true
    public let kind: FCDDNetKind
    public let inputChannels: Int
    /// `conv1` to 32 channels.
    public let conv1: Conv2d
    /// `pool1`: 2×2 max-pool.
    public let pool1 = MaxPool2d(kernelSize: 2, stride: 2)
    /// `bn2d1` (eps 1e-4).
    public let bn2d1: BatchNorm2d
    /// `conv2` to 64 channels.
    public let conv2: Conv2d
    /// `pool2`: 2×2 max-pool.
    public let pool2 = MaxPool2d(kernelSize: 2, stride: 2)
    /// `bn2d2` (eps 1e-4).
    public let bn2d2: BatchNorm2d
    /// `conv3` to 128 channels.
    public let conv3: Conv2d
    /// `bn2d3`: defined by the reference's FCDD_CNN32 but never applied; `nil` for the small net.
    public let bn2d3: BatchNorm2d?
    /// `conv_final`: 1×1 to one channel.
    public let convFinal: Conv2d

    /// A fresh FCDD_CNN32 (or FCDD_CNN32_S when `small`).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(small: Bool, inputChannels: Int, using generator: inout SeededGenerator) {
        let (kernel, padding) = small ? (3, 1) : (5, 2)
        kind = small ? .cnn32Small : .cnn32
        self.inputChannels = inputChannels
        conv1 = referenceConv(inputChannels, 32, kernel, padding: padding, using: &generator)
        bn2d1 = BatchNorm2d(32, epsilon: 1e-4)
        conv2 = referenceConv(32, 64, kernel, padding: padding, using: &generator)
        bn2d2 = BatchNorm2d(64, epsilon: 1e-4)
        conv3 = referenceConv(64, 128, kernel, padding: padding, using: &generator)
        bn2d3 = small ? nil : BatchNorm2d(128, epsilon: 1e-4)
        convFinal = referenceConv(128, 1, 1, padding: 0, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [("conv1", conv1), ("pool1", pool1), ("bn2d1", bn2d1), ("conv2", conv2), ("pool2", pool2), ("bn2d2", bn2d2), ("conv3", conv3)]
            + (bn2d3.map { [("bn2d3", $0)] } ?? []) + [("conv_final", convFinal)]
    }

    public var spatialLayers: [any Module] { [conv1, pool1, conv2, pool2, conv3, convFinal] }

    /// φ(X): `[N, C, 32, 32]` → `[N, 1, 8, 8]`.
    public func forward(_ input: Tensor) -> Tensor {
        var x = pool1(conv1(input, batchNorm: bn2d1, activation: .leakyReLU(negativeSlope: 0.01)))
        x = pool2(conv2(x, batchNorm: bn2d2, activation: .leakyReLU(negativeSlope: 0.01)))
        return convFinal(conv3(x))
    }
}
