import ArgumentParser

/// `fcdd`: train and evaluate FCDD anomaly detectors from the command line.
@main
struct FCDDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fcdd",
        abstract: "Explainable deep one-class classification (FCDD, Liznerski et al., ICLR 2021).",
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, CompareCommand.self, ReportCommand.self])
}
