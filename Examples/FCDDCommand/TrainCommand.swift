import ArgumentParser
import Datasets
import DistributedTraining
import Explain
import FCDD
import Foundation
import NN
import Report

/// `fcdd train`: one-class training with the reference's defaults, then the test metrics,
/// the model, the loss history and a heatmap figure in `--output`.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train FCDD on one normal class and report the test AUC with heatmaps.",
        discussion: """
            fashion-mnist uses the sample bundled with the Datasets module unless --data names a \
            directory with the four IDX files. Anomalies come from outlier exposure (--oe: a \
            CIFAR-100 binary directory or any folder of images, made grey and 28×28 for Fashion-MNIST and MNIST as the \
            reference does), synthetic noise (--noise, --supervise-mode) or a few real anomalies \
            (--supervised-anomalies). mvtec and folder follow the reference's MVTec-AD pipeline \
            (confetti noise on the nominal image, pixel-wise loss where masks exist) and report \
            pixel AUC and AU-PRO at each image's own size when masks exist. \
            Writes metrics.json, model.safetensors, history.csv, config.json, scores.csv, curves.json, \
            heatmaps.png and report.html (open it in a browser; `fcdd report` builds it again). \
            With --seeds or several classes (--normal-class all or a list) it runs a sweep: one run per \
            class and seed in OUTPUT/class-C/seed-S, and results.md, results.json (mean ± sample \
            standard deviation over seeds per class, and the mean over classes) and report.html in \
            OUTPUT; the same command again continues an interrupted sweep. \
            Started by an MPI launcher (mpirun -np N fcdd train …), the processes train one model together, \
            each on its share of every batch with --threads threads, and process 0 writes the outputs.
            """)

    @OptionGroup var data: DataOptions

    @Option(
        help: ArgumentHelp(
            "fcdd, or a baseline of the paper: hsc (hypersphere classifier, gradient heatmaps) or ae (autoencoder, reconstruction-error heatmaps, trained on nominal images only). The baseline net is the one the reference pairs with the FCDD net (--net).",
            valueName: "objective"))
    var objective: String = ReferenceObjective.fcdd.rawValue

    @Option(
        help: ArgumentHelp(
            "The net (default: FCDD_CNN28_W for fashion-mnist and mnist, FCDD_CNN32_LW3K for cifar10, FCDD_CNN224_VGG_NOPT for mvtec and folder, FCDD_CNN224_VGG_F with --backbone).",
            valueName: "name"))
    var net: String?

    @Option(
        help: ArgumentHelp(
            "The ImageNet VGG11-BN backbone for the VGG nets (made by Scripts/convert_vgg11_bn.py, with --classifier for the hsc and ae baselines); selects FCDD_CNN224_VGG_F unless --net says otherwise.",
            valueName: "file"))
    var backbone: String?

    @Option(
        help: ArgumentHelp(
            "How --objective hsc explains a score: grad (the reference's input gradient) or igN (integrated gradients with N steps from the black image; ig alone is ig32). Other objectives ignore it.",
            valueName: "method"))
    var gradientMethod: String = GradientMethod.gradient.description

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "mvtec and folder: the input size, N for N×N or H×W (also HxW) for other shapes (default: the net's, 224×224 for the VGG nets).",
            valueName: "size"))
    var imageSize: ImageSizeArgument?

    @Option(
        parsing: .unconditional,
        help:
            "Epochs, each one pass over the training images (default: 40 on the bundled sample, 20 for mvtec and folder, else the reference's 400 for Fashion-MNIST and MNIST and 600 for CIFAR-10; the reference's MVTec-AD epoch is 10 passes)."
    )
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Samples per loader batch (default: the reference's; 16 for mvtec and folder).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Loader batches concatenated into one forward pass (default: the reference's, 1 for mvtec and folder).")
    var accBatches: Int?

    @Option(parsing: .unconditional, help: "Initial learning rate (default: the reference's).")
    var learningRate: Float?

    @Option(parsing: .unconditional, help: "Weight decay (default: the reference's).")
    var weightDecay: Float?

    @Option(
        help: ArgumentHelp(
            "Outlier exposure: a CIFAR-100 binary directory (train.bin), or any folder of PNG or JPEG images (searched recursively; made grey or colour and resized as the recipe's inputs).",
            valueName: "dir"))
    var oe: String?

    @Option(parsing: .unconditional, help: "Use at most this many outlier-exposure images (chosen with the seed).")
    var oeLimit: Int?

    @Option(
        help: ArgumentHelp(
            "Synthetic anomalies: \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: blob for the benchmarks, confetti for mvtec and folder).",
            valueName: "mode"))
    var noise: String?

    @Option(
        help: ArgumentHelp(
            "noise (the anomaly is the noise image) or malformed-normal (noise added to the nominal image; default for mvtec and folder).", valueName: "mode"))
    var superviseMode: String?

    @Option(parsing: .unconditional, help: "σ of the receptive-field Gaussian for heatmaps and the pixel-wise loss (default: the reference's per data set).")
    var gaussStd: Double?

    @Option(parsing: .unconditional, help: "Quantile of the nominal training images' scores used as the decision threshold stored with the model.")
    var thresholdQuantile = 0.95

    @Option(
        parsing: .unconditional,
        help: "Quantile of the nominal training images' heatmap pixels used as the pixel threshold stored with the model (masks of fcdd predict).")
    var pixelThresholdQuantile = HeatmapCalibration.defaultPixelQuantile

    @Option(parsing: .unconditional, help: "Write output/checkpoint.safetensors every this many epochs.")
    var checkpointInterval = 5

    @Flag(help: "Continue from output/checkpoint.safetensors of an interrupted run with the same options (a sweep always continues where it stopped).")
    var resume = false

    @Option(
        help: ArgumentHelp(
            "Run a sweep over these seeds (comma-separated, e.g. 0,1,2,3,4), one run per seed and class in OUTPUT/class-C/seed-S, with a table of mean ± standard deviation; replaces --seed.",
            valueName: "list"))
    var seeds: SeedList?

    @Option(help: ArgumentHelp("Repeat a run: the options recorded in the config.json it wrote; options given here override them.", valueName: "file"))
    var config: String?

    @OptionGroup var compute: ComputeOptions

    @Option(help: ArgumentHelp("Output directory (created; existing files in it are replaced).", valueName: "dir"))
    var output: String = "fcdd-output"

    func validate() throws {
        if let config {
            throw ValidationError("--config \(config) is expanded by the fcdd command line; parse with RunConfigurationFile.expand first.")
        }
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
        if let imageSize, !(Recipe.inputSizes.contains(imageSize.size.height) && Recipe.inputSizes.contains(imageSize.size.width)) {
            let range = Recipe.inputSizes
            throw ValidationError("--image-size must be in \(range.lowerBound)...\(range.upperBound) on each side, found \(imageSize).")
        }
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
        guard (HeatmapCalibration.defaultLowQuantile...1).contains(pixelThresholdQuantile) else {
            throw ValidationError("--pixel-threshold-quantile must be in [\(HeatmapCalibration.defaultLowQuantile), 1], found \(pixelThresholdQuantile).")
        }
        if let seeds, let twice = seeds.repeated { throw ValidationError("--seeds \(seeds) names the seed \(twice) twice.") }
        guard checkpointInterval >= 1 else { throw ValidationError("--checkpoint-interval must be at least 1, found \(checkpointInterval).") }
        if let net, FCDDNetKind(rawValue: net) == nil {
            throw ValidationError("--net \(net) is not an FCDD net; expected one of \(FCDDNetKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let noise, NoiseMode(rawValue: noise) == nil {
            throw ValidationError("--noise \(noise) is not a noise mode; expected one of \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let superviseMode, SyntheticPlacement(rawValue: superviseMode) == nil {
            throw ValidationError(
                "--supervise-mode \(superviseMode) is not a mode; expected one of \(SyntheticPlacement.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let backbone, !FileManager.default.fileExists(atPath: backbone) {
            throw ValidationError("--backbone \(backbone): no such file; make it with Scripts/convert_vgg11_bn.py.")
        }
        if net == FCDDNetKind.cnn224VGGFrozen.rawValue, backbone == nil {
            throw ValidationError("--net FCDD_CNN224_VGG_F trains on a frozen ImageNet backbone: give --backbone FILE (made by Scripts/convert_vgg11_bn.py).")
        }
        guard ReferenceObjective(rawValue: objective) != nil else {
            throw ValidationError(
                "--objective \(objective) is not an objective; expected one of \(ReferenceObjective.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard GradientMethod(gradientMethod) != nil else {
            throw ValidationError(
                "--gradient-method \(gradientMethod) is not a method; expected grad, ig, or ig followed by a positive step count (e.g. ig64).")
        }
    }

    /// The FCDD net `--net` names, VGG_F for mvtec and folder with `--backbone`, or `nil` for
    /// the recipe's default.
    var fcddNet: FCDDNetKind? {
        if let net { return FCDDNetKind(rawValue: net) }  // validate() checked the name
        return backbone != nil && (data.dataset == .mvtec || data.dataset == .folder) ? .cnn224VGGFrozen : nil
    }

    /// Trains, evaluates and writes everything under the `--threads` and environment's compute
    /// settings: one run, or a sweep over classes and seeds; a run with the processes of an
    /// MPI launcher when one started this one.
    func run() async throws {
        try compute.run {
            let communicator = try ProcessGroup.join()
            if isSweep {
                guard communicator.worldSize == 1 else {
                    throw ValidationError(
                        "a sweep (--seeds, several classes) runs in one process; start each run under mpirun on its own, found \(communicator.worldSize) processes."
                    )
                }
                return try sweep(objectives: [ReferenceObjective(rawValue: objective) ?? .fcdd], command: "fcdd train", output: output, options: sweepOptions)
            }
            let data = try self.data.load()
            let recipe = try makeRecipe(for: data, objective: ReferenceObjective(rawValue: objective) ?? .fcdd)
            _ = try execute(recipe, on: data, output: URL(fileURLWithPath: output, isDirectory: true), communicator: communicator)
        }
    }

    /// The library's paper recipe for `data` with this command's options applied.
    func makeRecipe(for data: OneClassData, objective: ReferenceObjective) throws -> Recipe {
        var recipe = try Recipe.paper(for: data, objective: objective, net: fcddNet, imageSize: imageSize?.size)
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
                let directory = URL(fileURLWithPath: oe, isDirectory: true)
                // CIFAR-100's binary version (train.bin), else every image below the folder.
                let outliers: any ImageDataset =
                    FileManager.default.fileExists(atPath: directory.appendingPathComponent("train.bin").path)
                    ? try CIFAR(directory: directory, split: .train, variant: .cifar100Fine)
                    : try ImageFileDataset(folders: [directory], channels: recipe.channels == 1 ? .grey : .rgb)
                recipe.anomalies = .outlierExposure(outliers, limit: oeLimit)
            } else if case let .synthetic(mode, placement) = recipe.anomalies {
                recipe.anomalies = .synthetic(
                    noise.flatMap(NoiseMode.init(rawValue:)) ?? mode,
                    superviseMode.flatMap(SyntheticPlacement.init(rawValue:)) ?? placement)
            }
        }
        return recipe
    }

    /// `recipe` as a run of this command: its checkpoint interval and calibration quantiles,
    /// `config.json` (``RunRecord``) and the data set and class in the model file.
    func trainingRun(_ recipe: Recipe, communicator: any Communicator = SingleProcessCommunicator()) throws -> TrainingRun {
        TrainingRun(
            recipe: recipe,
            options: RecipeRunOptions(
                checkpointInterval: checkpointInterval, thresholdQuantile: thresholdQuantile,
                pixelThresholdQuantile: pixelThresholdQuantile, communicator: communicator),
            command: "fcdd train", configuration: try JSONEncoder.pretty.encode(RunRecord(command: self, recipe: recipe, net: recipe.netName)),
            modelMetadata: ["dataset": data.dataset.rawValue, "normal_class": data.normalClass])
    }

    /// Trains `recipe` on `data` with a progress bar, prints the test metrics, and writes
    /// everything to `outputDirectory`; returns the outcome for `fcdd compare`.
    func execute(
        _ recipe: Recipe, on data: OneClassData, output outputDirectory: URL, communicator: any Communicator = SingleProcessCommunicator()
    ) throws -> RecipeOutcome {
        let writes = communicator.rank == 0
        if resume, writes, !FileManager.default.fileExists(atPath: TrainingRun.checkpointURL(in: outputDirectory).path) {
            throw ValidationError("--resume: no checkpoint at \(TrainingRun.checkpointURL(in: outputDirectory).path).")
        }
        try communicator.requireSameOptions(RunRecord(command: self, recipe: recipe, net: try recipe.netName))
        // The outputs appear together at the end; the folder is made (and checked) first, by
        // process 0 alone.
        let prepared = try trainingRun(recipe, communicator: communicator).prepare(on: data, into: outputDirectory, resume: resume)
        if writes { sayStart(prepared) }
        var bar = ProgressBar()
        let outcome = try prepared.train(
            callbacks: TrainingCallbacks(afterStep: { progress in
                guard writes else { return .proceed }
                let done = progress.epoch * progress.steps + progress.step + 1
                bar.update(done: done, total: progress.epochs * progress.steps, detail: progress.summary, force: progress.step == progress.steps - 1)
                return .proceed
            }))
        guard writes else { return outcome }
        bar.finish()
        sayOutcome(outcome, thresholdQuantile: thresholdQuantile)
        say("wrote metrics.json, config.json, history.csv, model.safetensors, scores.csv, curves.json, heatmaps.png and report.html to \(outputDirectory.path)")
        return outcome
    }
}

/// `config.json`: the options of a run and the training configuration they gave; `--config`
/// reads it back (``RunConfigurationFile``).
struct RunRecord: Encodable {
    let dataset: String, data: String?, normalClass: String, seed: UInt64
    /// The net trained (a baseline's own net for hsc and ae) and the FCDD net `--net` named.
    let objective: String, net: String, fcddNet: String, sigma: Double
    let backbone: String?, imageSize: String?, channels: String?
    /// The HSC heatmaps' gradient method; `nil` for the other objectives.
    let gradientMethod: String?
    let outlierExposure: String?, oeLimit: Int?, noise: String?, superviseMode: String?, supervisedAnomalies: Int?
    let testFraction: Double?, maskPattern: String?
    let thresholdQuantile: Double, checkpointInterval: Int
    let training: TrainingConfiguration

    init(command: TrainCommand, recipe: Recipe, net: String) {
        dataset = command.data.dataset.rawValue
        data = command.data.data
        normalClass = command.data.normalClass
        seed = command.data.seed
        objective = recipe.objective.rawValue
        self.net = net
        fcddNet = recipe.net.rawValue
        sigma = recipe.sigma
        backbone = command.backbone
        imageSize = command.imageSize?.description
        channels = command.data.dataset == .folder ? command.data.channels.rawValue : nil
        gradientMethod = recipe.objective == .hsc ? command.gradientMethod : nil
        outlierExposure = command.oe
        oeLimit = command.oeLimit
        noise = command.noise
        superviseMode = command.superviseMode
        supervisedAnomalies = command.data.supervisedAnomalies
        testFraction = command.data.dataset == .folder ? command.data.testFraction : nil
        maskPattern = command.data.maskPattern
        thresholdQuantile = command.thresholdQuantile
        checkpointInterval = command.checkpointInterval
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
