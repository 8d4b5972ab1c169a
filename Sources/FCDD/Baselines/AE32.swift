import NN
import TensorCore

/// The autoencoder AE32 on a CNN32 encoder: BN1d over its 64 features, 4×4×4 maps, four 5×5
/// transposed convolutions (128, 64, 32 channels, then the image's) with BN and leaky ReLU
/// between them and three ×2 upsamplings to 32×32; no final activation.
public final class AE32: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .ae32 }
    public let inputChannels: Int
    /// `encoder`: a CNN32.
    public let encoder32: HSCCNN32
    let bn1d: BatchNorm1d
    let deconv1: ConvTranspose2d
    let bn2d4: BatchNorm2d
    let deconv2: ConvTranspose2d
    let bn2d5: BatchNorm2d
    let deconv3: ConvTranspose2d
    let bn2d6: BatchNorm2d
    let deconv4: ConvTranspose2d

    /// A fresh AE32 (decoder weights re-drawn with xavier-uniform, as the reference does).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        encoder32 = HSCCNN32(inputChannels: inputChannels, using: &generator)
        bn1d = BaselineLayers.norm1d(64)
        deconv1 = BaselineLayers.deconv(4, 128, 5, padding: 2, xavier: true, using: &generator)
        bn2d4 = BaselineLayers.norm2d(128)
        deconv2 = BaselineLayers.deconv(128, 64, 5, padding: 2, xavier: true, using: &generator)
        bn2d5 = BaselineLayers.norm2d(64)
        deconv3 = BaselineLayers.deconv(64, 32, 5, padding: 2, xavier: true, using: &generator)
        bn2d6 = BaselineLayers.norm2d(32)
        deconv4 = BaselineLayers.deconv(32, inputChannels, 5, padding: 2, xavier: true, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [
            ("encoder", encoder32), ("bn1d", bn1d), ("deconv1", deconv1), ("bn2d4", bn2d4), ("deconv2", deconv2), ("bn2d5", bn2d5),
            ("deconv3", deconv3), ("bn2d6", bn2d6), ("deconv4", deconv4),
        ]
    }

    /// Reconstructions `[N, C, 32, 32]` of images `[N, C, 32, 32]`.
    public func forward(_ input: Tensor) -> Tensor {
        var x = BaselineLayers.unflatten(bn1d(encoder32(input)), channels: 4, size: 4).leakyRelu(negativeSlope: 0.01)
        x = BaselineLayers.upsample(bn2d4(deconv1(x)).leakyRelu(negativeSlope: 0.01))
        x = BaselineLayers.upsample(bn2d5(deconv2(x)).leakyRelu(negativeSlope: 0.01))
        x = BaselineLayers.upsample(bn2d6(deconv3(x)).leakyRelu(negativeSlope: 0.01))
        return deconv4(x)
    }
}

/// The autoencoder AE32_LW3K on a CNN32_LW3K encoder: BN1d, 4×4×4 maps, five 3×3 transposed
/// convolutions (128, 256, 256, 128 channels, then the image's; PyTorch's default
/// initialisation) with BN and leaky ReLU between them and three ×2 upsamplings to 32×32; no
/// final activation.
public final class AE32LW3K: BaselineNet {
    public var isTraining = true
    public var kind: BaselineNetKind { .ae32LW3K }
    public let inputChannels: Int
    /// `encoder`: a CNN32_LW3K.
    public let encoder32: HSCCNN32LW3K
    let bn1d: BatchNorm1d
    let deconv1: ConvTranspose2d
    let bn2d4: BatchNorm2d
    let deconv2: ConvTranspose2d
    let bn2d5: BatchNorm2d
    let deconv25: ConvTranspose2d
    let bn2d55: BatchNorm2d
    let deconv3: ConvTranspose2d
    let bn2d6: BatchNorm2d
    let deconv4: ConvTranspose2d

    /// A fresh AE32_LW3K.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(inputChannels: Int, using generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        encoder32 = HSCCNN32LW3K(inputChannels: inputChannels, using: &generator)
        bn1d = BaselineLayers.norm1d(64)
        deconv1 = BaselineLayers.deconv(4, 128, 3, padding: 1, xavier: false, using: &generator)
        bn2d4 = BaselineLayers.norm2d(128)
        deconv2 = BaselineLayers.deconv(128, 256, 3, padding: 1, xavier: false, using: &generator)
        bn2d5 = BaselineLayers.norm2d(256)
        deconv25 = BaselineLayers.deconv(256, 256, 3, padding: 1, xavier: false, using: &generator)
        bn2d55 = BaselineLayers.norm2d(256)
        deconv3 = BaselineLayers.deconv(256, 128, 3, padding: 1, xavier: false, using: &generator)
        bn2d6 = BaselineLayers.norm2d(128)
        deconv4 = BaselineLayers.deconv(128, inputChannels, 3, padding: 1, xavier: false, using: &generator)
    }

    public var childModules: [(name: String, module: any Module)] {
        [
            ("encoder", encoder32), ("bn1d", bn1d), ("deconv1", deconv1), ("bn2d4", bn2d4), ("deconv2", deconv2), ("bn2d5", bn2d5),
            ("deconv25", deconv25), ("bn2d55", bn2d55), ("deconv3", deconv3), ("bn2d6", bn2d6), ("deconv4", deconv4),
        ]
    }

    /// Reconstructions `[N, C, 32, 32]` of images `[N, C, 32, 32]`.
    public func forward(_ input: Tensor) -> Tensor {
        var x = BaselineLayers.unflatten(bn1d(encoder32(input)), channels: 4, size: 4).leakyRelu(negativeSlope: 0.01)
        x = BaselineLayers.upsample(bn2d4(deconv1(x)).leakyRelu(negativeSlope: 0.01))
        x = bn2d5(deconv2(x)).leakyRelu(negativeSlope: 0.01)
        x = BaselineLayers.upsample(bn2d55(deconv25(x)).leakyRelu(negativeSlope: 0.01))
        x = BaselineLayers.upsample(bn2d6(deconv3(x)).leakyRelu(negativeSlope: 0.01))
        return deconv4(x)
    }
}
