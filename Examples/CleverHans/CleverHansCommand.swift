import ArgumentParser
import Foundation
import TensorCore

/// `clever-hans`: the FCDD paper's "Clever Hans" study on CIFAR-10 (see
/// `Sources/FCDD/FCDD.docc/CleverHans.md`).
///
///     swift run -c release clever-hans --threads 1 --output /tmp/clever-hans
@main
struct CleverHansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clever-hans",
        abstract: "Do one-class models fixate on a watermark that some training anomalies carry?",
        discussion: """
            Trains FCDD (FCDD_CNN32_LW3K) and the HSC baseline (CNN32_LW3K) on CIFAR-10 nominal \
            classes and a labelled anomalous class, a fraction of whose images carry a small \
            semi-transparent "©" in the bottom-right corner. Writes clever-hans.md and \
            clever-hans.json (heatmap mass inside the watermark box and image AUCs on held-back \
            images) and clever-hans.png (held-back watermarked anomalies with both heatmaps) to OUTPUT.
            """)

    @Option(help: ArgumentHelp("CIFAR-10 directory (binary version); its training batches are used.", valueName: "dir"))
    var data = "../shared/data/cifar-10-subset"

    @Option(parsing: .upToNextOption, help: "Nominal CIFAR-10 classes.")
    var nominal: [Int] = [0, 1, 8, 9]

    @Option(help: "The anomalous CIFAR-10 class.")
    var anomalous = 7

    @Option(help: "Use only the first N images of each class (default: all).")
    var imagesPerClass: Int?

    @Option(help: "Share of the anomalous images that carry the watermark, in (0, 1).")
    var watermarkedFraction = 0.25

    @Option(help: "Share of each group held back for testing, in (0, 1).")
    var testFraction = 0.2

    @Option(help: "Opacity of the watermark, in (0, 1].")
    var watermarkAlpha: Float = 0.5

    @Option(help: "Training epochs of each method.")
    var epochs = 6

    @Option(help: "Samples per batch.")
    var batchSize = 20

    @Option(help: "Batches per optimiser step.")
    var accBatches = 1

    @Option(help: "Adam's learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "Seed of the split, the watermark choice, the weights and the data order.")
    var seed: UInt64 = 0

    @Option(help: "Held-back watermarked anomalies shown in the figure.")
    var columns = 10

    @Option(help: "Compute threads for the kernels (default: OPENBLAS_NUM_THREADS, else the number of cores).")
    var threads: Int?

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output = "clever-hans"

    /// The study's settings from the options.
    var settings: StudySettings {
        StudySettings(
            data: data, nominalClasses: nominal, anomalousClass: anomalous, imagesPerClass: imagesPerClass,
            watermarkedFraction: watermarkedFraction, testFraction: testFraction, watermarkAlpha: watermarkAlpha,
            epochs: epochs, batchSize: batchSize, accumulatedBatches: accBatches, learningRate: learningRate, seed: seed, columns: columns)
    }

    func validate() throws {
        let classes = nominal + [anomalous]
        guard !nominal.isEmpty, classes.allSatisfy((0..<10).contains), Set(classes).count == classes.count else {
            throw ValidationError("--nominal and --anomalous must be distinct CIFAR-10 classes in 0...9, found \(nominal) and \(anomalous).")
        }
        for (name, value) in [("--watermarked-fraction", watermarkedFraction), ("--test-fraction", testFraction)] where !(value > 0 && value < 1) {
            throw ValidationError("\(name) must be in (0, 1), found \(value).")
        }
        guard watermarkAlpha > 0, watermarkAlpha <= 1 else { throw ValidationError("--watermark-alpha must be in (0, 1], found \(watermarkAlpha).") }
        for (name, value) in [("--epochs", epochs), ("--batch-size", batchSize), ("--acc-batches", accBatches), ("--columns", columns)]
        where value < 1 {
            throw ValidationError("\(name) must be at least 1, found \(value).")
        }
        if let threads, !(1...ComputeSettings.maximumThreads).contains(threads) {
            throw ValidationError("--threads must be in 1...\(ComputeSettings.maximumThreads), found \(threads).")
        }
        if let imagesPerClass, imagesPerClass < 2 { throw ValidationError("--images-per-class must be at least 2, found \(imagesPerClass).") }
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--learning-rate must be positive, found \(learningRate).") }
    }

    func run() async throws {
        var compute = try ComputeSettings(environment: ProcessInfo.processInfo.environment)
        if let threads { compute.threads = threads }
        _ = try ComputeSettings.withSettings(compute) {
            try CleverHansStudy(settings: settings).run(writingTo: URL(fileURLWithPath: output, isDirectory: true)) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
    }
}
