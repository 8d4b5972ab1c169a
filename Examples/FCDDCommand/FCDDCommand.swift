import ArgumentParser
import DistributedTraining
import Foundation

/// `fcdd`: train and evaluate FCDD anomaly detectors from the command line.
@main
struct FCDDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fcdd",
        abstract: "Explainable deep one-class classification (FCDD, Liznerski et al., ICLR 2021).",
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, CompareCommand.self, ReportCommand.self])

    /// Parses the command line with `--config` files expanded (``RunConfigurationFile``) and
    /// runs the subcommand.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let expanded: [String]
        do {
            expanded = try RunConfigurationFile.expandCommandLine(arguments)
        } catch {
            // Only train and compare expand --config.
            FileHandle.standardError.write(Data("Error: \(message(for: error))\n  See 'fcdd \(arguments[0]) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(expanded)
            try DistributedRun.refuseUnlessTrain(command)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            ProcessGroup.finish()
        } catch {
            DistributedRun.stop(after: error)
            exit(withError: error)
        }
    }
}
