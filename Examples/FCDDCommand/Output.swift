import Foundation

/// Writes a line to standard output at once (`print` is fully buffered when the output is
/// a file, so a log of a long run would show nothing until the end).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
