import ArgumentParser
import FCDD
import Foundation
import Report
import TensorCore

/// `fcdd compare`: FCDD and the paper's two baselines on one data set with one seed (or a
/// sweep over classes and seeds), and their explanations side by side.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train FCDD, HSC and AE on the same data and compare their metrics and heatmaps.",
        discussion: """
            Every other option is passed to `fcdd train` (see `fcdd train --help`), once per \
            objective, writing to OUTPUT/fcdd, OUTPUT/hsc and OUTPUT/ae. --net names the FCDD net; \
            the baselines are the nets the reference pairs with it (FCDD_CNN28_W with CNN28_W and \
            AE28, FCDD_CNN32_LW3K with CNN32_LW3K and AE32_LW3K, ...). Then writes comparison.md \
            and comparison.json (image AUC, and pixel AUC and AU-PRO where masks exist, per method), \
            comparison.png (inputs, the three methods' heatmaps with one normalisation \
            procedure, and the ground truth where it exists) and report.html (the methods side by side). \
            With --seeds or several classes it runs a sweep: each class and seed compared in \
            OUTPUT/class-C/seed-S, and each method's table of mean ± standard deviation in \
            results.md and results.json, linked from OUTPUT/report.html.
            """)

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String = "fcdd-comparison"

    @Option(parsing: .unconditional, help: "Test images shown in comparison.png (anomalous ones, spread over the test set).")
    var columns = 10

    @Argument(parsing: .allUnrecognized, help: "Options of `fcdd train` (not --objective or --output).")
    var trainOptions: [String] = []

    func validate() throws {
        guard (1...40).contains(columns) else { throw ValidationError("--columns must be in 1...40, found \(columns).") }
        if let reserved = trainOptions.first(where: { $0 == "--objective" || $0 == "--output" || $0.hasPrefix("--objective=") || $0.hasPrefix("--output=") }) {
            throw ValidationError("\(reserved) is set by fcdd compare for each objective; give --output for the comparison.")
        }
        let train: TrainCommand
        do {
            train = try TrainCommand.parse(trainOptions)
        } catch {
            // The train options' own message, not the parser's error around it.
            throw ValidationError(TrainCommand.message(for: error))
        }
        let net = train.fcddNet ?? Recipe.defaultNet(for: train.data.source)
        guard let hsc = BaselineNetKind.hsc(pairedWith: net), BaselineNetKind.autoencoder(pairedWith: net) != nil else {
            let nets = FCDDNetKind.allCases.filter { BaselineNetKind.hsc(pairedWith: $0) != nil }.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("the reference pairs no baselines with \(net); give --net with one of \(nets).")
        }
        if let size = train.imageSize, size.size != Size2D(hsc.designedInputSize, hsc.designedInputSize) {
            throw ValidationError("the baselines of \(net) take \(hsc.designedInputSize)×\(hsc.designedInputSize) images, found --image-size \(size).")
        }
    }

    func run() async throws {
        let train = try TrainCommand.parse(trainOptions)
        try train.compute.run {
            if train.isSweep {
                var options = train.sweepOptions
                options["--objective"] = nil
                options["--columns"] = String(columns)
                return try train.sweep(objectives: ReferenceObjective.allCases, command: "fcdd compare", output: output, options: options, columns: columns)
            }
            let data = try train.data.load()
            let recipes = try ReferenceObjective.allCases.map { try train.makeRecipe(for: data, objective: $0) }
            let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
            var outcomes: [RecipeOutcome] = []
            for recipe in recipes {
                say("== \(recipe.objective.rawValue)")
                outcomes.append(try train.execute(recipe, on: data, output: outputDirectory.appendingPathComponent(recipe.objective.rawValue)))
            }
            let files = ComparisonFiles(
                methods: outcomes.map(ComparedMethod.init), test: data.test,
                title: "\(data.description), nominal: \(data.normalClassName)", columns: columns)
            let table = files.table
            for row in table.rows {
                say("\(row.method): " + table.shownMetrics.map { "\($0) \(row.metrics[$0].map { String(format: "%.4f", $0) } ?? "–")" }.joined(separator: ", "))
            }
            try files.write(into: outputDirectory)
            say("wrote comparison.md, comparison.json, comparison.png and report.html to \(outputDirectory.path)")
        }
    }
}
