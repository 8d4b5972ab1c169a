import ArgumentParser
import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore

/// `fcdd train`: one-class training with the reference's defaults, then the test metrics,
/// the model, the loss history and a heatmap figure in `--output`.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train FCDD on one normal class and report the test AUC with heatmaps.",
        discussion: """
            fashion-mnist uses the sample bundled with the Datasets module unless --data names a \
            directory with the four IDX files. Anomalies come from outlier exposure (--oe: a \
            CIFAR-100 binary directory, made grey and 28×28 for Fashion-MNIST and MNIST, as the \
            reference does), synthetic noise (--noise, --supervise-mode) or a few real anomalies \
            (--supervised-anomalies). mvtec and folder follow the reference's MVTec-AD pipeline \
            (confetti noise on the nominal image, pixel-wise loss where masks exist) and report \
            pixel AUC and AU-PRO at each image's own size when masks exist. \
            Writes metrics.json, model.safetensors, history.csv, config.json, scores.csv and heatmaps.png.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("fcdd, or a baseline of the paper: hsc (hypersphere classifier, gradient heatmaps) or ae (autoencoder, reconstruction-error heatmaps, trained on nominal images only). The baseline net is the one the reference pairs with the FCDD net (--net).", valueName: "objective"))
    var objective: String = ReferenceObjective.fcdd.rawValue

    @Option(help: ArgumentHelp("The net (default: FCDD_CNN28_W for fashion-mnist and mnist, FCDD_CNN32_LW3K for cifar10, FCDD_CNN224_VGG_NOPT for mvtec and folder, FCDD_CNN224_VGG_F with --backbone).", valueName: "name"))
    var net: String?

    @Option(help: ArgumentHelp("The ImageNet VGG11-BN backbone for the VGG nets (made by Scripts/convert_vgg11_bn.py, with --classifier for the hsc and ae baselines); selects FCDD_CNN224_VGG_F unless --net says otherwise.", valueName: "file"))
    var backbone: String?

    @Option(help: ArgumentHelp("How --objective hsc explains a score: grad (the reference's input gradient) or igN (integrated gradients with N steps from the black image; ig alone is ig32). Other objectives ignore it.", valueName: "method"))
    var gradientMethod: String = GradientMethod.gradient.description

    @Option(parsing: .unconditional, help: "mvtec and folder: the input height and width (default: the net's, 224 for the VGG nets).")
    var imageSize: Int?

    @Option(parsing: .unconditional, help: "Epochs, each one pass over the training images (default: 40 on the bundled sample, 20 for mvtec and folder, else the reference's 400 for Fashion-MNIST and MNIST and 600 for CIFAR-10; the reference's MVTec-AD epoch is 10 passes).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Samples per loader batch (default: the reference's; 16 for mvtec and folder).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Loader batches concatenated into one forward pass (default: the reference's, 1 for mvtec and folder).")
    var accBatches: Int?

    @Option(parsing: .unconditional, help: "Initial learning rate (default: the reference's).")
    var learningRate: Float?

    @Option(parsing: .unconditional, help: "Weight decay (default: the reference's).")
    var weightDecay: Float?

    @Option(help: ArgumentHelp("Outlier exposure from a CIFAR-100 binary directory (train.bin).", valueName: "dir"))
    var oe: String?

    @Option(parsing: .unconditional, help: "Use at most this many outlier-exposure images (chosen with the seed).")
    var oeLimit: Int?

    @Option(help: ArgumentHelp("Synthetic anomalies: \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: blob for the benchmarks, confetti for mvtec and folder).", valueName: "mode"))
    var noise: String?

    @Option(help: ArgumentHelp("noise (the anomaly is the noise image) or malformed-normal (noise added to the nominal image; default for mvtec and folder).", valueName: "mode"))
    var superviseMode: String?

    @Option(parsing: .unconditional, help: "σ of the receptive-field Gaussian for heatmaps and the pixel-wise loss (default: the reference's per data set).")
    var gaussStd: Double?

    @Option(parsing: .unconditional, help: "Quantile of the nominal training images' scores used as the decision threshold stored with the model.")
    var thresholdQuantile = 0.95

    @Option(parsing: .unconditional, help: "Write output/checkpoint.safetensors every this many epochs.")
    var checkpointInterval = 5

    @Flag(help: "Continue from output/checkpoint.safetensors of an interrupted run with the same options.")
    var resume = false

    @OptionGroup var compute: ComputeOptions

    @Option(help: ArgumentHelp("Output directory (created; existing files in it are replaced).", valueName: "dir"))
    var output: String = "fcdd-output"

    func validate() throws {
        func check(_ option: String, _ value: Int?, in range: ClosedRange<Int>) throws {
            if let value, !range.contains(value) {
                throw ValidationError("\(option) must be in \(range.lowerBound)...\(range.upperBound), found \(value).")
            }
        }
        typealias Limits = TrainingConfiguration.Limits
        try check("--epochs", epochs, in: Limits.epochs)
        try check("--batch-size", batchSize, in: Limits.batchSize)
        try check("--acc-batches", accBatches, in: Limits.accumulatedBatches)
        if let batchSize, let accBatches { try check("--batch-size × --acc-batches", batchSize * accBatches, in: Limits.samplesPerStep) }
        try check("--image-size", imageSize, in: Recipe.inputSizes)
        if let oeLimit, oeLimit < 1 { throw ValidationError("--oe-limit must be at least 1, found \(oeLimit).") }
        if let gaussStd, !(gaussStd.isFinite && gaussStd >= FCDDGaussianKernel.minimumSigma) {
            throw ValidationError("--gauss-std must be finite and at least \(FCDDGaussianKernel.minimumSigma), found \(gaussStd).")
        }
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw ValidationError("--learning-rate must be finite and positive, found \(learningRate).")
        }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) {
            throw ValidationError("--weight-decay must be finite and at least 0, found \(weightDecay).")
        }
        guard (0...1).contains(thresholdQuantile) else { throw ValidationError("--threshold-quantile must be in [0, 1], found \(thresholdQuantile).") }
        guard checkpointInterval >= 1 else { throw ValidationError("--checkpoint-interval must be at least 1, found \(checkpointInterval).") }
        if let net, FCDDNetKind(rawValue: net) == nil {
            throw ValidationError("--net \(net) is not an FCDD net; expected one of \(FCDDNetKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let noise, NoiseMode(rawValue: noise) == nil {
            throw ValidationError("--noise \(noise) is not a noise mode; expected one of \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let superviseMode, SyntheticPlacement(rawValue: superviseMode) == nil {
            throw ValidationError("--supervise-mode \(superviseMode) is not a mode; expected one of \(SyntheticPlacement.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let backbone, !FileManager.default.fileExists(atPath: backbone) {
            throw ValidationError("--backbone \(backbone): no such file; make it with Scripts/convert_vgg11_bn.py.")
        }
        if net == FCDDNetKind.cnn224VGGFrozen.rawValue, backbone == nil {
            throw ValidationError("--net FCDD_CNN224_VGG_F trains on a frozen ImageNet backbone: give --backbone FILE (made by Scripts/convert_vgg11_bn.py).")
        }
        guard ReferenceObjective(rawValue: objective) != nil else {
            throw ValidationError("--objective \(objective) is not an objective; expected one of \(ReferenceObjective.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard GradientMethod(gradientMethod) != nil else {
            throw ValidationError("--gradient-method \(gradientMethod) is not a method; expected grad, ig, or ig followed by a positive step count (e.g. ig64).")
        }
        if let imageSize, imageSize < 1 { throw ValidationError("--image-size must be positive, found \(imageSize).") }
    }

    /// The FCDD net `--net` names, VGG_F for mvtec and folder with `--backbone`, or `nil` for
    /// the recipe's default.
    var fcddNet: FCDDNetKind? {
        if let net { return FCDDNetKind(rawValue: net) }  // validate() checked the name
        return backbone != nil && (data.dataset == .mvtec || data.dataset == .folder) ? .cnn224VGGFrozen : nil
    }

    /// Trains, evaluates and writes everything under the `--threads` and environment's compute settings.
    func run() async throws {
        try compute.run {
            let data = try self.data.load()
            let recipe = try makeRecipe(for: data, objective: ReferenceObjective(rawValue: objective) ?? .fcdd)
            _ = try execute(recipe, on: data, output: URL(fileURLWithPath: output, isDirectory: true))
        }
    }

    /// The library's paper recipe for `data` with this command's options applied.
    func makeRecipe(for data: OneClassData, objective: ReferenceObjective) throws -> Recipe {
        var recipe = try Recipe.paper(for: data, objective: objective, net: fcddNet, imageSize: imageSize)
        recipe.training.seed = self.data.seed
        if let epochs { recipe.training.epochs = epochs }
        if let batchSize { recipe.training.batchSize = batchSize }
        if let accBatches { recipe.training.accumulatedBatches = accBatches }
        if let learningRate { recipe.training.learningRate = learningRate }
        if let weightDecay { recipe.training.weightDecay = weightDecay }
        try recipe.training.validate()
        if let gaussStd { recipe.sigma = gaussStd }
        // validate() checked the names.
        recipe.gradientMethod = GradientMethod(gradientMethod) ?? .gradient
        recipe.backbone = backbone.map { URL(fileURLWithPath: $0) }
        // Real anomalies of the data come first; then outlier exposure; then the noise options.
        if data.realAnomalies == nil, objective.trainsOnAnomalies {
            if let oe {
                let outliers = try CIFAR(directory: URL(fileURLWithPath: oe, isDirectory: true), split: .train, variant: .cifar100Fine)
                recipe.anomalies = .outlierExposure(outliers, limit: oeLimit)
            } else if case let .synthetic(mode, placement) = recipe.anomalies {
                recipe.anomalies = .synthetic(noise.flatMap(NoiseMode.init(rawValue:)) ?? mode,
                                              superviseMode.flatMap(SyntheticPlacement.init(rawValue:)) ?? placement)
            }
        }
        return recipe
    }

    /// Trains `recipe` on `data` with a progress bar, prints the test metrics, and writes
    /// everything to `outputDirectory`; returns the outcome for `fcdd compare`.
    func execute(_ recipe: Recipe, on data: OneClassData, output outputDirectory: URL) throws -> RecipeOutcome {
        let checkpoint = outputDirectory.appendingPathComponent("checkpoint.safetensors")
        if resume, !FileManager.default.fileExists(atPath: checkpoint.path) {
            throw ValidationError("--resume: no checkpoint at \(checkpoint.path).")
        }
        // The outputs appear together at the end; the folder is made (and checked) first.
        let outputs = try StagedDirectory(publishingTo: outputDirectory)
        let training = try recipe.prepare(on: data, options: RecipeRunOptions(
            checkpointURL: checkpoint, checkpointInterval: checkpointInterval, resume: resume, thresholdQuantile: thresholdQuantile))
        let netName = try recipe.netName
        say("\(data.description): \(data.train.count) nominal training images, \(data.test.count) test images"
            + (data.realAnomalies.map { ", \($0.count) real anomalies for training" } ?? "")
            + "; \(recipe.objective) with \(netName), \(recipe.inputSize)×\(recipe.inputSize)×\(recipe.channels), \(training.net.parameterCount) parameters, \(recipe.training.epochs) epochs")

        var bar = ProgressBar()
        let outcome = try training.run(callbacks: TrainingCallbacks(afterStep: { progress in
            let done = progress.epoch * progress.steps + progress.step + 1
            let endOfEpoch = progress.step == progress.steps - 1
            bar.update(done: done, total: progress.epochs * progress.steps,
                       detail: "epoch \(progress.epoch + 1)/\(progress.epochs)  loss \(String(format: "%.4f", progress.loss))", force: endOfEpoch)
            return .proceed
        }))
        bar.finish()
        let evaluation = outcome.evaluation
        let threshold = outcome.predictor.threshold ?? .infinity
        Report.printMetrics(evaluation)
        say("threshold \(threshold) (\(thresholdQuantile) quantile of nominal training scores): \(String(format: "%.1f", 100 * outcome.detectionRate))% of test anomalies flagged, \(String(format: "%.1f", 100 * outcome.falseAlarmRate))% false alarms")

        var metrics = evaluation.metrics
        metrics["epochs"] = Double(recipe.training.epochs)
        metrics["train_seconds"] = outcome.trainingSeconds
        metrics["threshold"] = Double(threshold)
        metrics["test_detection_rate"] = outcome.detectionRate
        metrics["test_false_alarm_rate"] = outcome.falseAlarmRate
        try Report.writeMetrics(metrics, to: outputs.url(for: "metrics.json"))
        try AtomicFile.write(try JSONEncoder.pretty.encode(RunRecord(command: self, recipe: recipe, net: netName)),
                             to: outputs.url(for: "config.json"))
        let historyRows = ["epoch,learning_rate,loss,nominal_score,anomalous_score,seconds,data_seconds,step_seconds"]
            + outcome.history.map {
                "\($0.epoch),\($0.learningRate),\($0.loss),\($0.nominalScore),\($0.anomalousScore),\($0.seconds),"
                    + "\($0.dataSeconds),\($0.stepSeconds)"
            }
        try AtomicFile.write(Data((historyRows.joined(separator: "\n") + "\n").utf8), to: outputs.url(for: "history.csv"))
        try outcome.predictor.save(to: outputs.url(for: "model.safetensors"), metadata: [
            "dataset": self.data.dataset.rawValue, "normal_class": self.data.normalClass, "display_quantile": String(recipe.displayQuantile),
        ])
        try Report.writeScores(evaluation, threshold: threshold, to: outputs.url(for: "scores.csv"))
        try Report.writeFigure(evaluation, test: data.test, quantile: recipe.displayQuantile,
                               title: "\(recipe.objective.rawValue.uppercased()) \(netName), \(data.description), nominal: \(data.normalClassName)",
                               to: outputs.url(for: "heatmaps.png"))
        try outputs.publish()
        say("wrote metrics.json, config.json, history.csv, model.safetensors, scores.csv and heatmaps.png to \(outputDirectory.path)")
        return outcome
    }
}

/// `config.json`: the options of a run and the training configuration they gave.
struct RunRecord: Encodable {
    let dataset: String, data: String?, normalClass: String, seed: UInt64
    let objective: String, net: String, sigma: Double
    /// The HSC heatmaps' gradient method; `nil` for the other objectives.
    let gradientMethod: String?
    let outlierExposure: String?, noise: String?, superviseMode: String?, supervisedAnomalies: Int?
    let testFraction: Double?, maskPattern: String?
    let training: TrainingConfiguration

    init(command: TrainCommand, recipe: Recipe, net: String) {
        dataset = command.data.dataset.rawValue
        data = command.data.data
        normalClass = command.data.normalClass
        seed = command.data.seed
        objective = recipe.objective.rawValue
        self.net = net
        sigma = recipe.sigma
        gradientMethod = recipe.objective == .hsc ? command.gradientMethod : nil
        outlierExposure = command.oe
        noise = command.noise
        superviseMode = command.superviseMode
        supervisedAnomalies = command.data.supervisedAnomalies
        testFraction = command.data.dataset == .folder ? command.data.testFraction : nil
        maskPattern = command.data.maskPattern
        training = recipe.training
    }
}

extension JSONEncoder {
    /// Sorted keys and indentation, for files people read.
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
