import Foundation
import TensorCore

/// Everything needed to resume training: the model's state, the optimiser's state and
/// learning rate, and the number of finished epochs (learning-rate schedules are functions
/// of the epoch, so they need nothing else).
///
/// Stored as one safetensors file: model tensors under `model.<name>`, optimiser state under
/// `optimizer.<parameter>.<slot>`, and the scalars in the header's metadata. Writing is
/// atomic, and reading validates everything before anything is applied.
///
/// ```swift
/// try TrainingCheckpoint(model: net, optimizer: optimizer, epoch: epoch + 1).write(to: url)
/// // later, with a freshly built net and optimiser:
/// let checkpoint = try TrainingCheckpoint(contentsOf: url)
/// try checkpoint.restore(model: net, optimizer: &optimizer)
/// ```
public struct TrainingCheckpoint: Sendable {
    /// The `format` metadata value that marks a training checkpoint.
    public static let format = "fcdd-swift.training-checkpoint"
    /// The version of the layout written by this library.
    public static let version = 1

    /// The model's parameters and buffers by dotted name.
    public var modelState: [String: Tensor]
    /// The optimiser's per-parameter state (``Optimizer/state``).
    public var optimizerState: [String: Tensor]
    /// The type of optimiser the state belongs to (`SGD`, `Adam`), checked on restore.
    public var optimizerKind: String
    /// The optimiser's learning rate when the checkpoint was taken.
    public var learningRate: Float
    /// Number of finished epochs: training resumes at this epoch.
    public var epoch: Int
    /// Free-form information of the caller (configuration, metrics), stored with the file.
    public var userMetadata: [String: String]
    /// Where the checkpoint was read from, for error messages (`"checkpoint in memory"` otherwise).
    public private(set) var source = "checkpoint in memory"

    /// A checkpoint of the current state of `model` and `optimizer` after `epoch` epochs.
    public init(model: any Module, optimizer: any Optimizer, epoch: Int, userMetadata: [String: String] = [:]) {
        modelState = model.stateDict()
        optimizerState = optimizer.state
        optimizerKind = String(describing: type(of: optimizer))
        learningRate = optimizer.learningRate
        self.epoch = epoch
        self.userMetadata = userMetadata
    }

    /// Reads and validates a checkpoint file.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` for an unreadable or corrupt file and
    ///   ``CheckpointError/invalidCheckpoint(file:reason:)`` when it is not a checkpoint of
    ///   this format or a field is malformed.
    public init(contentsOf url: URL) throws(CheckpointError) {
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: url)
        } catch {
            throw .file(error)
        }
        try self.init(file, path: url.path)
    }

    /// Parses and validates the bytes of a checkpoint file (``serialized()``), such as one
    /// process received from another; `source` names it in errors.
    ///
    /// - Throws: as ``init(contentsOf:)``.
    public init(bytes: Data, source: String) throws(CheckpointError) {
        let file: SafeTensors
        do {
            file = try SafeTensors(bytes: bytes, source: source)
        } catch {
            throw .file(error)
        }
        try self.init(file, path: source)
    }

    private init(_ file: SafeTensors, path: String) throws(CheckpointError) {
        let metadata = file.metadata
        guard metadata["format"] == Self.format else {
            throw .invalidCheckpoint(
                file: path,
                reason:
                    "expected metadata format \"\(Self.format)\", found \(metadata["format"].map { "\"\($0)\"" } ?? "none") (a plain weights file loads with Module.load(contentsOf:))"
            )
        }
        guard metadata["format_version"] == String(Self.version) else {
            throw .invalidCheckpoint(file: path, reason: "expected format_version \(Self.version), found \(metadata["format_version"] ?? "none")")
        }
        guard let epochText = metadata["epoch"], let epoch = Int(epochText), epoch >= 0 else {
            throw .invalidCheckpoint(file: path, reason: "expected a non-negative integer epoch, found \(metadata["epoch"] ?? "none")")
        }
        guard let rateText = metadata["learning_rate"], let rate = Float(rateText), rate.isFinite, rate >= 0 else {
            throw .invalidCheckpoint(file: path, reason: "expected a finite non-negative learning_rate, found \(metadata["learning_rate"] ?? "none")")
        }
        guard let kind = metadata["optimizer"], !kind.isEmpty else {
            throw .invalidCheckpoint(file: path, reason: "the optimizer kind is missing")
        }
        var model: [String: Tensor] = [:]
        var optimizer: [String: Tensor] = [:]
        for (key, tensor) in file.tensors {
            if key.hasPrefix("model.") {
                model[String(key.dropFirst("model.".count))] = tensor
            } else if key.hasPrefix("optimizer.") {
                optimizer[String(key.dropFirst("optimizer.".count))] = tensor
            } else {
                throw .invalidCheckpoint(file: path, reason: "tensor \(key) is neither model.* nor optimizer.*")
            }
        }
        modelState = model
        optimizerState = optimizer
        optimizerKind = kind
        learningRate = rate
        self.epoch = epoch
        source = path
        userMetadata = metadata.reduce(into: [:]) { result, entry in
            if entry.key.hasPrefix("user.") { result[String(entry.key.dropFirst("user.".count))] = entry.value }
        }
    }

    /// Writes the checkpoint atomically (temporary file, then rename).
    ///
    /// - Throws: ``CheckpointError/file(_:)`` when the file cannot be written.
    public func write(to url: URL) throws(CheckpointError) {
        do {
            try file.write(to: url)
        } catch {
            throw .file(error)
        }
    }

    /// The bytes ``write(to:)`` writes.
    public func serialized() -> Data { file.serialized() }

    /// The checkpoint as a safetensors file.
    private var file: SafeTensors {
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in modelState { tensors["model." + name] = tensor }
        for (name, tensor) in optimizerState { tensors["optimizer." + name] = tensor }
        var metadata = [
            "format": Self.format, "format_version": String(Self.version), "epoch": String(epoch),
            "learning_rate": "\(learningRate)", "optimizer": optimizerKind,
        ]
        for (key, value) in userMetadata { metadata["user." + key] = value }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Loads the model state (strictly) and the optimiser state and learning rate. Checks
    /// everything first, so on error neither the model nor the optimiser has changed.
    ///
    /// - Throws: ``CheckpointError/stateDict(file:_:)`` when the model does not match,
    ///   ``CheckpointError/optimizer(file:_:)`` when the optimiser's state does not, and
    ///   ``CheckpointError/invalidCheckpoint(file:reason:)`` for a different optimiser type.
    public func restore<O: Optimizer>(model: any Module, optimizer: inout O) throws(CheckpointError) {
        let file = source
        let kind = String(describing: O.self)
        guard kind == optimizerKind else {
            throw .invalidCheckpoint(file: file, reason: "the checkpoint holds \(optimizerKind) state, restoring into \(kind)")
        }
        for (key, tensor) in optimizerState.sorted(by: { $0.key < $1.key }) {
            guard let dot = key.lastIndex(of: "."), let parameter = modelState[String(key[..<dot])] else {
                throw .invalidCheckpoint(file: file, reason: "optimizer state \(key) belongs to no tensor of the model state")
            }
            let expected = key[key.index(after: dot)...] == "step" ? [] : parameter.shape
            guard tensor.shape == expected else {
                throw .optimizer(file: file, .stateShapeMismatch(key: key, expected: expected, found: tensor.shape))
            }
        }
        var restored = optimizer
        do {
            try restored.loadState(optimizerState)
        } catch {
            throw .optimizer(file: file, error)
        }
        restored.learningRate = learningRate
        do {
            try model.load(modelState, strict: true)
        } catch {
            throw .stateDict(file: file, error)
        }
        optimizer = restored
    }
}
