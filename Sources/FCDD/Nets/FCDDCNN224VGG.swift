import Foundation
import NN
import TensorCore

/// FCDD_CNN224_VGG, _F and _NOPT for 224×224 inputs: torchvision's VGG11-BN `features`
/// up to index 20 (eps 1e-5, ReLU) and a 1×1 conv to one channel. The _F net freezes
/// `features.0` … `features.14` (their batch norms still update their statistics).
public final class FCDDCNN224VGG: FCDDReferenceNet {
    public var isTraining = true
    public let kind: FCDDNetKind
    public let inputChannels: Int
    /// `features`: VGG11-BN's modules 0 … 20.
    public let features: Sequential
    /// `conv_final`: 1×1 from 512 channels to one.
    public let convFinal: Conv2d

    /// A fresh VGG net of `kind` (one of the three VGG kinds; any other is treated as
    /// ``FCDDNetKind/cnn224VGG``).
    ///
    /// - Precondition: Stops with `TensorError` for a channel count below 1.
    public init(_ kind: FCDDNetKind, inputChannels: Int, using generator: inout SeededGenerator) {
        self.kind = kind.isVGG ? kind : .cnn224VGG
        self.inputChannels = inputChannels
        features = VGG11BatchNorm.features(inputChannels: inputChannels, moduleCount: 21, initialization: .pytorchDefault, using: &generator)
        convFinal = referenceConv(512, 1, 1, padding: 0, using: &generator)
        for index in self.kind.frozenModuleIndices { setTrainable(false, prefix: "features.\(index)") }
    }

    public var childModules: [(name: String, module: any Module)] { [("features", features), ("conv_final", convFinal)] }

    public var spatialLayers: [any Module] { [features, convFinal] }

    /// φ(X): `[N, C, 224, 224]` → `[N, 1, 28, 28]`.
    public func forward(_ input: Tensor) -> Tensor {
        convFinal(features(input))
    }

    /// Loads the VGG11-BN backbone (`features.0` … `features.20`) from a safetensors file
    /// made by `Scripts/convert_vgg11_bn.py` from torchvision's ImageNet weights, as the
    /// reference does for FCDD_CNN224_VGG(_F). Keys of the file beyond the net's own (the
    /// converter's `--all-features` adds indices 21–28) are ignored; `conv_final` keeps its
    /// random initialisation; frozen flags are kept.
    ///
    /// - Returns: the load report (it lists `conv_final` as missing: that layer keeps its
    ///   initialisation).
    /// - Throws: `CheckpointError.file(_:)` for an unreadable file, and
    ///   `CheckpointError.stateDict(file:_:)` when a backbone tensor is missing or has
    ///   another shape (nothing is loaded then).
    @discardableResult
    public func loadBackbone(from url: URL) throws(CheckpointError) -> StateDictReport {
        try loadVGGBackbone(from: url, prefix: "")
    }
}
