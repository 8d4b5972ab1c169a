// `downstream [output-directory]`: trains our own net (ResidualFCN) with the library's FCDD
// objective and a second one with our own DeepSVDDObjective on the Fashion-MNIST sample
// bundled with the library (class 0 nominal), prints both test image AUCs, writes the FCDD
// heatmap figure, and checks that saved models load back (through a registry that knows our
// net and objective) and score exactly as the trained ones. Any failure exits with status 1.
import Datasets
import FCDD
import Foundation
import NN
import TensorCore

/// Training epochs of each model: enough for a clear result, short enough for CI.
let epochs = (fcdd: 15, deepSVDD: 8)
/// Each model's test AUC must exceed this (chance is 0.5), so a library change that breaks
/// training fails CI; the run reaches about 0.76 (FCDD) and 0.73 (Deep SVDD).
let minimumAUC = 0.6

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let components = (ContinuousClock.now - start).components
    return Double(components.seconds) + Double(components.attoseconds) / 1e18
}

/// Trains, evaluates, explains, saves and loads; writes its files to `output`.
///
/// - Throws: ``CheckFailure`` when a check fails, the library's errors when a step fails.
func run(output: URL) throws {
    let start = ContinuousClock.now
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let task = try FashionMNISTTask(normalClass: 0)
    print(
        "Fashion-MNIST sample, nominal class \(task.normalClass) (\(FashionMNIST.classNames[task.normalClass])): "
            + "\(task.train.count) training images, \(task.test.count) test images")

    // The receptive field the heatmaps use, computed from the net's layers, and a check
    // that `spatialLayers` lists every layer that changes geometry: the computed map size
    // must be the size a forward pass gives.
    let net = ResidualFCN(inputChannels: 1)
    let geometry = try net.spatialGeometry(forInput: 28)
    print("\(ResidualFCN.architectureName) on 28×28 inputs: \(geometry.size.height)×\(geometry.size.width) map, \(geometry.field)")
    let mapShape = withoutGradients { net(Tensor.zeros(shape: [1, 1, 28, 28])).shape }
    guard mapShape == [1, 1, geometry.size.height, geometry.size.width] else {
        throw CheckFailure(
            description: "the computed geometry \(geometry) does not match the forward pass's map \(mapShape); does spatialLayers list every layer?")
    }

    print("Training \(ResidualFCN.architectureName) with FCDD (blob-noise anomalies), \(epochs.fcdd) epochs")
    let fcdd = try Experiments.fcdd(on: task, epochs: epochs.fcdd)
    let fcddEvaluation = try fcdd.evaluate(task.test, batchSize: 100)
    print("Training a fresh \(ResidualFCN.architectureName) with Deep SVDD (nominal images only), \(epochs.deepSVDD) epochs")
    let deepSVDD = try Experiments.deepSVDD(on: task, epochs: epochs.deepSVDD)
    let deepSVDDEvaluation = try deepSVDD.evaluate(task.test, batchSize: 100)
    for (name, evaluation) in [("fcdd", fcddEvaluation), ("deep-svdd", deepSVDDEvaluation)] {
        guard let auc = evaluation.imageAUROC else { throw CheckFailure(description: "\(name): the test set lacks a class, no AUC") }
        print(String(format: "%@ test image AUC: %.4f", name, auc))
        guard auc > minimumAUC else { throw CheckFailure(description: "\(name): expected a test AUC above \(minimumAUC), found \(auc)") }
    }

    let figure = output.appendingPathComponent("fcdd-heatmaps.png")
    try HeatmapFigureWriter.write(
        fcddEvaluation, title: String(format: "%@ + FCDD, class %d, AUC %.3f", ResidualFCN.architectureName, task.normalClass, fcddEvaluation.imageAUROC ?? 0),
        to: figure)
    print("Heatmap figure: \(figure.path)")

    // One test image, written and read back as a user's PNG file would be.
    let imageURL = output.appendingPathComponent("test-image.png")
    try Image(tensor: task.test.sample(at: task.test.labels.firstIndex(of: 1) ?? 0).image).writePNG(to: imageURL)
    let image = try Image(contentsOf: imageURL)
    for (predictor, file) in [(fcdd, "fcdd.safetensors"), (deepSVDD, "deep-svdd.safetensors")] {
        let score = try ModelRoundTrip.check(predictor, image: image, file: output.appendingPathComponent(file))
        print("\(file): saved, loaded through the registry, same score \(score) and heatmap for \(imageURL.lastPathComponent)")
    }
    print(String(format: "Done in %.1f s.", seconds(since: start)))
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) || arguments.count > 1 {
    print("usage: downstream [output-directory]   (default: downstream-output)")
    exit(arguments.count > 1 ? 2 : 0)
}
do {
    try run(output: URL(fileURLWithPath: arguments.first ?? "downstream-output", isDirectory: true))
} catch {
    FileHandle.standardError.write(Data("downstream: error: \(error)\n".utf8))
    exit(1)
}
