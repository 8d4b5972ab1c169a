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
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: url)
        } catch {
            throw .file(error)
        }
        let backbone = Set(stateDict().keys.filter { $0.hasPrefix("features.") })
        let wanted = file.tensors.filter { backbone.contains($0.key) }
        let report: StateDictReport
        do throws(StateDictError) {
            // Strict on the backbone: the file must hold all of it with the right shapes.
            let expected = stateDict().filter { backbone.contains($0.key) }
            let probe = StateDictReport(
                missingKeys: backbone.subtracting(wanted.keys).sorted(), unexpectedKeys: [],
                shapeMismatches: wanted.compactMap { name, tensor in
                    expected[name].flatMap { $0.shape == tensor.shape ? nil : .init(name: name, expected: $0.shape, found: tensor.shape) }
                }.sorted { $0.name < $1.name },
                loadedCount: 0)
            guard probe.missingKeys.isEmpty, probe.shapeMismatches.isEmpty else { throw StateDictError(report: probe) }
            report = try load(wanted, strict: false)
        } catch {
            throw .stateDict(file: url.path, error)
        }
        return report
    }
}
