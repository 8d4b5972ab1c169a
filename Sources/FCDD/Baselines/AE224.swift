import NN
import TensorCore

/// The autoencoder AE224 on a CNN224 encoder: BN1d over its 784 features, 16×7×7 maps, seven
/// transposed convolutions (64, 128, 128, 64, 32, 8 channels, then the image's; xavier
/// re-drawn) with BN and leaky ReLU between them and five ×2 upsamplings (7 → 14 → 28 → 56 →
/// 56 → 112 → 224), then a sigmoid.
public final class AE224: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .ae224 }
    public let inputChannels: Int
    /// `encoder`: a CNN224.
    public let encoder224: HSCCNN224
    let bn1d: BatchNorm1d
    /// `deconv1` … `deconv7`.
    let deconvolutions: [ConvTranspose2d]
    /// `bn2dd1` … `bn2dd6`.
    let norms: [BatchNorm2d]
    /// Whether a ×2 upsampling follows block 1 … 6.
    static let upsampledAfter = [true, true, true, false, true, true]

    /// A fresh AE224.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        encoder224 = HSCCNN224(inputChannels: inputChannels, using: &generator)
        bn1d = BaselineLayers.norm1d(784)
        var deconvolutions: [ConvTranspose2d] = [], norms: [BatchNorm2d] = []
        var previous = 16
        for (index, (channels, kernel)) in [(64, 3), (128, 3), (128, 3), (64, 3), (32, 3), (8, 5), (inputChannels, 5)].enumerated() {
            deconvolutions.append(BaselineLayers.deconv(previous, channels, kernel, padding: kernel / 2, xavier: true, using: &generator))
            if index < 6 { norms.append(BaselineLayers.norm2d(channels)) }
            previous = channels
        }
        (self.deconvolutions, self.norms) = (deconvolutions, norms)
    }

    public var childModules: [(name: String, module: any Module)] {
        var children: [(name: String, module: any Module)] = [("encoder", encoder224), ("bn1d", bn1d)]
        for index in deconvolutions.indices {
            children.append(("deconv\(index + 1)", deconvolutions[index]))
            if index < norms.count { children.append(("bn2dd\(index + 1)", norms[index])) }
        }
        return children
    }

    /// Reconstructions `[N, C, 224, 224]` of images `[N, C, 224, 224]`.
    public func forward(_ input: Tensor) -> Tensor {
        var x = BaselineLayers.unflatten(bn1d(encoder224(input)), channels: 16, size: 7).leakyRelu(negativeSlope: 0.01)
        for index in norms.indices {
            x = norms[index](deconvolutions[index](x)).leakyRelu(negativeSlope: 0.01)
            if Self.upsampledAfter[index] { x = BaselineLayers.upsample(x) }
        }
        return deconvolutions[norms.count](x).sigmoid()
    }
}
