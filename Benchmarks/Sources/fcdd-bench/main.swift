// Times whole FCDD steps through the FCDD and NN modules, and the peak resident memory of
// short training loops. One line per measurement, median of `--runs` timed runs after one
// warm-up:
//
//   bench=fcdd_step_cifar_lw3k_b128 impl=swift threads=<t> ms_median=<x> img_per_s=<z>
//   bench=rss_fcdd_step_cifar_lw3k_b128 impl=swift threads=<t> steps=<n> rss_mb=<m> rss_mb_start=<s>
//
//   swift run -c release --package-path Benchmarks fcdd-bench [--threads 1,2] [--runs 5]
//       [--filter TEXT[,TEXT…]] [--rss-steps 10]
//
// Measurements (inputs random normal, labels alternating nominal and anomalous):
// - fcdd_step_cifar_lw3k_b128: FCDD_CNN32_LW3K, 3×32×32, batch 128 (half labelled anomalous),
//   training mode: forward, sample-level FCDD loss, backward, Adam (lr 1e-3, weight decay 1e-6).
// - fcdd_step_fmnist_28w_b128: FCDD_CNN28_W, 1×28×28, batch 128, the same with SGD
//   (Nesterov momentum 0.9, lr 1e-2, weight decay 1e-6).
// - fcdd_infer_cifar_lw3k_b256: FCDD_CNN32_LW3K in eval mode, batch 256, forward and anomaly
//   scores under `withoutGradients`.
// - fcdd_step_vgg_nopt_b16: FCDD_CNN224_VGG_NOPT (the MVTec-AD and image-folder default),
//   3×224×224, batch 16, training mode, the MVTec-AD recipe's step: forward, the pixel-wise
//   loss on the map up-sampled with the receptive-field Gaussian (σ 12; all-ones masks for
//   the anomalous half, as the reference's confetti set-up), backward, SGD (Nesterov momentum
//   0.9, lr 1e-3, weight decay 1e-4), all through `FCDDObjective` as `AnomalyTrainer` runs it.
// - fcdd_step_vgg_f_b16: the same with FCDD_CNN224_VGG_F, the paper's MVTec-AD net, with
//   random weights in place of the ImageNet backbone (the time does not depend on the
//   values): `features.0`…`features.14` frozen, so the backward pass stops at `features.15`.
// - fcdd_infer_vgg_b16: FCDD_CNN224_VGG in eval mode, batch 16, what evaluation runs per
//   batch: forward, scores, and the maps up-sampled to 224×224 heatmaps (σ 12), under
//   `withoutGradients`.
// - rss_<each of the above>: peak resident memory (VmHWM) of `--rss-steps` such steps. Peak
//   RSS is a per-process high-water mark, so each runs in a fresh child process of this
//   executable (`--rss-child NAME`), with nothing else allocated before it.
import BenchSupport
import FCDD
import Foundation
import NN
import TensorCore

func usage() -> Never {
    FileHandle.standardError.write(
        "usage: fcdd-bench [--threads 1,2] [--runs N] [--filter TEXT[,TEXT...]] [--rss-steps N]\n".data(using: .utf8)!)
    exit(2)
}

/// Command-line options.
struct Options {
    var threadCounts = [1, 2]
    var runs = 5
    var filters: [String]?
    var rssSteps = 10
    /// Internal: run only this RSS measurement in this process (see the header).
    var rssChild: String?

    static func parse() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--threads":
                options.threadCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
                if options.threadCounts.isEmpty { usage() }
            case "--runs":
                guard let value = arguments.next().flatMap(Int.init), value >= 1 else { usage() }
                options.runs = value
            case "--filter":
                guard let value = arguments.next() else { usage() }
                options.filters = value.split(separator: ",").map(String.init)
            case "--rss-steps":
                guard let value = arguments.next().flatMap(Int.init), value >= 1 else { usage() }
                options.rssSteps = value
            case "--rss-child":
                guard let value = arguments.next() else { usage() }
                options.rssChild = value
            default: usage()
            }
        }
        return options
    }
}

let options = Options.parse()

func selected(_ name: String) -> Bool { options.filters.map { $0.contains { name.contains($0) } } ?? true }

func emit(_ line: String) { FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!) }

/// Median wall time in milliseconds of `--runs` calls after one warm-up call.
func medianMilliseconds(_ body: () throws -> Void) rethrows -> Double {
    try medianMilliseconds(runs: options.runs, body)
}

/// One of the measured workloads: a net, a batch, and what one step does.
struct Workload {
    /// What one step runs.
    enum Step {
        /// Forward, sample-level FCDD loss, backward, Adam (lr 1e-3, weight decay 1e-6).
        case sampleLevelAdam
        /// Forward, sample-level FCDD loss, backward, SGD (Nesterov 0.9, lr 1e-2, weight decay 1e-6).
        case sampleLevelSGD
        /// The MVTec-AD recipe's step: pixel-wise loss (σ 12), its SGD.
        case mvtecPixelWise
        /// Eval mode: forward and scores.
        case scores
        /// Eval mode: forward, scores, maps and heatmaps up-sampled to the input size (σ 12).
        case heatmaps
    }

    let name: String
    let kind: FCDDNetKind
    let channels: Int
    let size: Int
    let batch: Int
    let step: Step

    /// Builds the net, the batch and the optimiser, and returns one step as a closure.
    func makeStep() throws -> () throws -> Void {
        var generator = SeededGenerator(seed: 7)
        let net = kind.makeNet(inputChannels: channels, using: &generator)
        let images = Tensor.randomNormal(shape: [batch, channels, size, size], using: &generator)
        // Half the batch anomalous (label 1), half nominal, interleaved.
        let labels = (0..<batch).map { $0 % 2 }
        let sigma = FCDDHeatmapPreset.mvtec.gaussianSigma
        switch step {
        case .scores:
            net.eval()
            return {
                let scores = try withoutGradients { () throws -> Tensor in FCDDLoss.scores(net(images)) }
                sink += scores.withUnsafeBufferPointer { $0[0] }
            }
        case .heatmaps:
            net.eval()
            let objective = FCDDObjective(sigma: sigma)
            let batch = PredictionBatch(inputs: images, images: images, preprocessing: .identity)
            return {
                let predictions = try objective.predict(net: net, batch: batch)
                sink += predictions[0].score
            }
        case .mvtecPixelWise:
            net.train()
            // The reference's MVTec-AD confetti set-up: all-ones masks for anomalies, zeros for nominal images.
            let masks = Tensor.concatenate(labels.map { Tensor(shape: [1, 1, size, size], repeating: Float($0)) })
            let objective = FCDDObjective(sigma: sigma, pixelWiseLoss: true)
            let configuration = TrainingConfiguration.mvtecAD
            var optimizer = try configuration.optimizer.makeOptimizer(
                learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
            let batch = TrainingBatch(images: images, labels: labels, masks: masks)
            return {
                let loss = try objective.loss(net: net, batch: batch).loss
                try optimizer.step(net, gradients: net.gradients(of: loss))
                sink += loss.withUnsafeBufferPointer { $0[0] }
            }
        case .sampleLevelAdam, .sampleLevelSGD:
            net.train()
            var optimizer: any Optimizer =
                step == .sampleLevelSGD
                ? try SGD(learningRate: 1e-2, momentum: 0.9, nesterov: true, weightDecay: 1e-6)
                : try Adam(learningRate: 1e-3, weightDecay: 1e-6)
            return {
                let loss = FCDDLoss.sampleLevel(phi: net(images), labels: labels)
                try optimizer.step(net, gradients: net.gradients(of: loss))
                sink += loss.withUnsafeBufferPointer { $0[0] }
            }
        }
    }
}

nonisolated(unsafe) var sink: Float = 0

let workloads = [
    Workload(name: "fcdd_step_cifar_lw3k_b128", kind: .cnn32LW3K, channels: 3, size: 32, batch: 128, step: .sampleLevelAdam),
    Workload(name: "fcdd_step_fmnist_28w_b128", kind: .cnn28Wide, channels: 1, size: 28, batch: 128, step: .sampleLevelSGD),
    Workload(name: "fcdd_infer_cifar_lw3k_b256", kind: .cnn32LW3K, channels: 3, size: 32, batch: 256, step: .scores),
    Workload(name: "fcdd_step_vgg_nopt_b16", kind: .cnn224VGGNoPretraining, channels: 3, size: 224, batch: 16, step: .mvtecPixelWise),
    Workload(name: "fcdd_step_vgg_f_b16", kind: .cnn224VGGFrozen, channels: 3, size: 224, batch: 16, step: .mvtecPixelWise),
    Workload(name: "fcdd_infer_vgg_b16", kind: .cnn224VGG, channels: 3, size: 224, batch: 16, step: .heatmaps),
]

if let childName = options.rssChild {
    // Child process: one RSS measurement, nothing else.
    guard let workload = workloads.first(where: { "rss_" + $0.name == childName }) else { usage() }
    let threads = options.threadCounts[0]
    try useComputeSettings(threads: threads)
    let step = try workload.makeStep()
    let start = procStatusMegabytes("VmHWM")
    let begin = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<options.rssSteps { try step() }
    let ms = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6 / Double(options.rssSteps)
    emit(
        "bench=\(childName) impl=swift threads=\(threads) steps=\(options.rssSteps) rss_mb=\(String(format: "%.1f", procStatusMegabytes("VmHWM")))"
            + " rss_mb_start=\(String(format: "%.1f", start)) ms_per_step=\(String(format: "%.1f", ms))")
    if sink.isNaN { print("sink \(sink)") }
    exit(0)
}

for threads in options.threadCounts {
    try useComputeSettings(threads: threads)
    for workload in workloads where selected(workload.name) {
        let step = try workload.makeStep()
        let ms = try medianMilliseconds(step)
        emit(
            "bench=\(workload.name) impl=swift threads=\(threads) ms_median=\(String(format: "%.3f", ms))"
                + " img_per_s=\(String(format: "%.2f", Double(workload.batch) / ms * 1000))")
    }
}

for workload in workloads where selected("rss_" + workload.name) {
    for threads in options.threadCounts {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["--rss-child", "rss_" + workload.name, "--threads", "\(threads)", "--rss-steps", "\(options.rssSteps)"]
        try child.run()
        child.waitUntilExit()
        if child.terminationStatus != 0 {
            FileHandle.standardError.write("fcdd-bench: rss child for \(workload.name) exited with \(child.terminationStatus)\n".data(using: .utf8)!)
            exit(1)
        }
    }
}
if sink.isNaN { print("sink \(sink)") }
