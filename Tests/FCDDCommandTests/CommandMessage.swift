@testable import FCDDCommand

/// The message the `fcdd` command prints for `arguments`, or `parsed` when they parse.
func message(_ arguments: [String]) -> String {
    do {
        _ = try FCDDCommand.parseAsRoot(arguments)
        return "parsed"
    } catch {
        return FCDDCommand.message(for: error)
    }
}
