import Datasets
import FCDD
import Foundation
import NN
import TensorCore

// libFuzzer target: arbitrary bytes as a model file, loaded with AnomalyPredictor(contentsOf:)
// (which reads a URL, so each input is written to a temporary file first). A model that
// loads has its preprocessing built and, when its input is small (at most 2^14 samples),
// predicts one small image, so that every field the file sets (net, objective, channels,
// size, preprocessing, sigma, blur, threshold) is used. Loading checks that the net fits the
// input size and the objective (AnomalyObjective.netOutputProblem), so any pairing that loads
// must predict.
// Any thrown error is fine; a crash, trap, sanitizer report, leak or timeout is a finding.

/// The standard nets and objectives, without the 224×224 nets (building a VGG takes seconds
/// and 0.5 GB, which would make every input that names one a timeout rather than a finding),
/// and with `FuzzTiny`, a one-layer net whose model files are small enough for seeds.
private let registry: ModelRegistry = {
    var registry = ModelRegistry.standard
    for name in registry.nets.names where name.contains("224") {
        registry.nets.register(name) { _ in
            throw NetRegistryError.constructionFailed(architecture: name, reason: "224×224 nets are left out of fuzzing")
        }
    }
    registry.nets.register("FuzzTiny") { architecture in
        var generator = SeededGenerator(seed: 0)
        let channels = try architecture.integer("input_channels", in: AnomalyPredictor.Limits.inputChannels)
        return Sequential([Conv2d(channels, 1, kernelSize: 1, using: &generator)])
    }
    return registry
}()

/// One file per process, rewritten for every input.
private let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("fcdd-fuzz-model-\(ProcessInfo.processInfo.processIdentifier).safetensors")

/// A 5×7 colour image with varied pixels, converted to the model's channels and size by
/// ``AnomalyPredictor/predict(image:)``.
private let probe: Image = {
    let pixels: [Float] = (0..<105).map { (index: Int) -> Float in
        let level: Int = (index * 37) % 101
        return Float(level) / 100
    }
    return try! Image(width: 5, height: 7, channels: 3, pixels: pixels)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard (try? Data(bytes: data, count: size).write(to: url)) != nil else {
        fatalError("cannot write the fuzz input to \(url.path)")
    }
    guard let predictor = try? AnomalyPredictor(contentsOf: url, registry: registry) else { return 0 }
    _ = try? predictor.preprocessing.transform()
    let samples = predictor.inputSize.height * predictor.inputSize.width * predictor.inputChannels
    guard samples <= 1 << 14 else { return 0 }
    _ = try? predictor.predict(image: probe)
    return 0
}
