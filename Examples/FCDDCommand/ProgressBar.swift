import Foundation
import TensorCore

/// A one-line progress bar on standard error with the step's loss and an estimate of the
/// time left, redrawn in place on a terminal and printed once per epoch otherwise (so
/// logs stay readable).
struct ProgressBar {
    private let start = ContinuousClock.now
    /// The units done before the bar started (a sweep's runs finished earlier), left out of
    /// the rate that estimates the time left.
    private let baseline: Int
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private let width = 30

    /// A bar whose work starts at `baseline` units done.
    init(baseline: Int = 0) {
        self.baseline = baseline
    }

    /// Shows `done` of `total` units of work with `detail`; `force` draws even when the
    /// last redraw was under 0.2 s ago (end of an epoch).
    mutating func update(done: Int, total: Int, detail: String, force: Bool = false) {
        let now = ContinuousClock.now
        guard force || (isTerminal && now - lastDraw >= .milliseconds(200)) else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let elapsed = (now - start).seconds
        let remaining = done > baseline ? elapsed * Double(total - done) / Double(done - baseline) : 0
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\(bar) \(String(format: "%3.0f", fraction * 100)) %  \(detail)  \(Self.clock(elapsed)) elapsed, \(Self.clock(remaining)) left"
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + (isTerminal ? "" : "\n")).utf8))
    }

    /// Ends the bar's line on a terminal.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
