import Foundation
import NN
import TensorCore

extension BaselineNet {
    /// Loads torchvision's ImageNet VGG11-BN weights into a VGG baseline, as the reference's
    /// `CNN224_VGG(_F)` does (`vgg11_bn` pretrained, then `classifier[:-3]`): into
    /// `vgg.features.*` and `vgg.classifier.*` of an HSC net, or of an autoencoder's encoder
    /// (`encoder.vgg.…`; the decoder keeps its initialisation). The file is one written by
    /// `Scripts/convert_vgg11_bn.py --classifier` (all 29 feature modules and the
    /// classifier); keys the net lacks are ignored, and frozen flags are kept.
    ///
    /// - Throws: ``CheckpointError/invalidCheckpoint(file:reason:)`` for a net without a VGG,
    ///   ``CheckpointError/file(_:)`` for an unreadable file, and
    ///   ``CheckpointError/stateDict(file:_:)`` when one of the net's VGG tensors is missing
    ///   (e.g. a file converted without `--classifier`) or has another shape; nothing is
    ///   loaded then.
    @discardableResult
    public func loadBackbone(from url: URL) throws(CheckpointError) -> StateDictReport {
        guard kind.isVGG else {
            throw .invalidCheckpoint(file: url.path, reason: "\(kind) has no VGG; expected one of the CNN224_VGG or AE224_VGG nets")
        }
        return try loadVGGBackbone(from: url, prefix: kind.isAutoencoder ? "encoder.vgg." : "vgg.")
    }
}
