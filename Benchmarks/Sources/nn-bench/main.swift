// Times the NN layer's per-step overheads outside the kernels: optimiser steps (SGD with
// Nesterov momentum and weight decay, Adam) over the parameters of FCDD's VGG11-BN backbone
// (torchvision's `vgg11_bn().features[:21]`: 4.5 M parameters in 24 tensors, 42 with the
// batch-norm buffers), and writing
// and reading that model as a safetensors file. One line per measurement, in the format of
// kernel-bench, median of `runs` runs after a warm-up:
//
//   swift run -c release --package-path Benchmarks nn-bench [--runs 11]
//   python3 Scripts/bench_nn_pytorch.py    # the same lines for torch.optim and safetensors.torch
import BenchSupport
import Foundation
import NN
import TensorCore

var runs = 11
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    default:
        FileHandle.standardError.write("usage: nn-bench [--runs N]\n".data(using: .utf8)!)
        exit(2)
    }
}

@MainActor
func medianMilliseconds(_ body: () throws -> Void) rethrows -> Double {
    try medianMilliseconds(runs: runs, body)
}

func report(_ name: String, ms: Double, bytes: Double) {
    print("bench=\(name) impl=swift threads=1 ms_median=\(String(format: "%.3f", ms)) gb_per_s=\(String(format: "%.2f", bytes / ms / 1e6))")
}

/// torchvision's `vgg11_bn().features[:21]`, with its module indices.
func vgg11BatchNormFeatures(using generator: inout SeededGenerator) throws -> Sequential {
    var layers: [any Module] = []
    var channels = 3
    for item in ["64", "M", "128", "M", "256", "256", "M", "512", "512"] {
        if item == "M" {
            layers.append(MaxPool2d(kernelSize: 2))
            continue
        }
        let width = Int(item)!
        layers.append(Conv2d(channels, width, kernelSize: 3, padding: 1, using: &generator))
        layers.append(BatchNorm2d(width))
        layers.append(ReLU())
        channels = width
    }
    layers.append(MaxPool2d(kernelSize: 2))
    return Sequential(layers)
}

try useComputeSettings(threads: 1)
var generator = SeededGenerator(seed: 1)
let model = try vgg11BatchNormFeatures(using: &generator)
var gradients: [String: Tensor] = [:]
for (name, parameter) in model.trainableParameters {
    gradients[name] = Tensor.randomNormal(shape: parameter.value.shape, standardDeviation: 1e-3, using: &generator)
}
let parameterBytes = Double(model.parameterCount * 4)
FileHandle.standardError.write("vgg11_bn features[:21]: \(model.parameterCount) parameters in \(model.namedParameters.count) tensors\n".data(using: .utf8)!)

// SGD with momentum reads p, g, b and writes p, b; Adam reads p, g, m, v and writes p, m, v.
var sgd = try SGD(learningRate: 1e-3, momentum: 0.9, nesterov: true, weightDecay: 5e-4)
report("sgd_nesterov_step_vgg11bn_features", ms: try medianMilliseconds { try sgd.step(model, gradients: gradients) }, bytes: 5 * parameterBytes)
var adam = try Adam(learningRate: 1e-4, weightDecay: 1e-6)
report("adam_step_vgg11bn_features", ms: try medianMilliseconds { try adam.step(model, gradients: gradients) }, bytes: 7 * parameterBytes)

let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-bench-\(getpid()).safetensors")
defer { try? FileManager.default.removeItem(at: url) }
let stateBytes = Double(model.stateDict().values.reduce(0) { $0 + $1.scalarCount } * 4)
report("safetensors_write_vgg11bn_features", ms: try medianMilliseconds { try model.save(to: url) }, bytes: stateBytes)
report("safetensors_read_vgg11bn_features", ms: try medianMilliseconds { _ = try SafeTensors(contentsOf: url) }, bytes: stateBytes)
report("load_state_vgg11bn_features", ms: try medianMilliseconds { try model.load(contentsOf: url) }, bytes: stateBytes)
