import Datasets
import Foundation
import Report
import Testing

/// Headless Chromium, when it is installed: `FCDD_CHROMIUM`, else `chromium`,
/// `chromium-browser` or `google-chrome` on the `PATH`.
enum Browser {
    static let executable: URL? = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["FCDD_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return URL(fileURLWithPath: "\(directory)/\(name)")
            }
        }
        return nil
    }()

    /// Whether the environment says this is continuous integration (`CI` set and not `false`
    /// or `0`), where the browser test must run.
    static let isContinuousIntegration: Bool = {
        guard let value = ProcessInfo.processInfo.environment["CI"]?.lowercased(), !value.isEmpty else { return false }
        return value != "false" && value != "0"
    }()

    /// Runs the browser headless with `arguments` and the page, for at most `timeout`
    /// seconds; returns standard output and standard error.
    static func run(_ executable: URL, _ arguments: [String], page: URL, timeout: TimeInterval = 90) throws -> (output: String, errors: String) {
        let process = Process()
        process.executableURL = executable
        let profile = temporaryDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        // --no-sandbox: the sandbox cannot start as root or in most containers.
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
            ]
            + arguments + [page.absoluteString]
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while the browser runs, so that neither fills up and blocks it.
        nonisolated(unsafe) var errorData = Data()
        let readErrors = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        readErrors.start()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        while !readErrors.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}

@Suite("Run report in a browser")
struct BrowserTests {
    @Test(
        "headless Chromium loads the report without script errors, every picture and chart renders, and a screenshot is taken",
        .enabled(
            if: Browser.executable != nil || Browser.isContinuousIntegration,
            "chromium is not installed (apt-get install chromium, or FCDD_CHROMIUM=/path/to/chrome); CI=true requires it"),
        .timeLimit(.minutes(5)))
    func rendersInChromium() throws {
        let browser = try #require(Browser.executable, "CI is set, so the browser test needs chromium: apt-get install chromium")
        let folder = try ReportFixture.folder()
        let page = folder.appendingPathComponent(RunFile.report)
        let html = try String(contentsOf: page, encoding: .utf8)
        let pictures = html.components(separatedBy: "<img ").count - 1

        let (dom, log) = try Browser.run(browser, ["--dump-dom"], page: page)
        let consoleLines = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(consoleLines.isEmpty, "console messages: \(consoleLines.joined(separator: "\n"))")
        let status = try #require(
            dom.range(of: "<p id=\"report-status\"").map { String(dom[$0.lowerBound...].prefix(400)) },
            "no status element in the DOM:\n\(dom.prefix(2000))\n\(log.suffix(2000))")
        #expect(status.contains("data-status=\"ok\""), "the page's self-check: \(status)")
        #expect(status.contains("data-images=\"\(pictures)\""), "\(pictures) pictures in the page: \(status)")
        #expect(pictures > 10)
        // The gallery's script ran: the count line says how many pictures are shown.
        #expect(dom.contains("10 of 10 pictures shown"))

        let screenshot =
            ProcessInfo.processInfo.environment["FCDD_REPORT_SCREENSHOT"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-report-screenshot.png")
        try? FileManager.default.removeItem(at: screenshot)
        _ = try Browser.run(browser, ["--hide-scrollbars", "--window-size=1280,2000", "--screenshot=\(screenshot.path)"], page: page)
        let image = try Image(contentsOf: screenshot)
        #expect(image.width == 1280 && image.height == 2000)
        // Not a blank page: the charts and pictures put many distinct colours on it.
        let colours = Set(
            stride(from: 0, to: image.pixels.count - 2, by: image.channels * 97).map { index in
                (0..<3).map { Int(image.pixels[index + $0] * 255) }
            })
        #expect(colours.count > 20, "\(colours.count) colours in the screenshot \(screenshot.path)")
        print("report screenshot: \(screenshot.path)")
    }
}
