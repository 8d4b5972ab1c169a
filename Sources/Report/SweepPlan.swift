import FCDD

/// What one (class, seed) pair of a sweep trains, made by the caller's closure for
/// ``Sweep/run(plan:events:)``: the data with that class normal, and one run per method of
/// the sweep, in its order, each with the pair's seed in its recipe.
public struct SweepPlan {
    /// The data of the pair's class (and, where the data depends on it, seed).
    public var data: OneClassData
    /// One run per method of ``SweepSettings/methods``, in that order; a run's method is its
    /// recipe's objective (`fcdd`, `hsc`, `ae`).
    public var runs: [TrainingRun]
    /// Anomalous test images in a comparison's figure (sweeps of several methods).
    public var comparisonColumns: Int

    /// A plan; see the properties.
    public init(data: OneClassData, runs: [TrainingRun], comparisonColumns: Int = 10) {
        self.data = data
        self.runs = runs
        self.comparisonColumns = comparisonColumns
    }
}
