import NN

/// How an FCDD net is trained (`fcdd-reference.md` §6): optimiser, learning rate, weight
/// decay, per-epoch schedule, epochs, batch size and concatenated batch accumulation.
public struct FCDDTrainingConfiguration: Sendable, Codable, Equatable {
    /// The optimiser of the reference's `--optimizer-type`.
    public enum OptimizerChoice: String, Sendable, Codable, Equatable {
        /// SGD with Nesterov momentum 0.9 and coupled weight decay.
        case sgd
        /// Adam with coupled (L2) weight decay, as `torch.optim.Adam`.
        case adam
    }

    /// The reference's `--scheduler-type`, stepped once per epoch.
    public enum ScheduleChoice: Sendable, Codable, Equatable {
        /// `lr₀·γ^epoch` (`lambda`).
        case exponential(gamma: Float)
        /// Multiply by γ at each milestone epoch (`milestones`).
        case milestones(gamma: Float, epochs: [Int])
    }

    /// Passes over the training data.
    public var epochs: Int
    /// Samples per loader batch.
    public var batchSize: Int
    /// Loader batches concatenated into one forward pass (`--acc-batches`; batch norm sees
    /// all of them).
    public var accumulatedBatches: Int
    /// SGD (Nesterov) or Adam.
    public var optimizer: OptimizerChoice
    /// Initial learning rate.
    public var learningRate: Float
    /// Coupled weight decay.
    public var weightDecay: Float
    /// Per-epoch learning-rate schedule.
    public var schedule: ScheduleChoice
    /// Seed of the data order, augmentation and anomalies.
    public var seed: UInt64

    /// A configuration; see the properties.
    public init(epochs: Int, batchSize: Int, accumulatedBatches: Int = 1, optimizer: OptimizerChoice, learningRate: Float,
                weightDecay: Float, schedule: ScheduleChoice, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.accumulatedBatches = accumulatedBatches
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.schedule = schedule
        self.seed = seed
    }

    /// The reference's Fashion-MNIST defaults: FCDD_CNN28_W, SGD lr 1e-2, wd 1e-6,
    /// lambda 0.98, 400 epochs, batch 128.
    public static let fashionMNIST = FCDDTrainingConfiguration(
        epochs: 400, batchSize: 128, optimizer: .sgd, learningRate: 1e-2, weightDecay: 1e-6, schedule: .exponential(gamma: 0.98))
    /// The reference's CIFAR-10 defaults: FCDD_CNN32_LW3K, Adam lr 1e-3, wd 1e-6, ×0.1 at
    /// epochs 400 and 500, 600 epochs, batch 20 × 10 accumulated.
    public static let cifar10 = FCDDTrainingConfiguration(
        epochs: 600, batchSize: 20, accumulatedBatches: 10, optimizer: .adam, learningRate: 1e-3, weightDecay: 1e-6,
        schedule: .milestones(gamma: 0.1, epochs: [400, 500]))
    /// The reference's MVTec-AD defaults: FCDD_CNN224_VGG_F, SGD lr 1e-3, wd 1e-4, lambda
    /// 0.985, 200 epochs (of 10 passes each in the reference), batch 16 × 8 accumulated.
    public static let mvtecAD = FCDDTrainingConfiguration(
        epochs: 200, batchSize: 16, accumulatedBatches: 8, optimizer: .sgd, learningRate: 1e-3, weightDecay: 1e-4,
        schedule: .exponential(gamma: 0.985))

    /// The learning-rate schedule as an NN schedule.
    public var learningRateSchedule: any LearningRateSchedule {
        switch schedule {
        case let .exponential(gamma): ExponentialDecay(gamma: gamma)
        case let .milestones(gamma, epochs): MultiStepDecay(milestones: epochs, gamma: gamma)
        }
    }

    /// Checks the ranges.
    ///
    /// - Throws: ``FCDDTrainingError/invalidConfiguration(_:)`` for values out of range.
    public func validate() throws(FCDDTrainingError) {
        guard epochs >= 1, batchSize >= 1, accumulatedBatches >= 1 else {
            throw .invalidConfiguration("epochs, batch size and accumulated batches must be ≥ 1, found \(epochs), \(batchSize), \(accumulatedBatches)")
        }
        guard learningRate.isFinite, learningRate > 0, weightDecay.isFinite, weightDecay >= 0 else {
            throw .invalidConfiguration("expected a positive learning rate and a non-negative weight decay, found \(learningRate) and \(weightDecay)")
        }
    }
}
