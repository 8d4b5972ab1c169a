import Foundation
import NN
import TensorCore

extension FCDDNet {
    /// Loads the VGG11-BN backbone (`features.0` … `features.20`) from a safetensors file
    /// made by `Scripts/convert_vgg11_bn.py` from torchvision's ImageNet weights, as the
    /// reference does for FCDD_CNN224_VGG(_F). Keys of the file beyond the net's own (the
    /// converter's `--all-features` adds indices 21–28) are ignored; `conv_final` keeps its
    /// random initialisation; frozen flags are kept.
    ///
    /// - Returns: the load report (it lists `conv_final` as missing: that layer keeps its
    ///   initialisation).
    /// - Throws: ``CheckpointError/invalidCheckpoint(file:reason:)`` for a net without a VGG
    ///   backbone, ``CheckpointError/file(_:)`` for an unreadable file, and
    ///   ``CheckpointError/stateDict(file:_:)`` when a backbone tensor is missing or has
    ///   another shape (nothing is loaded then).
    @discardableResult
    public func loadBackbone(from url: URL) throws(CheckpointError) -> StateDictReport {
        guard kind.isVGG else {
            throw .invalidCheckpoint(file: url.path, reason: "\(kind) has no VGG backbone; expected one of the FCDD_CNN224_VGG nets")
        }
        return try loadVGGBackbone(from: url, prefix: "")
    }
}
