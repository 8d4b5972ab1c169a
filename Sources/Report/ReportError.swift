/// An error of the Report module: a folder that is not a run, a run file that cannot be read
/// as its writer wrote it, a report file that cannot be written, or a sweep whose settings
/// are out of range or differ from the sweep already in its folder. Every case names the
/// path or setting and says what was expected and what was found.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `path` holds neither the `metrics.json` of `fcdd train` / `fcdd evaluate` nor the
    /// `comparison.json` of `fcdd compare`; `found` lists some of the names it holds.
    case notARunFolder(path: String, found: [String])
    /// The file at `path` exists but is not what its writer writes.
    case unreadableFile(path: String, expected: String, found: String)
    /// A file of the report could not be written to `path`; `reason` says why.
    case writeFailed(path: String, reason: String)
    /// The folder holds a sweep (its settings in `path`) with other settings than the sweep
    /// asked for; `differences` names each (`--epochs: 3 in the sweep, 5 now`).
    case sweepMismatch(path: String, differences: [String])
    /// A setting of a sweep is out of range: `field` must be `expected`, and is `found`.
    case invalidSweep(field: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .notARunFolder(path, found):
            let listing = found.isEmpty ? "an empty or unreadable folder" : found.joined(separator: ", ")
            return "\(path) is not a run folder: expected \(RunFile.metrics) (written by fcdd train and fcdd evaluate) "
                + "or \(RunFile.comparison) (written by fcdd compare) or \(RunFile.sweep) (written by a sweep), found \(listing)"
        case let .unreadableFile(path, expected, found):
            return "\(path): expected \(expected), found \(found)"
        case let .writeFailed(path, reason):
            return "\(path): cannot write the file: \(reason)"
        case let .sweepMismatch(path, differences):
            return "\(path): the folder holds a sweep with other settings (\(differences.joined(separator: "; "))); "
                + "run it again with its settings to continue it, or give the new sweep another folder"
        case let .invalidSweep(field, expected, found):
            return "the sweep's \(field) must be \(expected), found \(found)"
        }
    }

    /// What a `Codable` reader found wrong, in a few words: the value and where it is.
    static func problem(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func place(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the top level" : path
        }
        switch error {
        case let .typeMismatch(type, context): return "a value of another type than \(type) at \(place(context))"
        case let .valueNotFound(type, context): return "no \(type) at \(place(context))"
        case let .keyNotFound(key, context): return "no \(key.stringValue) in \(place(context))"
        case let .dataCorrupted(context): return context.debugDescription.isEmpty ? "damaged data at \(place(context))" : context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
