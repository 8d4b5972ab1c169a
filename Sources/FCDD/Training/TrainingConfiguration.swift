import NN

/// How ``AnomalyTrainer`` trains a net, whatever the objective (the official FCDD code's
/// training options): optimiser, learning rate, weight decay, per-epoch schedule, epochs,
/// batch size and concatenated batch accumulation. The reference's presets are
/// ``fashionMNIST``, ``cifar10`` and ``mvtecAD``.
public struct TrainingConfiguration: Sendable, Codable, Equatable {
    /// The optimiser (the reference's `--optimizer-type`) with its hyperparameters; weight
    /// decay and learning rate come from the configuration.
    public struct OptimizerChoice: Sendable, Codable, Equatable {
        /// The optimiser family.
        public enum Kind: String, Sendable, Codable, Equatable, CaseIterable {
            /// SGD with momentum and coupled weight decay (`torch.optim.SGD`).
            case sgd
            /// Adam with coupled (L2) weight decay (`torch.optim.Adam`).
            case adam
            /// Adam with decoupled weight decay (`torch.optim.AdamW`).
            case adamW = "adamw"
        }

        /// The optimiser family.
        public var kind: Kind
        /// SGD's momentum.
        public var momentum: Float
        /// Whether SGD uses Nesterov momentum.
        public var nesterov: Bool
        /// Adam's β₁ and β₂.
        public var betas: [Float]

        /// An optimiser; the defaults are the reference's (Nesterov momentum 0.9) and
        /// PyTorch's (β = 0.9, 0.999).
        public init(_ kind: Kind, momentum: Float = 0.9, nesterov: Bool = true, betas: [Float] = [0.9, 0.999]) {
            self.kind = kind
            self.momentum = momentum
            self.nesterov = nesterov
            self.betas = betas
        }

        /// SGD with Nesterov momentum 0.9, as the reference trains.
        public static let sgd = OptimizerChoice(.sgd)
        /// Adam with PyTorch's betas.
        public static let adam = OptimizerChoice(.adam)
        /// AdamW with PyTorch's betas.
        public static let adamW = OptimizerChoice(.adamW)

        /// SGD with the given momentum (plain momentum unless `nesterov`).
        public static func sgd(momentum: Float, nesterov: Bool = false) -> OptimizerChoice {
            OptimizerChoice(.sgd, momentum: momentum, nesterov: nesterov)
        }

        /// The optimiser, ready for a first step.
        ///
        /// - Throws: `OptimizerError.invalidHyperparameter(_:)` for values out of range
        ///   (e.g. Nesterov without momentum, betas outside [0, 1)).
        public func makeOptimizer(learningRate: Float, weightDecay: Float) throws(OptimizerError) -> any Optimizer {
            guard betas.count == 2 else {
                throw .invalidHyperparameter("expected two betas, found \(betas)")
            }
            return switch kind {
            case .sgd: try SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
            case .adam: try Adam(learningRate: learningRate, betas: (betas[0], betas[1]), weightDecay: weightDecay)
            case .adamW: try Adam.adamW(learningRate: learningRate, betas: (betas[0], betas[1]), weightDecay: weightDecay)
            }
        }
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
    /// SGD, Adam or AdamW with their hyperparameters.
    public var optimizer: OptimizerChoice
    /// Initial learning rate.
    public var learningRate: Float
    /// Weight decay (coupled for SGD and Adam, decoupled for AdamW).
    public var weightDecay: Float
    /// Per-epoch learning-rate schedule.
    public var schedule: ScheduleChoice
    /// Seed of the data order, augmentation and anomalies.
    public var seed: UInt64

    /// A configuration; see the properties.
    public init(
        epochs: Int, batchSize: Int, accumulatedBatches: Int = 1, optimizer: OptimizerChoice, learningRate: Float,
        weightDecay: Float, schedule: ScheduleChoice, seed: UInt64 = 0
    ) {
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
    public static let fashionMNIST = TrainingConfiguration(
        epochs: 400, batchSize: 128, optimizer: .sgd, learningRate: 1e-2, weightDecay: 1e-6, schedule: .exponential(gamma: 0.98))
    /// The reference's CIFAR-10 defaults: FCDD_CNN32_LW3K, Adam lr 1e-3, wd 1e-6, ×0.1 at
    /// epochs 400 and 500, 600 epochs, batch 20 × 10 accumulated.
    public static let cifar10 = TrainingConfiguration(
        epochs: 600, batchSize: 20, accumulatedBatches: 10, optimizer: .adam, learningRate: 1e-3, weightDecay: 1e-6,
        schedule: .milestones(gamma: 0.1, epochs: [400, 500]))
    /// The reference's MVTec-AD defaults: FCDD_CNN224_VGG_F, SGD lr 1e-3, wd 1e-4, lambda
    /// 0.985, 200 epochs (of 10 passes each in the reference), batch 16 × 8 accumulated.
    public static let mvtecAD = TrainingConfiguration(
        epochs: 200, batchSize: 16, accumulatedBatches: 8, optimizer: .sgd, learningRate: 1e-3, weightDecay: 1e-4,
        schedule: .exponential(gamma: 0.985))

    /// The learning-rate schedule as an NN schedule.
    public var learningRateSchedule: any LearningRateSchedule {
        switch schedule {
        case let .exponential(gamma): ExponentialDecay(gamma: gamma)
        case let .milestones(gamma, epochs): MultiStepDecay(milestones: epochs, gamma: gamma)
        }
    }

    /// The values ``validate()`` accepts: wide enough for any real run, small enough that
    /// step counts, sample counts and buffer sizes cannot overflow.
    public enum Limits {
        /// Epochs: 1…100,000.
        public static let epochs = 1...100_000
        /// Samples per batch: 1…65,536.
        public static let batchSize = 1...65_536
        /// Batches combined into one step: 1…4,096.
        public static let accumulatedBatches = 1...4_096
        /// Samples per step, `batchSize × accumulatedBatches`: at most 1,048,576.
        public static let samplesPerStep = 1...1_048_576
    }

    /// Checks every field: the counts against ``Limits``, a finite positive learning rate, a
    /// finite non-negative weight decay, momentum and betas in `[0, 1)`, and a schedule with a
    /// finite positive γ and non-negative milestones.
    ///
    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` naming the first field out of range,
    ///   the allowed range and the value found.
    public func validate() throws(TrainingError) {
        func check(_ field: String, _ value: Int, in range: ClosedRange<Int>) throws(TrainingError) {
            guard range.contains(value) else {
                throw .invalidConfiguration("\(field) must be in \(range.lowerBound)...\(range.upperBound), found \(value)")
            }
        }
        try check("epochs", epochs, in: Limits.epochs)
        try check("batchSize", batchSize, in: Limits.batchSize)
        try check("accumulatedBatches", accumulatedBatches, in: Limits.accumulatedBatches)
        try check("batchSize × accumulatedBatches", batchSize * accumulatedBatches, in: Limits.samplesPerStep)
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidConfiguration("learningRate must be finite and positive, found \(learningRate)")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw .invalidConfiguration("weightDecay must be finite and at least 0, found \(weightDecay)")
        }
        if optimizer.kind == .sgd, !(0..<1).contains(optimizer.momentum) {
            throw .invalidConfiguration("optimizer.momentum must be in [0, 1), found \(optimizer.momentum)")
        }
        if optimizer.kind != .sgd, optimizer.betas.count != 2 || !optimizer.betas.allSatisfy({ (0..<1).contains($0) }) {
            throw .invalidConfiguration("optimizer.betas must be two values in [0, 1), found \(optimizer.betas)")
        }
        switch schedule {
        case let .exponential(gamma), let .milestones(gamma, _):
            guard gamma.isFinite, gamma > 0 else {
                throw .invalidConfiguration("schedule's gamma must be finite and positive, found \(gamma)")
            }
        }
        if case let .milestones(_, milestones) = schedule, let bad = milestones.first(where: { $0 < 0 }) {
            throw .invalidConfiguration("schedule's milestone epochs must be at least 0, found \(bad)")
        }
    }
}
