import NN
import TensorCore

/// The VGG HSC nets for 224×224 inputs (CNN224_VGG, _F, _NOPT and _NOPT_1000): torchvision's
/// whole VGG11-BN as child `vgg` (`vgg.features`, `vgg.avgpool`) with `classifier[:-3]`
/// (4096 features) or, for _NOPT_1000, the whole classifier (1000).
public final class HSCVGG: BaselineNet {
    public var isTraining = true
    public let kind: BaselineNetKind
    public let inputChannels: Int
    let vgg: VGG11BatchNorm

    /// A fresh VGG HSC net of `kind` (one of the four `CNN224_VGG` kinds; any other is
    /// treated as ``BaselineNetKind/cnn224VGG``); `_F` freezes `vgg.features.0` … `14`.
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(_ kind: BaselineNetKind, inputChannels: Int, using generator: inout SeededGenerator) {
        let kind: BaselineNetKind = kind.isVGG && !kind.isAutoencoder ? kind : .cnn224VGG
        self.kind = kind
        self.inputChannels = inputChannels
        vgg = VGG11BatchNorm(
            inputChannels: inputChannels, head: kind == .cnn224VGGNoPretraining1000 ? .classes1000 : .features4096,
            using: &generator)
        for index in kind.frozenModuleIndices { setTrainable(false, prefix: "vgg.features.\(index)") }
    }

    public var childModules: [(name: String, module: any Module)] { [("vgg", vgg)] }

    /// Features `[N, 4096]` (or `[N, 1000]`) of images `[N, C, 224, 224]`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInput(input)
        return vgg(input)
    }
}
