import ArgumentParser
import Foundation
import Report

/// `fcdd report`: builds `report.html` again from the files of an earlier run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Build report.html again from the files of a folder written by fcdd train, evaluate or compare.",
        discussion: """
            Reads metrics.json, scores.csv, curves.json, history.csv, config.json and the \
            pictures under report/ (a comparison folder: comparison.json and each method's \
            folder), draws the charts into report/ and writes report.html beside them. A missing \
            optional file leaves its section out. Open report.html in any browser; it loads \
            nothing from the network.
            """)

    @Argument(help: ArgumentHelp("A folder written by fcdd train, evaluate or compare.", valueName: "run-folder"))
    var folder: String

    func run() throws {
        let page = try ReportWriter.write(folder: URL(fileURLWithPath: folder, isDirectory: true))
        say("wrote \(page.path)")
    }
}
