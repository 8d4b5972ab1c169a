import Foundation
import TensorCore

extension Module {
    /// Saves every parameter and buffer (the ``stateDict()``) as a safetensors file,
    /// atomically: a crash never leaves a partial file at `url`.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` when the file cannot be written.
    public func save(to url: URL, metadata: [String: String] = [:]) throws(CheckpointError) {
        do {
            try SafeTensors(tensors: stateDict(), metadata: metadata).write(to: url)
        } catch {
            throw .file(error)
        }
    }

    /// Loads parameters and buffers from a safetensors file written by ``save(to:metadata:)``
    /// or by PyTorch (`safetensors.torch.save_file(model.state_dict(), path)`).
    ///
    /// - Parameters:
    ///   - url: the safetensors file.
    ///   - strict: as in ``load(_:strict:)``: refuse (and change nothing) unless
    ///     the names and shapes match exactly.
    /// - Returns: what matched and what did not.
    /// - Throws: ``CheckpointError/file(_:)`` for an unreadable or corrupt file and
    ///   ``CheckpointError/stateDict(file:_:)`` when strict loading finds a mismatch.
    @discardableResult
    public func load(contentsOf url: URL, strict: Bool = true) throws(CheckpointError) -> StateDictReport {
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: url)
        } catch {
            throw .file(error)
        }
        do {
            return try load(file.tensors, strict: strict)
        } catch {
            throw .stateDict(file: url.path, error)
        }
    }
}
