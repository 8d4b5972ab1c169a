/// Any JSON value, decoded without losing whether it was a boolean, a whole number or text:
/// for showing files such as `config.json` whose layout the report does not know.
enum JSONValue: Decodable, Equatable {
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

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
