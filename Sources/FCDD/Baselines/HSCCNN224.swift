import NN
import TensorCore

/// The HSC net CNN224 for 224×224 inputs: six blocks of conv, BN and leaky ReLU (8 and 32
/// channels with 5×5 kernels, then 64, 128, 128, 64 with 3×3), max-pool 3/2/1 after blocks
/// 1, 2, 4, 5 and 6; `fc1` 3136 → 1536, BN1d, leaky ReLU; `fc_final` 1536 → 784.
public final class HSCCNN224: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .cnn224 }
    public let inputChannels: Int
    /// `conv1` … `conv6`.
    let convolutions: [Conv2d]
    /// `bn2d1` … `bn2d6`.
    let norms: [BatchNorm2d]
    /// The overlapping pool (kernel 3, stride 2, padding 1) after each block, `nil` after block 3.
    let pools: [MaxPool2d?]
    let fc1: Linear
    let bn1d1: BatchNorm1d
    let fcFinal: Linear

    /// A fresh CNN224.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        var convolutions: [Conv2d] = [], norms: [BatchNorm2d] = [], pools: [MaxPool2d?] = []
        var previous = inputChannels
        // (channels, kernel, pool after) of the six blocks.
        for (channels, kernel, pooled) in [(8, 5, true), (32, 5, true), (64, 3, false), (128, 3, true), (128, 3, true), (64, 3, true)] {
            convolutions.append(referenceConv(previous, channels, kernel, padding: kernel / 2, using: &generator))
            norms.append(BaselineLayers.norm2d(channels))
            pools.append(pooled ? MaxPool2d(kernelSize: 3, stride: 2, padding: 1) : nil)
            previous = channels
        }
        (self.convolutions, self.norms, self.pools) = (convolutions, norms, pools)
        fc1 = Linear(64 * 7 * 7, 1536, using: &generator)
        bn1d1 = BaselineLayers.norm1d(1536)
        fcFinal = Linear(1536, BaselineNetKind.cnn224.featureCount, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        var children: [(name: String, module: any Module)] = []
        var poolNumber = 0
        for index in convolutions.indices {
            children += [("conv\(index + 1)", convolutions[index]), ("bn2d\(index + 1)", norms[index])]
            if let pool = pools[index] {
                poolNumber += 1
                children.append(("pool\(poolNumber)", pool))
            }
        }
        return children + [("fc1", fc1), ("bn1d1", bn1d1), ("fc_final", fcFinal)]
    }

    /// Features `[N, 784]` of images `[N, C, 224, 224]`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInput(input)
        var x = input
        for index in convolutions.indices {
            x = norms[index](convolutions[index](x)).leakyRelu(negativeSlope: 0.01)
            if let pool = pools[index] { x = pool(x) }
        }
        return fcFinal(bn1d1(fc1(x.flattened(startAxis: 1))).leakyRelu(negativeSlope: 0.01))
    }
}
