import NN
import TensorCore

/// The VGG autoencoders AE224_VGG, _F and _NOPT on the matching CNN224_VGG encoder: BN1d(4096)
/// and ReLU, `declassifier` (Linear 4096 → 25088, BN1d, ReLU), 512×7×7 maps, `defeatures`:
/// eight 3×3 transposed convolutions with BN and ReLU between them and five ×2 upsamplings
/// to 224×224 (PyTorch's defaults: eps 1e-5); no final activation.
public final class AE224VGG: BaselineNet {
    public var isTraining = true
    public let kind: BaselineNetKind
    public let inputChannels: Int
    /// `encoder`: the VGG HSC net.
    public let vggEncoder: HSCVGG
    let bn1d: BatchNorm1d
    let declassifier: Sequential
    let defeatures: Sequential

    /// A fresh VGG autoencoder of `kind` (one of the three `AE224_VGG` kinds; any other is
    /// treated as ``BaselineNetKind/ae224VGG``).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(_ kind: BaselineNetKind, inputChannels: Int, using generator: inout SeededGenerator) {
        let kind: BaselineNetKind = [.ae224VGG, .ae224VGGFrozen, .ae224VGGNoPretraining].contains(kind) ? kind : .ae224VGG
        self.kind = kind
        self.inputChannels = inputChannels
        vggEncoder = HSCVGG(kind.encoder ?? .cnn224VGG, inputChannels: inputChannels, using: &generator)
        bn1d = BatchNorm1d(4096)
        declassifier = Sequential(Linear(4096, 512 * 7 * 7, using: &generator), BatchNorm1d(512 * 7 * 7), ReLU())
        // The output channels of the transposed convolutions, 0 for a ×2 upsampling.
        var layers: [any Module] = []
        var previous = 512
        let plan = [0, 512, 512, 0, 512, 256, 0, 256, 128, 0, 64, 0, inputChannels]
        for (index, channels) in plan.enumerated() {
            guard channels > 0 else {
                layers.append(Upsample(.scaleFactor(2)))
                continue
            }
            layers.append(ConvTranspose2d(previous, channels, kernelSize: 3, padding: 1, using: &generator))
            if index < plan.count - 1 {
                layers.append(BatchNorm2d(channels))
                layers.append(ReLU())
            }
            previous = channels
        }
        defeatures = Sequential(layers)
    }

    public var childModules: [(name: String, module: any Module)] {
        [("encoder", vggEncoder), ("bn1d", bn1d), ("declassifier", declassifier), ("defeatures", defeatures)]
    }

    /// Reconstructions `[N, C, 224, 224]` of images `[N, C, 224, 224]`.
    public func forward(_ input: Tensor) -> Tensor {
        let code = declassifier(bn1d(vggEncoder(input)).relu())
        return defeatures(BaselineLayers.unflatten(code, channels: 512, size: 7))
    }
}
