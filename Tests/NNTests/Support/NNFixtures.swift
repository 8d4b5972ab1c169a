// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import FixtureSupport
import Foundation
import NN
import TensorCore

// The PyTorch references in Fixtures/nn_modules.json, written by Scripts/make_nn_fixtures.py:
// layers (forward, gradients, updated buffers), losses, optimiser trajectories,
// learning-rate schedules, gradient clipping, printed descriptions and initialisation gains.

struct LayerCase: Decodable, Sendable {
    let name: String
    let layer: String
    let attrs: [String: FixtureValue]
    let training: Bool
    let state: [String: FixtureTensor]
    let input: FixtureTensor
    let projection: FixtureTensor
    let output: FixtureTensor
    let gradients: [String: FixtureTensor]
    let state_after: [String: FixtureTensor]
}

struct LossCase: Decodable, Sendable {
    let name: String
    let loss: String
    let reduction: String
    let input: FixtureTensor
    let target: FixtureTensor
    let extra: [String: FixtureValue]
    let projection: FixtureTensor?
    let output: FixtureTensor
    let gradient: FixtureTensor
}

struct OptimizerStep: Decodable, Sendable {
    let lr: Float
    let loss: Float
    let w: FixtureTensor
    let b: FixtureTensor
}

struct ScheduleSpec: Decodable, Sendable {
    let schedule: String
    let attrs: [String: FixtureValue]
}

struct OptimizerCase: Decodable, Sendable {
    let name: String
    let optimizer: String
    let hyper: [String: FixtureValue]
    let schedule: ScheduleSpec?
    let frozen: [String]
    let initial: [String: FixtureTensor]
    let x: FixtureTensor
    let y: FixtureTensor
    let steps: [OptimizerStep]
}

struct ScheduleCase: Decodable, Sendable {
    let name: String
    let schedule: String
    let attrs: [String: FixtureValue]
    let base_lr: Float
    let epochs: Int
    let lrs: [Float]
}

struct ClippingCase: Decodable, Sendable {
    let name: String
    let max_norm: Float
    let norm_type: Float  // "Infinity" decodes as .infinity
    let gradients: [FixtureTensor]
    let clipped: [FixtureTensor]
    let total_norm: Float
}

/// A module's printed description: `repr` is PyTorch's `str(module)` for the layer built
/// from `attrs` (same conventions as ``LayerCase``).
struct ReprCase: Decodable, Sendable {
    let name: String
    let layer: String
    let attrs: [String: FixtureValue]
    let repr: String
}

/// PyTorch's `torch.nn.init.calculate_gain(nonlinearity, param)`.
struct GainCase: Decodable, Sendable {
    let name: String
    let nonlinearity: String
    let param: Double?
    let gain: Double
}

struct NNFixtureFile: Decodable, Sendable {
    let version: Int
    let torch: String
    let layers: [LayerCase]
    let losses: [LossCase]
    let optimizers: [OptimizerCase]
    let schedules: [ScheduleCase]
    let clipping: [ClippingCase]
    let reprs: [ReprCase]
    let gains: [GainCase]
}

enum NNFixtures: SectionedFixtures {
    static let sections = FixtureSections<NNFixtureFile>(resource: "nn_modules", generator: "Scripts/make_nn_fixtures.py", bundle: .module)

    /// A schedule from its fixture description.
    static func schedule(_ kind: String, _ attrs: [String: FixtureValue]) throws -> any LearningRateSchedule {
        let reader = AttributeReader(op: kind, values: attrs)
        let schedule: any LearningRateSchedule
        switch kind {
        case "exponential": schedule = ExponentialDecay(gamma: try reader.float("gamma"))
        case "lambda_power":
            let gamma = try reader.float("gamma")
            schedule = LambdaSchedule { epoch in Float(Foundation.pow(Double(gamma), Double(epoch))) }
        case "multistep": schedule = MultiStepDecay(milestones: try reader.ints("milestones"), gamma: try reader.float("gamma"))
        case "cosine": schedule = CosineAnnealing(period: try reader.int("t_max"), minimum: try reader.float("eta_min"))
        default: throw FixtureError("unknown schedule \(kind)")
        }
        try reader.requireAllUsed()
        return schedule
    }
}
