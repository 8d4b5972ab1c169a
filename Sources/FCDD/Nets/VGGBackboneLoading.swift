import Foundation
import NN
import TensorCore

extension Module {
    /// Loads torchvision VGG11-BN weights (a safetensors file made by
    /// `Scripts/convert_vgg11_bn.py`, whose names are torchvision's: `features.N.…`,
    /// `classifier.N.…`) into this module's tensors named `prefix` + that name.
    ///
    /// Every tensor of the module under `prefix` + `features.` or `prefix` + `classifier.`
    /// must be in the file with its shape (nothing is loaded otherwise); the file's other
    /// tensors are ignored, and the module's other tensors keep their values.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` for an unreadable file,
    ///   ``CheckpointError/stateDict(file:_:)`` for a missing tensor or another shape.
    func loadVGGBackbone(from url: URL, prefix: String) throws(CheckpointError) -> StateDictReport {
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: url)
        } catch {
            throw .file(error)
        }
        let expected = stateDict().filter { $0.key.hasPrefix(prefix + "features.") || $0.key.hasPrefix(prefix + "classifier.") }
        var wanted: [String: Tensor] = [:]
        for (name, tensor) in file.tensors where expected[prefix + name] != nil { wanted[prefix + name] = tensor }
        do throws(StateDictError) {
            let probe = StateDictReport(
                missingKeys: Set(expected.keys).subtracting(wanted.keys).sorted(), unexpectedKeys: [],
                shapeMismatches: wanted.compactMap { name, tensor in
                    expected[name].flatMap { $0.shape == tensor.shape ? nil : .init(name: name, expected: $0.shape, found: tensor.shape) }
                }.sorted { $0.name < $1.name },
                loadedCount: 0)
            guard probe.missingKeys.isEmpty, probe.shapeMismatches.isEmpty else { throw StateDictError(report: probe) }
            return try load(wanted, strict: false)
        } catch {
            throw .stateDict(file: url.path, error)
        }
    }
}
