import FCDD
import Foundation

/// Writes a line to standard output at once (`print` is fully buffered when the output is
/// a file, so a log of a long run would show nothing until the end).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Prints the test metrics that exist, such as `test image_auroc 0.9123`.
func sayMetrics(_ evaluation: AnomalyEvaluation) {
    let line = evaluation.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }
    say("test " + (line.isEmpty ? "metrics undefined (one class only)" : line.joined(separator: ", ")))
}
