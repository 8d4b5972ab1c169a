import Foundation

/// A learning-rate schedule stepped once per epoch, as FCDD does: the learning rate of
/// epoch `e` (counting from 0) is a function of `e` and the initial rate alone, so a
/// resumed run only needs the epoch number.
///
/// ```swift
/// optimizer.learningRate = schedule.learningRate(atEpoch: epoch, initial: 1e-2)
/// ```
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for `epoch` given the initial rate.
    func learningRate(atEpoch epoch: Int, initial: Float) -> Float
}

/// `η₀·γᵉ` (PyTorch's `ExponentialLR`, and FCDD's `lambda` scheduler, a `LambdaLR` with
/// `γ ** epoch`).
public struct ExponentialDecay: LearningRateSchedule {
    /// Factor per epoch.
    public let gamma: Float
    /// Decay by `gamma` per epoch.
    public init(gamma: Float) { self.gamma = gamma }
    public func learningRate(atEpoch epoch: Int, initial: Float) -> Float {
        Float(Double(initial) * Foundation.pow(Double(gamma), Double(epoch)))
    }
}

/// `η₀·γ^k` where `k` is the number of milestones `≤ e` (PyTorch's `MultiStepLR`; FCDD's
/// `milestones` scheduler).
public struct MultiStepDecay: LearningRateSchedule {
    /// Epochs at which the rate is multiplied by `gamma` (a repeated milestone counts twice).
    public let milestones: [Int]
    /// Factor per milestone.
    public let gamma: Float
    /// Decay by `gamma` at each milestone.
    public init(milestones: [Int], gamma: Float = 0.1) {
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }
    public func learningRate(atEpoch epoch: Int, initial: Float) -> Float {
        let passed = milestones.filter { $0 <= epoch }.count
        return Float(Double(initial) * Foundation.pow(Double(gamma), Double(passed)))
    }
}

/// Cosine annealing from `η₀` down to `minimum` over `period` epochs and back up over the
/// next `period` (PyTorch's `CosineAnnealingLR`, whose recursive form equals this closed
/// form): `η_min + (η₀ − η_min)·(1 + cos(π·e / period)) / 2`.
public struct CosineAnnealing: LearningRateSchedule {
    /// Epochs from the initial rate down to the minimum (PyTorch's `T_max`).
    public let period: Int
    /// The lowest rate (PyTorch's `eta_min`).
    public let minimum: Float
    /// Cosine annealing with the given half-period.
    public init(period: Int, minimum: Float = 0) {
        self.period = Swift.max(1, period)
        self.minimum = minimum
    }
    public func learningRate(atEpoch epoch: Int, initial: Float) -> Float {
        let phase = Double.pi * Double(epoch) / Double(period)
        return Float(Double(minimum) + Double(initial - minimum) * (1 + Foundation.cos(phase)) / 2)
    }
}

/// `η₀·f(e)` for any factor function (PyTorch's `LambdaLR`).
public struct LambdaSchedule: LearningRateSchedule {
    /// The factor applied to the initial rate at each epoch.
    public let factor: @Sendable (Int) -> Float
    /// A schedule from a factor function.
    public init(factor: @escaping @Sendable (Int) -> Float) { self.factor = factor }
    public func learningRate(atEpoch epoch: Int, initial: Float) -> Float { initial * factor(epoch) }
}
