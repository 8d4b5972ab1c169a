import NN
import TensorCore

/// The autoencoder AE28 on a CNN28 encoder: its 48 features as 3×4×4 maps, decoded by three
/// 5×5 transposed convolutions with ×2 upsampling (8×8 → 16×16 → padding 3: 14×14 → 28×28),
/// then a sigmoid.
public final class AE28: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .ae28 }
    public let inputChannels: Int
    /// `encoder`: a CNN28.
    public let encoder28: HSCCNN28
    let deconv1: ConvTranspose2d
    let bn3: BatchNorm2d
    let deconv2: ConvTranspose2d
    let bn4: BatchNorm2d
    let deconv3: ConvTranspose2d

    /// A fresh AE28 (decoder weights re-drawn with xavier-uniform, as the reference does).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        encoder28 = HSCCNN28(wide: false, inputChannels: inputChannels, using: &generator)
        deconv1 = BaselineLayers.deconv(3, 4, 5, padding: 2, xavier: true, using: &generator)
        bn3 = BaselineLayers.norm2d(4)
        deconv2 = BaselineLayers.deconv(4, 8, 5, padding: 3, xavier: true, using: &generator)
        bn4 = BaselineLayers.norm2d(8)
        deconv3 = BaselineLayers.deconv(8, inputChannels, 5, padding: 2, xavier: true, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [("encoder", encoder28), ("deconv1", deconv1), ("bn3", bn3), ("deconv2", deconv2), ("bn4", bn4), ("deconv3", deconv3)]
    }

    /// Reconstructions `[N, C, 28, 28]` of images `[N, C, 28, 28]`.
    public func forward(_ input: Tensor) -> Tensor {
        var x = BaselineLayers.unflatten(encoder28(input), channels: 3, size: 4).leakyRelu(negativeSlope: 0.01)
        x = bn3(deconv1(BaselineLayers.upsample(x))).leakyRelu(negativeSlope: 0.01)
        x = bn4(deconv2(BaselineLayers.upsample(x))).leakyRelu(negativeSlope: 0.01)
        return deconv3(BaselineLayers.upsample(x)).sigmoid()
    }
}
