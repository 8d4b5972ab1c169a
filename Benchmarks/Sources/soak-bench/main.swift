// Resident memory over a long training run: the whole pipeline of `fcdd train` on the bundled
// Fashion-MNIST sample (decoding, augmentation, blob-noise anomalies, FCDD_CNN28_W, SGD)
// through `AnomalyTrainer`, for `--steps` steps. One line every `--every` steps and a
// summary:
//
//   bench=soak step=<s> rss_mb=<current> hwm_mb=<peak>
//   bench=soak_summary steps=<n> rss_mb_after_warmup=<a> rss_mb_end=<b> growth_mb=<b − a> seconds=<t>
//
//   swift run -c release --package-path Benchmarks soak-bench [--steps 10000] [--every 1000] [--threads 1]
//
// Flat memory means `growth_mb` stays near 0 after the warm-up (the first `--every` steps, in
// which the buffer cache and the loader's queues fill up).
import BenchSupport
import Datasets
import FCDD
import Foundation
import NN
import TensorCore

func usage() -> Never {
    FileHandle.standardError.write("usage: soak-bench [--steps N] [--every N] [--threads N]\n".data(using: .utf8)!)
    exit(2)
}

var (steps, every, threads) = (10_000, 1_000, 1)
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    guard let value = arguments.next().flatMap(Int.init), value >= 1 else { usage() }
    switch argument {
    case "--steps": steps = value
    case "--every": every = value
    case "--threads": threads = value
    default: usage()
    }
}
try useComputeSettings(threads: threads)

let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 0))
var recipe = try Recipe.paper(for: data)
recipe.training.batchSize = 16
let stepsPerEpoch = (data.train.count + recipe.training.batchSize - 1) / recipe.training.batchSize
recipe.training.epochs = (steps + stepsPerEpoch - 1) / stepsPerEpoch
let training = try recipe.prepare(on: data)

var done = 0
var afterWarmup = 0.0
let start = Date()
_ = try training.trainer.train(
    callbacks: TrainingCallbacks(afterStep: { _ in
        done += 1
        if done % every == 0 {
            let resident = procStatusMegabytes("VmRSS")
            if done == every { afterWarmup = resident }
            print("bench=soak step=\(done) rss_mb=\(String(format: "%.1f", resident)) hwm_mb=\(String(format: "%.1f", procStatusMegabytes("VmHWM")))")
        }
        return done >= steps ? .stop : .proceed
    }))
let end = procStatusMegabytes("VmRSS")
print(
    "bench=soak_summary steps=\(done) rss_mb_after_warmup=\(String(format: "%.1f", afterWarmup)) rss_mb_end=\(String(format: "%.1f", end))"
        + " growth_mb=\(String(format: "%.1f", end - afterWarmup)) seconds=\(String(format: "%.1f", Date().timeIntervalSince(start)))")
