/// Why a model file or training checkpoint could not be written, read or applied.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file itself could not be written or parsed.
    case file(SafeTensorsError)
    /// The stored model state does not fit the model (strict loading).
    case stateDict(file: String, StateDictError)
    /// The stored optimiser state does not fit the optimiser.
    case optimizer(file: String, OptimizerError)
    /// The file is a valid safetensors file but not a checkpoint of this format, or a
    /// required field is missing or malformed.
    case invalidCheckpoint(file: String, reason: String)

    public var description: String {
        switch self {
        case let .file(error): "\(error)"
        case let .stateDict(file, error): "\(file): \(error)"
        case let .optimizer(file, error): "\(file): \(error)"
        case let .invalidCheckpoint(file, reason): "\(file): not a usable training checkpoint: \(reason)"
        }
    }
}
