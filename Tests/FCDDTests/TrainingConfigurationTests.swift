import Datasets
import Explain
import FCDD
import Foundation
import TensorCore
import Testing

@Suite("Configurations are checked field by field before any work")
struct TrainingConfigurationTests {
    /// The message of the configuration error `configure` leads to, or nil when it validates.
    private func message(_ configure: (inout TrainingConfiguration) -> Void) -> String? {
        var configuration = TrainingConfiguration.fashionMNIST
        configure(&configuration)
        do {
            try configuration.validate()
            return nil
        } catch {
            guard case let .invalidConfiguration(message) = error else { return "\(error)" }
            return message
        }
    }

    @Test("every field out of range names the field, the allowed range and the value")
    func trainingFields() {
        #expect(message { _ in } == nil)
        #expect(message { $0.epochs = 0 } == "epochs must be in 1...100000, found 0")
        #expect(message { $0.epochs = Int.max } == "epochs must be in 1...100000, found \(Int.max)")
        #expect(message { $0.batchSize = -3 } == "batchSize must be in 1...65536, found -3")
        #expect(message { $0.accumulatedBatches = 5000 } == "accumulatedBatches must be in 1...4096, found 5000")
        #expect(
            message {
                $0.batchSize = 65_536; $0.accumulatedBatches = 4096
            }
                == "batchSize × accumulatedBatches must be in 1...1048576, found 268435456")
        #expect(message { $0.learningRate = .nan } == "learningRate must be finite and positive, found nan")
        #expect(message { $0.learningRate = 0 } == "learningRate must be finite and positive, found 0.0")
        #expect(message { $0.weightDecay = -.infinity } == "weightDecay must be finite and at least 0, found -inf")
        #expect(message { $0.optimizer = .sgd(momentum: 1) } == "optimizer.momentum must be in [0, 1), found 1.0")
        #expect(
            message { $0.optimizer = TrainingConfiguration.OptimizerChoice(.adam, betas: [0.9]) }
                == "optimizer.betas must be two values in [0, 1), found [0.9]")
        #expect(message { $0.schedule = .exponential(gamma: .infinity) } == "schedule's gamma must be finite and positive, found inf")
        #expect(message { $0.schedule = .milestones(gamma: 0.1, epochs: [10, -1]) } == "schedule's milestone epochs must be at least 0, found -1")
    }

    @Test("recipe fields and run options out of range are refused before the net is built")
    func recipeFields() throws {
        let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: 0))
        func error(_ configure: (inout Recipe) -> Void, options: RecipeRunOptions = RecipeRunOptions()) -> String? {
            var recipe: Recipe
            do {
                recipe = try Recipe.paper(for: data)
            } catch {
                return "paper recipe: \(error)"
            }
            configure(&recipe)
            do {
                _ = try recipe.prepare(on: data, options: options)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(error { $0.inputSize = 0 } == "inputSize must be a height and width in 1...4096, found 0×0")
        #expect(error { $0.inputSize = Size2D(28, 1 << 40) } == "inputSize must be a height and width in 1...4096, found 28×\(1 << 40)")
        #expect(error { $0.inputSize = Size2D(-3, 28) } == "inputSize must be a height and width in 1...4096, found -3×28")
        #expect(error { $0.preResize = 100_000 } == "preResize must be a height and width in 1...4096, found 100000×100000")
        #expect(error { $0.channels = 5000 } == "channels must be in 1...4096, found 5000")
        #expect(error { $0.sigma = .infinity } == "sigma must be finite and at least 0.001, found inf")
        #expect(error { $0.sigma = 1e-200 } == "sigma must be finite and at least 0.001, found 1e-200")
        #expect(error { $0.displayQuantile = 0 } == "displayQuantile must be in (0, 1], found 0.0")
        #expect(error { $0.training.epochs = 0 } == "training configuration: epochs must be in 1...100000, found 0")
        #expect(error({ _ in }, options: RecipeRunOptions(checkpointInterval: 0)) == "checkpointInterval must be at least 1, found 0")
        #expect(error({ _ in }, options: RecipeRunOptions(thresholdQuantile: .nan)) == "thresholdQuantile must be in [0, 1], found nan")
        #expect(error({ _ in }, options: RecipeRunOptions(pixelThresholdQuantile: 0)) == "pixelThresholdQuantile must be in [0.01, 1], found 0.0")
        #expect(error({ _ in }, options: RecipeRunOptions(evaluationBatchSize: 0)) == "evaluationBatchSize must be in 1...65536, found 0")
        // A σ that tiny would make the up-sampling kernel 0/0 at its centre.
        #expect(throws: ExplainError.self) { try FCDDGaussianKernel.window(size: 3, sigma: 1e-200) }
        #expect(try FCDDGaussianKernel.window(size: 3, sigma: FCDDGaussianKernel.minimumSigma) == [0, 1, 0])
    }
}
