import TensorCore

/// Min-max scaling with fixed extremes: `(x − min) / (max − min)` per channel, written in
/// PyTorch as `Normalize(mean=min, std=max − min)`. `max − min` is computed in double
/// precision and both constants are then rounded to float, as torchvision does.
///
/// Images within the extremes land in `[0, 1]`; others can fall outside it. FCDD's
/// `lcn`/`lcnaug1` pipelines end with `LocalContrastNormalization()` followed by this
/// transform with a class's precomputed extremes (the FCDD module's tables).
public struct MinMaxScaling: SampleTransform {
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
                transform: "MinMaxScaling", parameter: "minimum and maximum",
                expected: "non-empty lists of equal length (or a single value)",
                found: "\(minimum.count) minima and \(maximum.count) maxima")
        }
        let count = max(minimum.count, maximum.count)
        let low = (0..<count).map { minimum[minimum.count == 1 ? 0 : $0] }
        let high = (0..<count).map { maximum[maximum.count == 1 ? 0 : $0] }
        guard zip(low, high).allSatisfy({ $0 < $1 && $0.isFinite && $1.isFinite }) else {
            throw .invalidTransformParameter(
                transform: "MinMaxScaling", parameter: "extremes",
                expected: "a finite maximum above each minimum", found: "minimum \(minimum), maximum \(maximum)")
        }
        self.minimum = minimum
        self.maximum = maximum
        normalize = try Normalize(mean: low, standardDeviation: zip(high, low).map { $0 - $1 })
    }

    /// Scales the image (one output allocation).
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   when the image's channel count differs from the number of extremes.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        result.image = try normalize.normalized(sample.image, transform: "MinMaxScaling", sample: sample.name)
        return result
    }
}
