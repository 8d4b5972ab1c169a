/// Any JSON value, decoded without losing whether it was a boolean, a whole number or text:
/// for files whose layout a reader checks itself (a safetensors header, a run's
/// `config.json`). Shared by the package's modules, not part of the public API.
package indirect enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    /// A whole number that fits `Int64`.
    case integer(Int64)
    /// A whole number above `Int64.max` that fits `UInt64`.
    case unsigned(UInt64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
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
}
