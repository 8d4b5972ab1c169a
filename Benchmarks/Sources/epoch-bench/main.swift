// Whole training epochs as `fcdd train` runs them: the paper's recipe for each data set
// (`Recipe.paper`), its `DataLoader` on the real data in ../shared/data, and `AnomalyTrainer`.
// One line per epoch with the epoch's wall time split as `EpochRecord` records it: the time
// the trainer waited for the loader's batches, the time in training steps (forward, loss,
// backward, optimiser) and the rest:
//
//   bench=epoch_<setup> impl=swift threads=<t> epoch=<e> images=<n> seconds=<s> data_seconds=<d>
//       step_seconds=<c> other_seconds=<o> data_pct=<100·d/s> img_per_s=<n/s>
//
//   swift run -c release --package-path Benchmarks epoch-bench [--epochs 2] [--threads 1,2]
//       [--filter TEXT[,TEXT…]] [--max-images N] [--data DIR]
//
// Set-ups (normal class 0 / MT_Free; the first epoch includes the loader's and the buffer
// cache's warm-up):
// - epoch_fmnist_28w: Fashion-MNIST (the complete set's 6,000 T-shirts), lcnaug1 with blob
//   noise, FCDD_CNN28_W, batch 128, SGD.
// - epoch_cifar_lw3k: the CIFAR-10 subset's 1,000 airplanes, aug1 with blob noise,
//   FCDD_CNN32_LW3K, batch 20 × 10 accumulated, Adam. (The subset has no test batch; the
//   training images stand in for the test set, which an epoch does not read.)
// - epoch_tiles_vgg: the Magnetic Tile Defect folder (666 of the 952 MT_Free images train,
//   JPEG decoding), the MVTec-AD pipeline at 224×224 with confetti anomalies and the
//   pixel-wise loss, FCDD_CNN224_VGG_NOPT, batch 16, SGD.
//
// `--max-images N` trains on the first N training images of each set-up only: a short check
// that the benchmark runs, not a measurement of an epoch.
import BenchSupport
import Datasets
import FCDD
import Foundation
import TensorCore

func usage() -> Never {
    FileHandle.standardError.write(
        "usage: epoch-bench [--epochs N] [--threads 1,2] [--filter TEXT[,TEXT...]] [--max-images N] [--data DIR]\n".data(using: .utf8)!)
    exit(2)
}

var epochs = 2
var threadCounts = [1, 2]
var filters: [String]?
var maximumImages: Int?
var dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../../shared/data").standardizedFileURL
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--epochs":
        guard let value = arguments.next().flatMap(Int.init), value >= 1 else { usage() }
        epochs = value
    case "--threads":
        threadCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
        if threadCounts.isEmpty { usage() }
    case "--filter":
        guard let value = arguments.next() else { usage() }
        filters = value.split(separator: ",").map(String.init)
    case "--max-images":
        guard let value = arguments.next().flatMap(Int.init), value >= 1 else { usage() }
        maximumImages = value
    case "--data":
        guard let value = arguments.next() else { usage() }
        dataDirectory = URL(fileURLWithPath: value)
    default: usage()
    }
}

/// One benchmark set-up: a name and how to load its data.
struct Setup {
    let name: String
    let load: () throws -> OneClassData
}

let setups = [
    Setup(name: "epoch_fmnist_28w") {
        try OneClassData.load(.fashionMNIST(directory: dataDirectory.appendingPathComponent("fashion-mnist"), normalClass: 0))
    },
    Setup(name: "epoch_cifar_lw3k") {
        let directory = dataDirectory.appendingPathComponent("cifar-10-subset")
        let images = try CIFAR(directory: directory, split: .train, variant: .cifar10)
        return OneClassData(
            description: "the CIFAR-10 subset", source: .cifar10(directory: directory, normalClass: 0),
            normalClassName: images.classNames[0], train: try OneClassView(images, normalClasses: [0], split: .train),
            test: try OneClassView(images, normalClasses: [0], split: .test), hasMasks: false)
    },
    Setup(name: "epoch_tiles_vgg") {
        try OneClassData.load(
            .imageFolder(
                root: dataDirectory.appendingPathComponent("magnetic-tile-defect"), normalFolder: "MT_Free", maskPattern: "{name}.png"))
    },
]

func format(_ value: Double) -> String { String(format: "%.3f", value) }

/// The first `count` images of `dataset`.
func firstImages(of dataset: some ImageDataset, count: Int) throws -> any ImageDataset {
    try DatasetSubset(dataset, indices: Array(0..<count))
}

for setup in setups where filters.map({ $0.contains { setup.name.contains($0) } }) ?? true {
    var data = try setup.load()
    if let maximumImages, data.train.count > maximumImages {
        data.train = try firstImages(of: data.train, count: maximumImages)
    }
    var recipe = try Recipe.paper(for: data)
    recipe.training.epochs = epochs
    for threads in threadCounts {
        try useComputeSettings(threads: threads)
        let training = try recipe.prepare(on: data)
        for record in try training.trainer.train() {
            let images = data.train.count
            print(
                "bench=\(setup.name) impl=swift threads=\(threads) epoch=\(record.epoch) images=\(images)"
                    + " seconds=\(format(record.seconds)) data_seconds=\(format(record.dataSeconds))"
                    + " step_seconds=\(format(record.stepSeconds)) other_seconds=\(format(record.otherSeconds))"
                    + " data_pct=\(String(format: "%.1f", 100 * record.dataSeconds / record.seconds))"
                    + " img_per_s=\(String(format: "%.2f", Double(images) / record.seconds))")
        }
    }
}
