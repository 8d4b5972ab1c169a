import ArgumentParser
import Datasets
import Explain
import FCDD
import Foundation
import NN
import TensorCore

/// `fcdd train`: one-class training on a benchmark data set with the reference's defaults,
/// then the test AUC, the model, the loss history and a heatmap figure in `--output`.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train FCDD on one normal class and report the test AUC with heatmaps.",
        discussion: """
            fashion-mnist uses the sample bundled with the Datasets module unless --data names a \
            directory with the four IDX files; cifar10 needs --data (the CIFAR-10 binary batches). \
            Anomalies come from outlier exposure (--oe: a CIFAR-100 binary directory, made grey and \
            28×28 for Fashion-MNIST, as the reference does) or from synthetic noise (--noise). \
            Writes metrics.json, model.safetensors, history.csv, config.json and heatmaps.png.
            """)

    enum DatasetName: String, ExpressibleByArgument, CaseIterable {
        case fashionMNIST = "fashion-mnist"
        case cifar10
    }

    @Option(help: "The data set: fashion-mnist or cifar10.")
    var dataset: DatasetName = .fashionMNIST

    @Option(help: ArgumentHelp("The data set's directory (default for fashion-mnist: the bundled sample).", valueName: "dir"))
    var data: String?

    @Option(help: "The normal class (0-based).")
    var normalClass = 0

    @Option(help: ArgumentHelp("The net (default: FCDD_CNN28_W for fashion-mnist, FCDD_CNN32_LW3K for cifar10).", valueName: "name"))
    var net: String?

    @Option(help: "Epochs (the reference trains 400 on Fashion-MNIST and 600 on CIFAR-10; 40 on the bundled sample take about 2 minutes on 2 cores).")
    var epochs = 40

    @Option(help: ArgumentHelp("Outlier exposure from a CIFAR-100 binary directory (train.bin).", valueName: "dir"))
    var oe: String?

    @Option(help: ArgumentHelp("Synthetic anomalies instead of outlier exposure: \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "mode"))
    var noise: String = "blob"

    @Option(help: "Quantile of the nominal training images' scores used as the decision threshold stored with the model.")
    var thresholdQuantile = 0.95

    @Option(help: "Seed of the weights, data order, augmentation and anomalies.")
    var seed: UInt64 = 0

    @Option(help: "Compute threads for the kernels.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Output directory (created; existing files in it are replaced).", valueName: "dir"))
    var output: String = "fcdd-output"

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, found \(epochs).") }
        guard (0...1).contains(thresholdQuantile) else { throw ValidationError("--threshold-quantile must be in [0, 1], found \(thresholdQuantile).") }
        guard (0..<10).contains(normalClass) else { throw ValidationError("--normal-class must be in 0...9 for \(dataset.rawValue), found \(normalClass).") }
        if let net, FCDDNetKind(rawValue: net) == nil {
            throw ValidationError("--net \(net) is not an FCDD net; expected one of \(FCDDNetKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if oe == nil, NoiseMode(rawValue: noise) == nil {
            throw ValidationError("--noise \(noise) is not a noise mode; expected one of \(NoiseMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if dataset == .cifar10, data == nil { throw ValidationError("--dataset cifar10 needs --data DIR with the CIFAR-10 binary batches.") }
    }

    func run() async throws {
        ComputeThreads.set(threads)
        let setup = try makeSetup()
        let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: seed)
        let model = try FCDDNet(setup.net, inputChannels: setup.channels, using: &generator)
        var configuration = setup.configuration
        configuration.epochs = epochs
        configuration.seed = seed
        let loader = try DataLoader(dataset: setup.train, batchSize: configuration.batchSize, transform: setup.trainTransform, seed: seed)
        let trainer = try FCDDTrainer(net: model, configuration: configuration, loader: loader)
        print("\(setup.description): \(setup.train.count) nominal training images, \(setup.test.count) test images; \(setup.net), \(model.parameterCount) parameters, \(epochs) epochs")

        let start = ContinuousClock.now
        try trainer.train { progress in
            guard progress.step == progress.steps - 1 else { return }
            print("epoch \(progress.epoch + 1)/\(progress.epochs)  loss \(String(format: "%.4f", progress.loss))  (\(String(format: "%.1f", seconds(ContinuousClock.now - start))) s)")
        }

        let (scores, maps, inputs) = try evaluate(model, on: setup.test, setup)
        let auc = try ROC.areaUnderCurve(scores: scores, labels: setup.test.labels)
        print("test image AUC \(String(format: "%.4f", auc)) (normal class \(normalClass): \(setup.classNames[normalClass]))")
        // The decision threshold: a quantile of the nominal training images' scores.
        let threshold = try ThresholdCalibration.quantile(nominalScores: evaluate(model, on: setup.train, setup).scores, quantile: thresholdQuantile)
        let decisions = ThresholdCalibration.decisions(scores: scores, threshold: threshold)
        let rate = { (label: Int) in
            Double(zip(decisions, setup.test.labels).filter { $1 == label && $0 }.count) / Double(max(1, setup.test.labels.filter { $0 == label }.count))
        }
        print("threshold \(threshold) (\(thresholdQuantile) quantile of nominal training scores): \(String(format: "%.1f", 100 * rate(1)))% of test anomalies flagged, \(String(format: "%.1f", 100 * rate(0)))% false alarms")

        let metrics = ["image_auroc": auc, "epochs": Double(epochs), "train_seconds": seconds(ContinuousClock.now - start),
                       "threshold": Double(threshold), "test_detection_rate": rate(1), "test_false_alarm_rate": rate(0)]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys]), to: outputDirectory.appendingPathComponent("metrics.json"))
        try AtomicFile.write(try JSONEncoder.pretty.encode(configuration), to: outputDirectory.appendingPathComponent("config.json"))
        let history = ["epoch,learning_rate,loss,nominal_score,anomalous_score,seconds"]
            + trainer.history.map { "\($0.epoch),\($0.learningRate),\($0.loss),\($0.nominalScore),\($0.anomalousScore),\($0.seconds)" }
        try AtomicFile.write(Data((history.joined(separator: "\n") + "\n").utf8), to: outputDirectory.appendingPathComponent("history.csv"))
        let predictor = try FCDDPredictor(net: model, preprocessing: setup.preprocessing, inputSize: Size2D(setup.inputSize, setup.inputSize),
                                          sigma: setup.sigma, threshold: threshold)
        try predictor.save(to: outputDirectory.appendingPathComponent("model.safetensors"), metadata: [
            "dataset": dataset.rawValue, "normal_class": String(normalClass), "display_quantile": String(setup.quantile),
        ])
        try writeFigure(inputs: inputs, maps: maps, scores: scores, labels: setup.test.labels, setup: setup,
                        to: outputDirectory.appendingPathComponent("heatmaps.png"))
        print("wrote metrics.json, config.json, history.csv, model.safetensors and heatmaps.png to \(outputDirectory.path)")
    }

    /// Scores, up-sampled maps and inputs of a whole split, with the test-time preprocessing.
    private func evaluate(_ model: FCDDNet, on dataset: any ImageDataset, _ setup: Setup) throws -> (scores: [Float], maps: Tensor, inputs: Tensor) {
        model.eval()
        let loader = try DataLoader(dataset: dataset, batchSize: 250, shuffles: false, transform: try setup.preprocessing.transform(), seed: 0)
        let size = Size2D(setup.inputSize, setup.inputSize)
        let upsampler = try model.upsampler(inputSize: size, sigma: setup.sigma)
        var scores: [Float] = []
        var maps: [Tensor] = [], inputs: [Tensor] = []
        let batches = loader.epoch(0)
        while let batch = try batches.next() {
            try withoutGradients { () throws in
                let phi = try model(batch.images)
                scores += try FCDDLoss.scores(phi).scalars
                maps.append(try upsampler.upsample(FCDDLoss.anomalyMap(phi)))
                inputs.append(batch.images)
            }
        }
        return (scores, try Tensor.concatenate(maps), try Tensor.concatenate(inputs))
    }

    /// The paper's Figure 1 layout for the first nominal and anomalous test images.
    private func writeFigure(inputs: Tensor, maps: Tensor, scores: [Float], labels: [Int], setup: Setup, to url: URL) throws {
        let columns = 8
        let nominal = Array(labels.indices.filter { labels[$0] == 0 }.prefix(columns))
        let anomalous = Array(labels.indices.filter { labels[$0] == 1 }.prefix(columns))
        let chosen = nominal + anomalous
        let normalized = try HeatmapNormalization.semiGlobal(quantile: setup.quantile)
            .normalize(maps.gathered(atIndices: chosen, alongAxis: 0)).squeezed(axis: 1)
        let images = try HeatmapSamples.displayImages(inputs.gathered(atIndices: chosen, alongAxis: 0))
        let figure = try HeatmapFigure.explanation(
            nominal: Array(images[..<nominal.count]), anomalous: Array(images[nominal.count...]),
            heatmaps: try normalized.slice(alongAxis: 0, nominal.count..<chosen.count),
            nominalHeatmaps: try normalized.slice(alongAxis: 0, 0..<nominal.count),
            title: "FCDD \(setup.net), \(setup.description), nominal: \(setup.classNames[normalClass])")
        try figure.writePNG(to: url)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
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
