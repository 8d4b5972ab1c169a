import FCDD
import Foundation

/// How far a sweep is, counted in runs (pairs × methods).
public struct SweepProgress: Sendable, Equatable {
    /// All runs of the sweep.
    public let runs: Int
    /// The runs that were finished when the sweep started (skipped, not trained again).
    public let finishedBefore: Int
    /// The runs finished now, those before included.
    public let finished: Int
    /// The share of the running run's training steps done, in [0, 1]; 0 between runs.
    public let currentRun: Double

    /// The share of the whole sweep done, in [0, 1].
    public var fraction: Double {
        runs > 0 ? min(1, (Double(finished) + currentRun) / Double(runs)) : 1
    }
}

/// What ``Sweep/run(plan:events:)`` reports while it runs, to a closure that answers whether
/// to go on (`.proceed`) or stop (`.stop`: the sweep ends after publishing what is finished;
/// a stop during training leaves that run unpublished, to continue from its last checkpoint
/// when the sweep runs again).
public struct SweepEvent {
    /// What happened.
    public enum Kind {
        /// The run's folder already holds its result: it is not trained again.
        case skipped
        /// The run's net and trainer are ready and training starts (continuing from the
        /// folder's checkpoint when ``PreparedTrainingRun/resumedEpochs`` is set).
        case starting(PreparedTrainingRun)
        /// An optimiser step of the run finished.
        case step(TrainingProgress)
        /// The run finished and its folder is published.
        case finished(RecipeOutcome)
    }

    /// What happened.
    public let kind: Kind
    /// The run's class and seed.
    public let point: SweepPoint
    /// The run's method.
    public let method: String
    /// The run's folder.
    public let folder: URL
    /// How far the sweep is.
    public let progress: SweepProgress
}
