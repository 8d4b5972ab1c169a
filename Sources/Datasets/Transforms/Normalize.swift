import TensorCore

/// Subtracts a mean and divides by a standard deviation per channel, as torchvision's
/// `Normalize(mean, std)`: `(x − mean[c]) / std[c]` in single precision.
///
/// A single value applies to every channel. FCDD uses it with per-class statistics (the
/// `aug1`/`none` pipelines; its tables live in the FCDD module) and, through
/// ``MinMaxScaling``, for its min-max scaling.
public struct Normalize: SampleTransform {
    /// The mean of each channel (or one for all).
    public let mean: [Float]
    /// The standard deviation of each channel (or one for all); never zero.
    public let standardDeviation: [Float]

    /// Normalisation with the given per-channel statistics. Values given in double
    /// precision (the constant tables) are rounded to float, as torchvision does.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for empty lists, lists of different lengths (other than one value against many),
    ///   a zero or non-finite standard deviation, or a non-finite mean.
    public init(mean: [Float], standardDeviation: [Float]) throws(DatasetError) {
        guard !mean.isEmpty, !standardDeviation.isEmpty,
            mean.count == standardDeviation.count || mean.count == 1 || standardDeviation.count == 1
        else {
            throw .invalidTransformParameter(
                transform: "Normalize", parameter: "mean and standard deviation",
                expected: "non-empty lists of equal length (or a single value)",
                found: "\(mean.count) means and \(standardDeviation.count) standard deviations")
        }
        guard standardDeviation.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw .invalidTransformParameter(
                transform: "Normalize", parameter: "statistics",
                expected: "finite values and non-zero standard deviations",
                found: "mean \(mean), standard deviation \(standardDeviation)")
        }
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Normalisation with statistics given in double precision (rounded to float).
    ///
    /// - Throws: as the `Float` initialiser.
    public init(mean: [Double], standardDeviation: [Double]) throws(DatasetError) {
        try self.init(mean: mean.map { Float($0) }, standardDeviation: standardDeviation.map { Float($0) })
    }

    /// Statistics known to be valid (the built-in constants).
    init(checkedMean mean: [Float], standardDeviation: [Float]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// ImageNet's statistics, mean (0.485, 0.456, 0.406) and standard deviation (0.229,
    /// 0.224, 0.225), which FCDD uses for ImageNet-30.
    public static var imageNet: Normalize {
        Normalize(checkedMean: [0.485, 0.456, 0.406], standardDeviation: [0.229, 0.224, 0.225])
    }

    /// The Pascal VOC statistics FCDD uses (`datasets/pascal_voc.py`): mean (0.4469, 0.4227,
    /// 0.3906), standard deviation (0.2691, 0.2659, 0.2789).
    public static var pascalVOC: Normalize {
        Normalize(checkedMean: [0.4469, 0.4227, 0.3906], standardDeviation: [0.2691, 0.2659, 0.2789])
    }

    /// The number of channels the statistics describe (1 when they apply to every channel).
    var channelCount: Int { max(mean.count, standardDeviation.count) }

    /// Normalises the image (one output allocation).
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   when the image's channel count differs from the number of statistics.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        var result = sample
        result.image = try normalized(sample.image, transform: "Normalize", sample: sample.name)
        return result
    }

    /// `(x − mean[c]) / std[c]` for every element.
    func normalized(_ image: Tensor, transform: String, sample: String) throws(DatasetError) -> Tensor {
        let allowed = channelCount == 1 ? nil : [channelCount]
        let geometry = try ImageGeometry(of: image, transform: transform, sample: sample, allowedChannels: allowed)
        let plane = geometry.plane
        return transformed(image, to: geometry.shape) { x, y in
            for channel in 0..<geometry.channels {
                let m = mean[mean.count == 1 ? 0 : channel]
                let s = standardDeviation[standardDeviation.count == 1 ? 0 : channel]
                let (from, to) = (x + channel * plane, y + channel * plane)
                for i in 0..<plane { to[i] = (from[i] - m) / s }
            }
        }
    }
}
