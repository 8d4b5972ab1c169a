import ArgumentParser
import Datasets
import Explain
import FCDD
import Foundation
import Report
import TensorCore

/// `fcdd compare`: FCDD and the paper's two baselines on one data set with one seed, and
/// their explanations side by side.
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
            procedure, and the ground truth where it exists) and report.html (the methods side by side).
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
        let train = try TrainCommand.parse(trainOptions)
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
            let data = try train.data.load()
            let recipes = try ReferenceObjective.allCases.map { try train.makeRecipe(for: data, objective: $0) }
            let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
            var outcomes: [RecipeOutcome] = []
            for recipe in recipes {
                say("== \(recipe.objective.rawValue)")
                outcomes.append(try train.execute(recipe, on: data, output: outputDirectory.appendingPathComponent(recipe.objective.rawValue)))
            }
            try writeTable(outcomes, to: outputDirectory)
            try writeFigure(outcomes, data: data, to: outputDirectory.appendingPathComponent("comparison.png"))
            try ComparisonReport(folder: outputDirectory).write()
            say("wrote comparison.md, comparison.json, comparison.png and report.html to \(outputDirectory.path)")
        }
    }

    /// comparison.md and comparison.json: one row per method.
    private func writeTable(_ outcomes: [RecipeOutcome], to directory: URL) throws {
        let table = ComparisonTable(outcomes)
        for row in table.rows {
            say("\(row.method): " + table.shownMetrics.map { "\($0) \(row.metrics[$0].map { String(format: "%.4f", $0) } ?? "–")" }.joined(separator: ", "))
        }
        try table.write(into: directory)
    }

    /// The same anomalous test images under each method's heatmaps, each method's maps
    /// normalised with the same procedure (semi-global, the data set's quantile).
    private func writeFigure(_ outcomes: [RecipeOutcome], data: OneClassData, to url: URL) throws {
        guard let first = outcomes.first else { return }
        let chosen = TestSamples.spreadAnomalies(first.evaluation.labels, count: columns)
        guard !chosen.isEmpty else { return }
        let inputs = try HeatmapSamples.displayImages(first.evaluation.images.gathered(atIndices: chosen, alongAxis: 0))
        let methods = try outcomes.map { outcome in
            (name: outcome.recipe.objective.rawValue.uppercased(),
             heatmaps: try HeatmapDisplay(quantile: outcome.recipe.displayQuantile)
                .normalize(outcome.evaluation.heatmaps.gathered(atIndices: chosen, alongAxis: 0)))
        }
        let (height, width) = (first.evaluation.heatmaps.shape[1], first.evaluation.heatmaps.shape[2])
        let figure = try HeatmapFigure.comparison(
            inputs: inputs, methods: methods, groundTruth: try TestSamples.groundTruth(data.test, at: chosen, height: height, width: width),
            title: "\(data.description), nominal: \(data.normalClassName)")
        try figure.writePNG(to: url)
    }
}
