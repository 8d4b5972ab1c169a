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
    /// The file is valid but holds another kind of model than its reader takes (such as a
    /// model of another training objective): `found` names what the file holds, `reader`
    /// the type or run that was asked to read it and `expected` what that reader takes.
    case kindMismatch(file: String, found: String, reader: String, expected: String)

    public var description: String {
        switch self {
        case let .file(error): "\(error)"
        case let .stateDict(file, error): "\(file): \(error)"
        case let .optimizer(file, error): "\(file): \(error)"
        case let .invalidCheckpoint(file, reason): "\(file): not a usable training checkpoint: \(reason)"
        case let .kindMismatch(file, found, reader, expected): "\(file): the file holds \(found), but \(reader) takes \(expected)"
        }
    }
}
