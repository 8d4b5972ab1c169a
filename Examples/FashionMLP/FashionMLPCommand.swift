import ArgumentParser
import Datasets
import Foundation
import NN
import TensorCore

/// `fashion-mlp`: trains a 784→128→10 multilayer perceptron built from NN layers on
/// Fashion-MNIST with SGD and cross-entropy, printing the loss and test accuracy per epoch,
/// and optionally saves the trained weights as a safetensors file.
///
///     swift run -c release fashion-mlp                       # the sample bundled with Datasets
///     swift run -c release fashion-mlp --data ../shared/data/fashion-mnist --epochs 5 --save mlp.safetensors
@main
struct FashionMLPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-mlp",
        abstract: "Train a 784→128→10 MLP on Fashion-MNIST and report test accuracy per epoch.",
        discussion: """
            Without --data it trains on the small sample bundled with the Datasets module \
            (3,000 train and 1,000 test images). With --data it loads the full set from a \
            directory holding the four standard files, raw or .gz (for example \
            /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist package).
            """)

    @Option(help: ArgumentHelp("Directory with the four Fashion-MNIST files (raw or .gz); default: the bundled sample.", valueName: "dir"))
    var data: String?

    @Option(help: "Passes over the training set.")
    var epochs = 10

    @Option(help: "Images per gradient step.")
    var batchSize = 64

    @Option(help: "SGD step size.")
    var learningRate: Float = 0.02

    @Option(help: "SGD momentum, in [0, 1).")
    var momentum: Float = 0.9

    @Option(help: "Seed for the initial weights and the shuffling.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("Write the trained weights to this safetensors file (atomically).", valueName: "file"))
    var save: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, found \(epochs).") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, found \(batchSize).") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw ValidationError("--learning-rate must be a positive number, found \(learningRate).")
        }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw ValidationError("--momentum must be in [0, 1), found \(momentum).")
        }
        if let data {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError(
                    "--data \(data) is not a directory; expected one holding train-images-idx3-ubyte(.gz) and the other three Fashion-MNIST files.")
            }
        }
    }

    func run() async throws {
        // OPENBLAS_NUM_THREADS, FCDD_CONVOLUTION and FCDD_INSTRUCTION_SET, as for the other executables.
        try ComputeSettings.withSettings(try ComputeSettings(environment: ProcessInfo.processInfo.environment), operation: train)
    }

    private func train() throws {
        let loadStart = ContinuousClock.now
        let (train, test) = try loadData()
        let source = data.map { "Fashion-MNIST from \($0)" } ?? "the bundled Fashion-MNIST sample"
        print("\(source): \(train.count) train, \(test.count) test images (loaded in \(format(ContinuousClock.now - loadStart)))")

        var generator = SeededGenerator(seed: seed)
        let model = Sequential(
            Flatten(),
            Linear(784, 128, using: &generator),
            ReLU(),
            Linear(128, FashionMNIST.classNames.count, using: &generator))
        var optimizer = try SGD(learningRate: learningRate, momentum: momentum)
        print(model)
        print("\(model.parameterCount) parameters; SGD lr \(learningRate), momentum \(momentum), batch \(batchSize), seed \(seed)")

        let trainStart = ContinuousClock.now
        var order = Array(0..<train.count)
        for epoch in 1...epochs {
            let epochStart = ContinuousClock.now
            order.shuffle(using: &generator)
            var lossSum: Float = 0
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = Array(order[start..<min(start + batchSize, order.count)])
                let images = train.images.gathered(atIndices: batch, alongAxis: 0)
                let loss = Loss.crossEntropy(model(images), labels: batch.map { train.labels[$0] })
                try optimizer.step(model, gradients: model.gradients(of: loss))
                lossSum += loss.item() * Float(batch.count)
            }
            let predictions = try withoutGradients { () throws -> [Int] in model(test.images).argmax(alongAxis: 1) }
            let accuracy = Double(zip(predictions, test.labels).filter { $0 == $1 }.count) / Double(test.count)
            let line =
                "epoch \(epoch)/\(epochs)  train loss \(String(format: "%.4f", lossSum / Float(order.count)))"
                + "  test accuracy \(String(format: "%.4f", accuracy))  (\(format(ContinuousClock.now - epochStart)))"
            print(line)
        }
        print("trained in \(format(ContinuousClock.now - trainStart))")
        if let save {
            try model.save(to: URL(fileURLWithPath: save), metadata: ["model": "fashion-mlp 784-128-10", "epochs": String(epochs)])
            print("saved the weights to \(save)")
        }
    }

    private func loadData() throws(DatasetError) -> (train: IDXImageDataset, test: IDXImageDataset) {
        if let data {
            let directory = URL(fileURLWithPath: data, isDirectory: true)
            return (try FashionMNIST.load(split: .train, from: directory), try FashionMNIST.load(split: .test, from: directory))
        }
        return (try FashionMNIST.bundledSample(split: .train), try FashionMNIST.bundledSample(split: .test))
    }

    private func format(_ duration: Duration) -> String {
        String(format: "%.2f s", duration.seconds)
    }
}
