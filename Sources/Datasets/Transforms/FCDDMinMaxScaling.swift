import TensorCore

/// FCDD's min-max scaling after L1 ``LocalContrastNormalization``: `(x − min) / (max −
/// min)` per channel with the class's precomputed LCN extremes, written in FCDD as
/// `Normalize(mean=min, std=max − min)`. `max − min` is computed in double precision and
/// both constants are then rounded to float, as torchvision does.
///
/// Training images of the class land in `[0, 1]`; other images (anomalies, augmented
/// samples) can fall outside it. FCDD's `lcn`/`lcnaug1` pipelines end with
/// `LocalContrastNormalization()` followed by this transform.
public struct FCDDMinMaxScaling: SampleTransform {
    /// The minimum per channel (or one for all).
    public let minimum: [Double]
    /// The maximum per channel (or one for all).
    public let maximum: [Double]
    /// The equivalent normalisation.
    let normalize: Normalize

    /// Scaling with explicit extremes.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for empty lists, lists of different lengths (other than one value against many), or
    ///   a maximum that is not above its minimum.
    public init(minimum: [Double], maximum: [Double]) throws(DatasetError) {
        guard !minimum.isEmpty, !maximum.isEmpty,
              minimum.count == maximum.count || minimum.count == 1 || maximum.count == 1
        else {
            throw .invalidTransformParameter(
                transform: "FCDDMinMaxScaling", parameter: "minimum and maximum",
                expected: "non-empty lists of equal length (or a single value)",
                found: "\(minimum.count) minima and \(maximum.count) maxima")
        }
        let count = max(minimum.count, maximum.count)
        let low = (0..<count).map { minimum[minimum.count == 1 ? 0 : $0] }
        let high = (0..<count).map { maximum[maximum.count == 1 ? 0 : $0] }
        guard zip(low, high).allSatisfy({ $0 < $1 && $0.isFinite && $1.isFinite }) else {
            throw .invalidTransformParameter(
                transform: "FCDDMinMaxScaling", parameter: "extremes",
                expected: "a finite maximum above each minimum", found: "minimum \(minimum), maximum \(maximum)")
        }
        self.minimum = minimum
        self.maximum = maximum
        normalize = try Normalize(mean: low, standardDeviation: zip(high, low).map { $0 - $1 })
    }

    /// Scaling with a class's LCN-L1 extremes.
    ///
    /// - Throws: as ``init(minimum:maximum:)`` (never for FCDD's tables).
    public init(statistics: FCDDClassStatistics) throws(DatasetError) {
        try self.init(minimum: statistics.lcnMinimum, maximum: statistics.lcnMaximum)
    }

    /// Scaling with the LCN-L1 extremes FCDD uses when `normalClass` of `benchmark` is
    /// the normal class.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a class index outside the benchmark's classes.
    public init(benchmark: FCDDBenchmark, normalClass: Int) throws(DatasetError) {
        try self.init(statistics: try benchmark.statistics(normalClass: normalClass))
    }

    /// Scales the image (one output allocation).
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   when the image's channel count differs from the number of extremes.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        result.image = try normalize.normalized(sample.image, transform: "FCDDMinMaxScaling", sample: sample.name)
        return result
    }
}
