/// Comma-separated values as RFC 4180 writes them: a field with a comma, a double quote or a
/// line break is quoted, its quotes doubled.
enum CSV {
    /// `field` ready to stand between commas.
    static func field(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The rows of `text`, each a list of fields, quotes undone; empty lines are skipped.
    /// Returns `nil` for a quoted field that never closes.
    static func rows(_ text: String) -> [[String]]? {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, wasQuoted = false
        var characters = text.makeIterator()
        var pending: Character?
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            case ",":
                row.append(field)
                (field, wasQuoted) = ("", false)
            case "\n", "\r\n", "\r":
                row.append(field)
                if row != [""] { rows.append(row) }
                (row, field, wasQuoted) = ([], "", false)
            default:
                field.append(character)
            }
        }
        if quoted { return nil }
        row.append(field)
        if row != [""] { rows.append(row) }
        return rows
    }
}
