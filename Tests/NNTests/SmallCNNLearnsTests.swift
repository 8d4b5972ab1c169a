import Datasets
import Foundation
import NN
import TensorCore
import Testing

/// End to end through the NN layer: a small CNN built from Conv2d, BatchNorm2d, LeakyReLU,
/// MaxPool2d, Flatten and Linear, trained with Nesterov SGD and cross-entropy on real
/// images, must reach a stated test accuracy. A wrong gradient, a batch-norm mode bug or a
/// broken optimiser step keeps it far below.
@Suite("A small CNN learns real images")
struct SmallCNNLearnsTests {
    static func makeNet(seed: UInt64) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        return Sequential(
            Conv2d(1, 6, kernelSize: 3, padding: 1, using: &generator),
            BatchNorm2d(6, epsilon: 1e-4),
            LeakyReLU(),
            MaxPool2d(kernelSize: 2),
            Conv2d(6, 12, kernelSize: 3, padding: 1, using: &generator),
            BatchNorm2d(12, epsilon: 1e-4),
            LeakyReLU(),
            MaxPool2d(kernelSize: 2),
            Flatten(),
            Linear(12 * 7 * 7, 10, using: &generator))
    }

    /// Images `[N, 1, 28, 28]` with their labels.
    typealias LabelledImages = (images: Tensor, labels: [Int])

    /// The first `count` images of a dataset.
    static func firstImages(_ dataset: IDXImageDataset, _ count: Int) throws -> LabelledImages {
        let n = Swift.min(count, dataset.count)
        return (dataset.images.slice(alongAxis: 0, 0..<n), Array(dataset.labels.prefix(n)))
    }

    /// Trains for `epochs` over `train` with batches of 50 and returns the accuracy on `test`.
    static func trainAndEvaluate(train: LabelledImages, test: LabelledImages, epochs: Int, seed: UInt64) throws -> Double {
        let net = try makeNet(seed: seed)
        var optimizer = try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4)
        var generator = SeededGenerator(seed: seed)
        var order = Array(train.labels.indices)
        for _ in 0..<epochs {
            net.train()
            order.shuffle(using: &generator)
            for start in stride(from: 0, to: order.count, by: 50) {
                let batch = Array(order[start..<min(start + 50, order.count)])
                let images = train.images.gathered(atIndices: batch, alongAxis: 0)
                let loss = Loss.crossEntropy(net(images), labels: batch.map { train.labels[$0] })
                try optimizer.step(net, gradients: net.gradients(of: loss))
            }
        }
        net.eval()
        var correct = 0
        try withoutGradients { () throws in
            for start in stride(from: 0, to: test.labels.count, by: 500) {
                let range = start..<min(start + 500, test.labels.count)
                let logits = net(test.images.slice(alongAxis: 0, range))
                let predictions = logits.argmax(alongAxis: 1)
                for (offset, prediction) in predictions.enumerated() where prediction == test.labels[start + offset] { correct += 1 }
            }
        }
        return Double(correct) / Double(test.labels.count)
    }

    /// Measured: 0.846 test accuracy on the 1,000-image test sample after 3 epochs (180
    /// steps) on the 3,000-image train sample of Fashion-MNIST (MIT licence, bundled),
    /// seed 3, where the softmax regression of DatasetsTests reaches 0.81; about 16 s in a
    /// debug build on 2 cores. The threshold leaves room for BLAS rounding differences.
    @Test("reaches 0.82 test accuracy on the bundled Fashion-MNIST sample")
    func learnsFashionMNISTSample() throws {
        let (train, test) = (try FashionMNIST.bundledSample(split: .train), try FashionMNIST.bundledSample(split: .test))
        let accuracy = try Self.trainAndEvaluate(
            train: (train.images, train.labels), test: (test.images, test.labels), epochs: 3, seed: 3)
        #expect(accuracy >= 0.82, "test accuracy \(accuracy)")
    }

    /// Real MNIST digits (CC BY-SA 3.0, so not bundled) from `../shared/data/mnist`, when
    /// `FCDD_REAL_DATA_TESTS=1` (CI sets it): 2 epochs on the first 10,000 training images,
    /// accuracy on the first 2,000 test images. Measured: 0.939 (about 50 s in a debug
    /// build). PyTorch with the same net and recipe (Scripts/small_cnn_reference.py) reaches
    /// 0.946 and 0.917 for two seeds, so the threshold sits below that spread.
    @Test(
        "reaches 0.90 test accuracy on real MNIST digits",
        .enabled(if: ProcessInfo.processInfo.environment["FCDD_REAL_DATA_TESTS"] == "1"))
    func learnsMNIST() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/mnist").standardizedFileURL
        let train = try Self.firstImages(try IDXImageDataset(directory: directory, split: .train, kind: .mnist), 10000)
        let test = try Self.firstImages(try IDXImageDataset(directory: directory, split: .test, kind: .mnist), 2000)
        let accuracy = try Self.trainAndEvaluate(train: train, test: test, epochs: 2, seed: 3)
        #expect(accuracy >= 0.90, "test accuracy \(accuracy)")
    }
}
