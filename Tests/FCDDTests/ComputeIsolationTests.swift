import Datasets
import FCDD
import Foundation
import NN
import TensorCore
import Testing

/// An evaluation and a short training run of FCDD_CNN28_W, whose second convolution
/// (128 → 128, 5×5) runs on Winograd under `winograd` and `automatic` and on the lowering
/// under `lowering`: the two round differently, so settings that leaked from one task into
/// another would change the bits.
private enum IsolatedWork {
    /// The settings the work asks for.
    static let mine = ComputeSettings(threads: 1, convolution: .lowering)
    /// Settings that give other bits.
    static let other = ComputeSettings(threads: 3, convolution: .winograd, bufferCacheLimitBytes: 0)

    static func images(split: DatasetSplit, count: Int) throws -> any ImageDataset {
        let view = try OneClassView(FashionMNIST.bundledSample(split: split), normalClasses: [0], split: split)
        return try DatasetSubset(view, indices: Array(0..<count))
    }

    static func net() -> any Module {
        var generator = SeededGenerator(seed: 3)
        return FCDDNetKind.cnn28Wide.makeNet(inputChannels: 1, using: &generator)
    }

    /// Scores and heatmaps of 24 test images in batches of 8.
    static func evaluate(progress: ((Int, Int) -> Void)? = nil) throws -> [Float] {
        let predictor = AnomalyPredictor(
            net: net(), objective: FCDDObjective(sigma: 1.2), preprocessing: .fashionMNIST(normalClass: 0),
            inputSize: 28, inputChannels: 1)
        let evaluation = try predictor.evaluate(images(split: .test, count: 24), batchSize: 8, progress: progress)
        return evaluation.scores + evaluation.heatmaps.scalars
    }

    /// The weights after two steps of 8 images (prepared by the loader's threads).
    static func train(callbacks: TrainingCallbacks = TrainingCallbacks()) throws -> [Float] {
        let configuration = TrainingConfiguration(
            epochs: 1, batchSize: 8, optimizer: .sgd, learningRate: 1e-2, weightDecay: 1e-6,
            schedule: .exponential(gamma: 0.98), seed: 1)
        let loader = try DataLoader(
            dataset: images(split: .train, count: 16), batchSize: 8,
            transform: LocalContrastNormalization(scale: .l1), seed: 1, workerCount: 2)
        let trainer = try AnomalyTrainer(net: net(), objective: FCDDObjective(sigma: 1.2), configuration: configuration, loader: loader)
        try trainer.train(callbacks: callbacks)
        return trainer.net.namedParameters.flatMap { $0.parameter.value.scalars }
    }
}

@Suite("Results depend on the settings they run under, not on other work in the process")
struct ComputeIsolationTests {
    /// Tasks beside the work compute with other threads, the other convolution algorithm and
    /// no buffer cache (so buffers change hands all the time), and their GEMMs ask OpenBLAS for
    /// other thread counts. A leak of any of these (a process-wide OpenBLAS count switched under
    /// a running GEMM, settings read from the wrong place, uninitialised memory handed over
    /// by the buffer cache) would change the bits.
    @Test("evaluation and training give the bits they give alone while other tasks compute under other settings")
    func besideOtherWork() async throws {
        let (evaluated, trained) = try ComputeSettings.withSettings(IsolatedWork.mine) {
            (try IsolatedWork.evaluate(), try IsolatedWork.train())
        }
        let differently = try ComputeSettings.withSettings(IsolatedWork.other) { try IsolatedWork.evaluate() }
        #expect(differently != evaluated, "the two settings must give different bits, or the test sees nothing")

        var generator = SeededGenerator(seed: 5)
        let x = Tensor.randomNormal(shape: [6, 32, 14, 14], using: &generator)
        let w = Tensor.randomNormal(shape: [32, 32, 5, 5], using: &generator)
        let a = Tensor.randomNormal(shape: [200, 300], using: &generator)
        let b = Tensor.randomNormal(shape: [300, 200], using: &generator)
        let results = try await withThrowingTaskGroup(of: [Float]?.self) { group in
            for index in 0..<3 {
                group.addTask {
                    var settings = IsolatedWork.other
                    settings.threads = 2 + index
                    settings.convolution = index == 0 ? .automatic : .winograd
                    for _ in 0..<6 {
                        _ = ComputeSettings.withSettings(settings) {
                            Tensor.conv2d(x, weight: w, padding: 2).sum().scalars[0] + Tensor.matmul(a, b).sum().scalars[0]
                        }
                    }
                    return nil
                }
            }
            for _ in 0..<2 {
                group.addTask { try ComputeSettings.withSettings(IsolatedWork.mine) { try IsolatedWork.evaluate() + IsolatedWork.train() } }
            }
            var results: [[Float]] = []
            for try await result in group { if let result { results.append(result) } }
            return results
        }
        #expect(results.count == 2)
        for result in results { #expect(result == evaluated + trained) }
    }

    /// `setDefault` is meant for start-up, but a library must not give other bits when a
    /// program calls it while work runs: an evaluation, a prediction and a training run read
    /// the settings once, when they start. Runs in a child process (an exit test), since the
    /// process default is shared by every test running beside it.
    @Test("evaluation and training keep the settings they started with when the process default changes under them")
    func defaultChangedMidway() async {
        await #expect(processExitsWith: .success) {
            ComputeSettings.setDefault(IsolatedWork.mine)
            let (evaluated, trained) = (try IsolatedWork.evaluate(), try IsolatedWork.train())
            ComputeSettings.setDefault(IsolatedWork.other)
            let otherwise = (try IsolatedWork.evaluate(), try IsolatedWork.train())
            precondition(otherwise.0 != evaluated && otherwise.1 != trained, "the two settings give the same bits")

            ComputeSettings.setDefault(IsolatedWork.mine)
            let changedEvaluation = try IsolatedWork.evaluate { done, _ in
                if done == 8 { ComputeSettings.setDefault(IsolatedWork.other) }
            }
            precondition(changedEvaluation == evaluated, "the evaluation changed settings midway")
            ComputeSettings.setDefault(IsolatedWork.mine)
            let changedTraining = try IsolatedWork.train(
                callbacks: TrainingCallbacks(afterStep: { _ in
                    ComputeSettings.setDefault(IsolatedWork.other)
                    return .proceed
                }))
            precondition(changedTraining == trained, "the training run changed settings midway")
        }
    }
}
