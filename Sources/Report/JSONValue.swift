import TensorCore

extension JSONValue {
    /// The value as text; lists comma-separated, objects as `{…}` (see ``flattened(prefix:)``).
    var text: String {
        switch self {
        case let .bool(value): "\(value)"
        case let .integer(value): "\(value)"
        case let .unsigned(value): "\(value)"
        case let .number(value): "\(value)"
        case let .string(value): value
        case let .array(values): values.map(\.text).joined(separator: ", ")
        case let .object(values): "{" + values.keys.sorted().map { "\($0): \(values[$0]?.text ?? "")" }.joined(separator: ", ") + "}"
        case .null: "null"
        }
    }

    /// Nested objects as dotted keys (`training.epochs`) with their values as text, sorted by key.
    func flattened(prefix: String = "") -> [(key: String, value: String)] {
        guard case let .object(values) = self else { return [(prefix, text)] }
        return values.keys.sorted().flatMap { key in
            values[key]?.flattened(prefix: prefix.isEmpty ? key : "\(prefix).\(key)") ?? []
        }
    }
}
