// Images per second for decoding plus FCDD's training augmentation through the DataLoader,
// on the real data in ../shared/data: Fashion-MNIST (lcnaug1), the CIFAR-10 subset (aug1)
// and the Magnetic Tile Defect images (JPEG + PNG mask decoding, resize to 240×240). One
// line per measurement, the median of `runs` epochs after a warm-up epoch:
//
//   swift run -c release --package-path Benchmarks data-bench [--runs 3] [--workers 1,2] [--data DIR]
import BenchSupport
import Datasets
import FCDD
import Foundation
import TensorCore

var runs = 3
var workerCounts = [1, 2]
var dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../../shared/data").standardizedFileURL
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    case "--workers": workerCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--data": dataDirectory = URL(fileURLWithPath: arguments.next() ?? ".")
    default:
        FileHandle.standardError.write("usage: data-bench [--runs N] [--workers 1,2] [--data DIR]\n".data(using: .utf8)!)
        exit(2)
    }
}
try useComputeSettings()

/// Runs whole epochs of `loader` and reports the median images per second.
@MainActor
func measure(_ name: String, _ makeLoader: (Int) throws -> DataLoader) throws {
    for workers in workerCounts {
        let loader = try makeLoader(workers)
        var rates: [Double] = []
        for epoch in 0...runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let batches = loader.epoch(epoch)
            var images = 0
            while let batch = try batches.next() { images += batch.count }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if epoch > 0 { rates.append(Double(images) / seconds) }
        }
        print("bench=data_\(name) impl=swift workers=\(workers) images_per_s=\(String(format: "%.0f", median(rates)))")
    }
}

// Fashion-MNIST, normal class 0: RandomCrop 28 pad 2 → HFlip → LCN-L1 → min-max (FCDD's lcnaug1).
let fashionStart = DispatchTime.now().uptimeNanoseconds
let fashion = try FashionMNIST.load(split: .train, from: dataDirectory.appendingPathComponent("fashion-mnist"))
print(
    "bench=data_load_fashion_mnist_train impl=swift ms=\(String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - fashionStart) / 1e6)) images=\(fashion.count)"
)
let lcnaug1 = Compose(
    try RandomCrop(size: 28, padding: 2), try RandomHorizontalFlip(), LocalContrastNormalization(scale: .l1),
    try MinMaxScaling(benchmark: .fashionMNIST, normalClass: 0))
try measure("fashion_mnist_lcnaug1") { workers in
    try DataLoader(dataset: fashion, batchSize: 128, transform: lcnaug1, seed: 1, workerCount: workers)
}

// CIFAR-10 subset, normal class 0: ColorJitter 0.01 → RandomCrop 32 pad 4 → HFlip → +0.001·N → Normalize (aug1).
let cifar = try CIFAR(directory: dataDirectory.appendingPathComponent("cifar-10-subset"), split: .train)
let statistics = FCDDBenchmark.cifar10.classStatistics[0]
let aug1 = Compose(
    try ColorJitter(brightness: 0.01, contrast: 0.01, saturation: 0.01, hue: 0.01), try RandomCrop(size: 32, padding: 4),
    try RandomHorizontalFlip(), try GaussianNoise(standardDeviation: 0.001),
    try Normalize(mean: statistics.mean, standardDeviation: statistics.standardDeviation))
try measure("cifar10_aug1") { workers in
    try DataLoader(dataset: cifar, batchSize: 128, transform: aug1, seed: 1, workerCount: workers)
}

// Magnetic Tile Defect: decode JPEG + PNG mask and resize both to 240×240 (as FCDD pre-sizes
// MVTec), then the same epochs from a DecodedImageCache built once (8-bit, no decoding).
let tiles = try ImageFolderDataset(root: dataDirectory.appendingPathComponent("magnetic-tile-defect"), configuration: .magneticTileDefect)
let resize240 = try Resize(height: 240, width: 240, interpolation: .bilinear)
try measure("magnetic_tile_decode_resize240") { workers in
    try DataLoader(dataset: tiles, batchSize: 16, transform: resize240, seed: 1, workerCount: workers)
}
let cacheURL = FileManager.default.temporaryDirectory.appendingPathComponent("data-bench-magnetic-tile-240.bin")
defer { try? FileManager.default.removeItem(at: cacheURL) }
try? FileManager.default.removeItem(at: cacheURL)
let buildStart = DispatchTime.now().uptimeNanoseconds
let cached = try DecodedImageCache.open(at: cacheURL, source: tiles, preprocessing: resize240, description: "resize 240 bilinear")
let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
print(
    "bench=data_magnetic_tile_cache_build impl=swift workers=\(ProcessInfo.processInfo.activeProcessorCount) images_per_s=\(String(format: "%.0f", Double(tiles.count) / buildSeconds))"
)
try measure("magnetic_tile_cached_240") { workers in
    try DataLoader(dataset: cached, batchSize: 16, seed: 1, workerCount: workers)
}
