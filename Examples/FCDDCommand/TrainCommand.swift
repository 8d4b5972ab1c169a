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
    var objective: String = AnomalyObjective.fcdd.rawValue

    @Option(help: ArgumentHelp("The net (default: FCDD_CNN28_W for fashion-mnist and mnist, FCDD_CNN32_LW3K for cifar10, FCDD_CNN224_VGG_NOPT for mvtec and folder, FCDD_CNN224_VGG_F with --backbone).", valueName: "name"))
    var net: String?

    @Option(help: ArgumentHelp("The ImageNet VGG11-BN backbone for the VGG nets (made by Scripts/convert_vgg11_bn.py, with --classifier for the hsc and ae baselines); selects FCDD_CNN224_VGG_F unless --net says otherwise.", valueName: "file"))
    var backbone: String?

    @Option(help: ArgumentHelp("How --objective hsc explains a score: grad (the reference's input gradient) or igN (integrated gradients with N steps from the black image; ig alone is ig32). Other objectives ignore it.", valueName: "method"))
    var gradientMethod: String = GradientMethod.gradient.description

    @Option(help: "mvtec and folder: the input height and width (default: the net's, 224 for the VGG nets).")
    var imageSize: Int?

    @Option(help: "Epochs, each one pass over the training images (default: 40 on the bundled sample, 20 for mvtec and folder, else the reference's 400 for Fashion-MNIST and MNIST and 600 for CIFAR-10; the reference's MVTec-AD epoch is 10 passes).")
    var epochs: Int?

    @Option(help: "Samples per loader batch (default: the reference's; 16 for mvtec and folder).")
    var batchSize: Int?

    @Option(help: "Loader batches concatenated into one forward pass (default: the reference's, 1 for mvtec and folder).")
    var accBatches: Int?

    @Option(help: "Initial learning rate (default: the reference's).")
    var learningRate: Float?

    @Option(help: "Weight decay (default: the reference's).")
    var weightDecay: Float?

    @Option(help: ArgumentHelp("Outlier exposure from a CIFAR-100 binary directory (train.bin).", valueName: "dir"))
    var oe: String?

    @Option(help: "Use at most this many outlier-exposure images (chosen with the seed).")
    var oeLimit: Int?

    @Option(help: ArgumentHelp("Synthetic anomalies: \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: blob for the benchmarks, confetti for mvtec and folder).", valueName: "mode"))
    var noise: String?

    @Option(help: ArgumentHelp("noise (the anomaly is the noise image) or malformed-normal (noise added to the nominal image; default for mvtec and folder).", valueName: "mode"))
    var superviseMode: String?

    @Option(help: "σ of the receptive-field Gaussian for heatmaps and the pixel-wise loss (default: the reference's per data set).")
    var gaussStd: Double?

    @Option(help: "Quantile of the nominal training images' scores used as the decision threshold stored with the model.")
    var thresholdQuantile = 0.95

    @Option(help: "Write output/checkpoint.safetensors every this many epochs.")
    var checkpointInterval = 5

    @Flag(help: "Continue from output/checkpoint.safetensors of an interrupted run with the same options.")
    var resume = false

    @OptionGroup var compute: ComputeOptions

    @Option(help: ArgumentHelp("Output directory (created; existing files in it are replaced).", valueName: "dir"))
    var output: String = "fcdd-output"

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, found \(epochs).") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, found \(batchSize).") }
        if let accBatches, accBatches < 1 { throw ValidationError("--acc-batches must be at least 1, found \(accBatches).") }
        if let oeLimit, oeLimit < 1 { throw ValidationError("--oe-limit must be at least 1, found \(oeLimit).") }
        if let gaussStd, !(gaussStd > 0) { throw ValidationError("--gauss-std must be positive, found \(gaussStd).") }
        guard (0...1).contains(thresholdQuantile) else { throw ValidationError("--threshold-quantile must be in [0, 1], found \(thresholdQuantile).") }
        guard checkpointInterval >= 1 else { throw ValidationError("--checkpoint-interval must be at least 1, found \(checkpointInterval).") }
        if let net, FCDDNetKind(rawValue: net) == nil {
            throw ValidationError("--net \(net) is not an FCDD net; expected one of \(FCDDNetKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let noise, NoiseMode(rawValue: noise) == nil {
            throw ValidationError("--noise \(noise) is not a noise mode; expected one of \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let superviseMode, SuperviseMode(rawValue: superviseMode) == nil {
            throw ValidationError("--supervise-mode \(superviseMode) is not a mode; expected one of \(SuperviseMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let backbone, !FileManager.default.fileExists(atPath: backbone) {
            throw ValidationError("--backbone \(backbone): no such file; make it with Scripts/convert_vgg11_bn.py.")
        }
        if net == FCDDNetKind.cnn224VGGFrozen.rawValue, backbone == nil {
            throw ValidationError("--net FCDD_CNN224_VGG_F trains on a frozen ImageNet backbone: give --backbone FILE (made by Scripts/convert_vgg11_bn.py).")
        }
        guard AnomalyObjective(rawValue: objective) != nil else {
            throw ValidationError("--objective \(objective) is not an objective; expected one of \(AnomalyObjective.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard GradientMethod(gradientMethod) != nil else {
            throw ValidationError("--gradient-method \(gradientMethod) is not a method; expected grad, ig, or ig followed by a positive step count (e.g. ig64).")
        }
        if let imageSize, imageSize < 1 { throw ValidationError("--image-size must be positive, found \(imageSize).") }
    }

    /// The FCDD net `--net` names, or the data set's default (VGG_F with `--backbone`).
    var fcddNet: FCDDNetKind {
        if let net, let kind = FCDDNetKind(rawValue: net) { return kind }  // validate() checked the name
        return switch data.dataset {
        case .fashionMNIST, .mnist: .cnn28Wide
        case .cifar10: .cnn32LW3K
        case .mvtec, .folder: backbone == nil ? .cnn224VGGNoPretraining : .cnn224VGGFrozen
        }
    }

    func run() async throws {
        _ = try execute()
    }

    /// Trains, evaluates and writes everything under the `--threads` and environment's compute
    /// settings; returns the test evaluation for `fcdd compare`.
    func execute() throws -> TrainOutcome {
        try compute.run(train)
    }

    private func train() throws -> TrainOutcome {
        let loaded = try data.load()
        let anomalies = AnomalyOptions(outlierExposure: oe, outlierLimit: oeLimit, noise: noise.flatMap(NoiseMode.init(rawValue:)),
                                       superviseMode: superviseMode.flatMap(SuperviseMode.init(rawValue:)), seed: data.seed)
        let objective = AnomalyObjective(rawValue: self.objective) ?? .fcdd
        var anomalyOptions = anomalies
        anomalyOptions.enabled = objective.trainsOnAnomalies
        let setup = try Setup.make(for: data, data: loaded, net: fcddNet, imageSize: imageSize, anomalies: anomalyOptions)
        let sigma = gaussStd ?? setup.sigma
        var configuration = setup.configuration
        configuration.seed = data.seed
        configuration.epochs = epochs ?? defaultEpochs(configuration)
        if data.dataset == .mvtec || data.dataset == .folder {
            configuration.batchSize = 16
            configuration.accumulatedBatches = 1
        }
        if let batchSize { configuration.batchSize = batchSize }
        if let accBatches { configuration.accumulatedBatches = accBatches }
        if let learningRate { configuration.learningRate = learningRate }
        if let weightDecay { configuration.weightDecay = weightDecay }
        try configuration.validate()

        let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
        let checkpoint = outputDirectory.appendingPathComponent("checkpoint.safetensors")
        if resume, !FileManager.default.fileExists(atPath: checkpoint.path) {
            throw ValidationError("--resume: no checkpoint at \(checkpoint.path).")
        }
        let loader = try DataLoader(dataset: loaded.train, batchSize: configuration.batchSize, transform: setup.trainTransform, seed: data.seed)
        let run = try makeRun(objective: objective, setup: setup, sigma: sigma, configuration: configuration, loader: loader, checkpoint: checkpoint)
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        say("\(loaded.description): \(loaded.train.count) nominal training images, \(loaded.test.count) test images"
            + (loaded.realAnomalies.map { ", \($0.count) real anomalies for training" } ?? "")
            + "; \(objective) with \(run.netName), \(setup.inputSize)×\(setup.inputSize)×\(setup.channels), \(run.parameterCount) parameters, \(configuration.epochs) epochs")

        let start = ContinuousClock.now
        var bar = ProgressBar()
        let history = try run.train { progress in
            let done = progress.epoch * progress.steps + progress.step + 1
            let endOfEpoch = progress.step == progress.steps - 1
            bar.update(done: done, total: progress.epochs * progress.steps,
                       detail: "epoch \(progress.epoch + 1)/\(progress.epochs)  loss \(String(format: "%.4f", progress.loss))", force: endOfEpoch)
        }
        bar.finish()
        let trainSeconds = ProgressBar.seconds(ContinuousClock.now - start)

        let predictor = try run.makePredictor()
        let batch = setup.inputSize > 64 ? 16 : 250
        let evaluation = try predictor.evaluate(loaded.test, batchSize: batch)
        Report.printMetrics(evaluation)
        // The decision threshold: a quantile of the nominal training images' scores.
        let threshold = try ThresholdCalibration.quantile(nominalScores: predictor.evaluate(loaded.train, batchSize: batch).scores, quantile: thresholdQuantile)
        predictor.threshold = threshold
        let rates = Report.rates(evaluation, threshold: threshold)
        say("threshold \(threshold) (\(thresholdQuantile) quantile of nominal training scores): \(String(format: "%.1f", 100 * rates.detection))% of test anomalies flagged, \(String(format: "%.1f", 100 * rates.falseAlarm))% false alarms")

        var metrics = evaluation.metrics
        metrics["epochs"] = Double(configuration.epochs)
        metrics["train_seconds"] = trainSeconds
        metrics["threshold"] = Double(threshold)
        metrics["test_detection_rate"] = rates.detection
        metrics["test_false_alarm_rate"] = rates.falseAlarm
        try Report.writeMetrics(metrics, to: outputDirectory.appendingPathComponent("metrics.json"))
        try AtomicFile.write(try JSONEncoder.pretty.encode(RunRecord(command: self, configuration: configuration, objective: objective, net: run.netName, sigma: sigma)),
                             to: outputDirectory.appendingPathComponent("config.json"))
        let historyRows = ["epoch,learning_rate,loss,nominal_score,anomalous_score,seconds"]
            + history.map { "\($0.epoch),\($0.learningRate),\($0.loss),\($0.nominalScore),\($0.anomalousScore),\($0.seconds)" }
        try AtomicFile.write(Data((historyRows.joined(separator: "\n") + "\n").utf8), to: outputDirectory.appendingPathComponent("history.csv"))
        try predictor.save(to: outputDirectory.appendingPathComponent("model.safetensors"), metadata: [
            "dataset": data.dataset.rawValue, "normal_class": data.normalClass, "display_quantile": String(setup.quantile),
        ])
        try Report.writeScores(evaluation, threshold: threshold, to: outputDirectory.appendingPathComponent("scores.csv"))
        try Report.writeFigure(evaluation, test: loaded.test, quantile: setup.quantile,
                               title: "\(objective.rawValue.uppercased()) \(run.netName), \(loaded.description), nominal: \(loaded.normalClassName)",
                               to: outputDirectory.appendingPathComponent("heatmaps.png"))
        say("wrote metrics.json, config.json, history.csv, model.safetensors, scores.csv and heatmaps.png to \(outputDirectory.path)")
        return TrainOutcome(objective: objective, netName: run.netName, evaluation: evaluation, test: loaded.test,
                            description: loaded.description, normalClassName: loaded.normalClassName, quantile: setup.quantile)
    }

    /// The net of the objective, a function that trains it and one that makes its predictor.
    private func makeRun(
        objective: AnomalyObjective, setup: Setup, sigma: Double, configuration: FCDDTrainingConfiguration, loader: DataLoader, checkpoint: URL
    ) throws -> TrainingRun {
        var generator = SeededGenerator(seed: data.seed)
        let inputSize = Size2D(setup.inputSize, setup.inputSize)
        switch objective {
        case .fcdd:
            let model = try setup.net.makeNet(inputChannels: setup.channels, using: &generator)
            do {
                _ = try model.spatialGeometry(forInput: inputSize)
            } catch {
                throw ValidationError("\(setup.net) cannot take \(setup.inputSize)×\(setup.inputSize) inputs: \(error)")
            }
            if let backbone {
                guard setup.net.isVGG, setup.channels == 3 else {
                    throw ValidationError("--backbone loads ImageNet weights into a VGG net with 3 input channels; found \(setup.net) with \(setup.channels) (use --channels rgb for grey folders).")
                }
                try (model as? FCDDCNN224VGG)?.loadBackbone(from: URL(fileURLWithPath: backbone))
            }
            let trainer = try FCDDTrainer(
                fcddNet: model, configuration: configuration, loader: loader,
                upsampler: setup.pixelWiseLoss ? try ReceptiveFieldUpsampler(net: model, inputSize: inputSize, sigma: sigma) : nil,
                checkpointURL: checkpoint, checkpointInterval: checkpointInterval)
            if resume { try trainer.resume(from: checkpoint) }
            return TrainingRun(
                netName: setup.net.rawValue, parameterCount: model.parameterCount, train: { try trainer.train(progress: $0) },
                makePredictor: { try FCDDPredictor(net: model, inputChannels: setup.channels, preprocessing: setup.preprocessing, inputSize: inputSize, sigma: sigma) })
        case .hsc, .ae:
            let paired = objective == .hsc ? BaselineNetKind.hsc(pairedWith: setup.net) : BaselineNetKind.autoencoder(pairedWith: setup.net)
            guard let kind = paired else {
                let nets = FCDDNetKind.allCases.filter { BaselineNetKind.hsc(pairedWith: $0) != nil }.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("the reference pairs no \(objective) baseline with \(setup.net); choose --net from \(nets) (the 28×28 and 32×32 nets need --image-size 28 or 32 for mvtec and folder).")
            }
            guard kind.designedInputSize == setup.inputSize else {
                throw ValidationError("\(kind) takes \(kind.designedInputSize)×\(kind.designedInputSize) images, found --image-size \(setup.inputSize).")
            }
            let model = try BaselineNet(kind, inputChannels: setup.channels, using: &generator)
            if let backbone {
                guard kind.isVGG, setup.channels == 3 else {
                    throw ValidationError("--backbone loads ImageNet weights into a VGG net with 3 input channels; found \(kind) with \(setup.channels).")
                }
                do {
                    try model.loadBackbone(from: URL(fileURLWithPath: backbone))
                } catch {
                    guard case let .stateDict(_, mismatch) = error, mismatch.report.missingKeys.contains(where: { $0.contains("classifier.") }) else {
                        throw error
                    }
                    throw ValidationError("\(kind) needs VGG11-BN's classifier as well as its features, and \(backbone) has no classifier: convert it with Scripts/convert_vgg11_bn.py --classifier.")
                }
            }
            let trainer = try BaselineTrainer(baselineNet: model, configuration: configuration, loader: loader,
                                              checkpointURL: checkpoint, checkpointInterval: checkpointInterval)
            if resume { try trainer.resume(from: checkpoint) }
            let blur = try GaussianBlur.reference(pairedWith: setup.net, sigma: sigma)
            // validate() checked the name; autoencoders explain by their reconstruction error.
            let method = kind.isAutoencoder ? .gradient : GradientMethod(gradientMethod) ?? .gradient
            return TrainingRun(
                netName: kind.rawValue, parameterCount: model.parameterCount, train: { try trainer.train(progress: $0) },
                makePredictor: { BaselinePredictor(net: model, preprocessing: setup.preprocessing, blur: blur, gradientMethod: method) })
        }
    }

    /// 40 epochs on the bundled sample, 20 on mvtec and folder, else the reference's.
    private func defaultEpochs(_ configuration: FCDDTrainingConfiguration) -> Int {
        switch data.dataset {
        case .fashionMNIST where data.data == nil: 40
        case .mvtec, .folder: 20
        default: configuration.epochs
        }
    }
}

/// What one `fcdd train` run measured, for `fcdd compare`.
struct TrainOutcome {
    let objective: AnomalyObjective
    let netName: String
    let evaluation: FCDDEvaluation
    let test: any ImageDataset
    let description: String
    let normalClassName: String
    /// The display quantile of the data set's heatmaps.
    let quantile: Double
}

/// What `fcdd train` needs of the objective's net: its name and size, its training and its
/// predictor.
struct TrainingRun {
    let netName: String
    let parameterCount: Int
    let train: (@escaping (FCDDTrainingProgress) -> Void) throws -> [FCDDEpochRecord]
    let makePredictor: () throws -> any AnomalyPredictor
}

/// `config.json`: the options of a run and the training configuration they gave.
struct RunRecord: Encodable {
    let dataset: String, data: String?, normalClass: String, seed: UInt64
    let objective: String, net: String, sigma: Double
    /// The HSC heatmaps' gradient method; `nil` for the other objectives.
    let gradientMethod: String?
    let outlierExposure: String?, noise: String?, superviseMode: String?, supervisedAnomalies: Int?
    let testFraction: Double?, maskPattern: String?
    let training: FCDDTrainingConfiguration

    init(command: TrainCommand, configuration: FCDDTrainingConfiguration, objective: AnomalyObjective, net: String, sigma: Double) {
        dataset = command.data.dataset.rawValue
        data = command.data.data
        normalClass = command.data.normalClass
        seed = command.data.seed
        self.objective = objective.rawValue
        self.net = net
        self.sigma = sigma
        gradientMethod = objective == .hsc ? command.gradientMethod : nil
        outlierExposure = command.oe
        noise = command.noise
        superviseMode = command.superviseMode
        supervisedAnomalies = command.data.supervisedAnomalies
        testFraction = command.data.dataset == .folder ? command.data.testFraction : nil
        maskPattern = command.data.maskPattern
        training = configuration
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
