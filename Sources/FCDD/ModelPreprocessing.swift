import Datasets
import TensorCore

/// The test-time preprocessing of a model (any net and objective), stored with it (as JSON in
/// the safetensors metadata) so that a predictor applies exactly what the model was trained
/// and evaluated with. The cases are the official code's test pipelines (`datasets/fmnist.py`,
/// `cifar.py` and `mvtec.py`), the last one fitted to any folder, and none.
public enum ModelPreprocessing: Sendable, Codable, Equatable {
    /// Fashion-MNIST's `lcnaug1` test transform: L1 local contrast normalisation, then
    /// min-max scaling with the normal class's constants.
    case fashionMNIST(normalClass: Int)
    /// CIFAR-10's `aug1` test transform: per-channel normalisation with the normal class's
    /// mean and standard deviation.
    case cifar10(normalClass: Int)
    /// The MVTec-AD `lcnaug1` test transform for any data: L1 local contrast normalisation,
    /// then per-channel min-max scaling `(x − minimum) / (maximum − minimum)` with the
    /// extremes of the normal training images after LCN (FCDD's MVTec-AD constants, or
    /// ones fitted with ``fittingLocalContrastMinMax(to:)`` for custom folders).
    case localContrastMinMax(minimum: [Double], maximum: [Double])
    /// Images are used as decoded, in [0, 1].
    case identity

    /// The transform.
    ///
    /// - Throws: `DatasetError` for a normal class the benchmark does not have.
    public func transform() throws(DatasetError) -> any SampleTransform {
        switch self {
        case let .fashionMNIST(normalClass):
            return Compose(LocalContrastNormalization(scale: .l1), try MinMaxScaling(benchmark: .fashionMNIST, normalClass: normalClass))
        case let .cifar10(normalClass):
            let statistics = try FCDDBenchmark.cifar10.statistics(normalClass: normalClass)
            return try Normalize(mean: statistics.mean, standardDeviation: statistics.standardDeviation)
        case let .localContrastMinMax(minimum, maximum):
            return Compose(LocalContrastNormalization(scale: .l1), try MinMaxScaling(minimum: minimum, maximum: maximum))
        case .identity:
            return Compose([])
        }
    }

    /// The preprocessing applied to each image of a batch `[N, C, H, W]`.
    ///
    /// - Throws: `DatasetError` for images the transform cannot take.
    public func apply(toBatch images: Tensor) throws -> Tensor {
        let transform = try transform()
        var prepared: [Tensor] = []
        for index in 0..<images.shape[0] {
            let image = images.slice(alongAxis: 0, index..<(index + 1)).squeezed(axis: 0)
            prepared.append(try transform.apply(DatasetSample(image: image, label: 0, name: "image \(index)"), seed: 0).image)
        }
        return Tensor.stack(prepared)
    }

    /// ``localContrastMinMax(minimum:maximum:)`` with the per-channel extremes of `images`
    /// after L1 local contrast normalisation, as FCDD computed its MVTec-AD constants from
    /// each class's training images. Pass the normal training images at the net's input
    /// size (with the test-time resize in their transform).
    ///
    /// - Throws: the dataset's errors, and `DatasetError.invalidTransformParameter(transform:parameter:expected:found:)`
    ///   for an empty dataset or images whose channel count varies.
    public static func fittingLocalContrastMinMax(to images: any ImageDataset) throws(DatasetError) -> ModelPreprocessing {
        var minimum: [Double] = [], maximum: [Double] = []
        var firstName = ""
        let normalization = LocalContrastNormalization(scale: .l1)
        for index in 0..<images.count {
            let sample = try images.sample(at: index)
            let image = try normalization.apply(sample, seed: 0).image
            let channels = image.shape[0]
            if minimum.isEmpty {
                minimum = Array(repeating: .infinity, count: channels)
                maximum = Array(repeating: -.infinity, count: channels)
                firstName = sample.name
            }
            guard channels == minimum.count else {
                throw .invalidTransformParameter(
                    transform: "ModelPreprocessing.fittingLocalContrastMinMax", parameter: "images",
                    expected: "of one channel count (\(minimum.count), like \(firstName))",
                    found: "\(channels) channels in \(sample.name); give grey and colour images one channel count with "
                        + DatasetError.channelsAdvice)
            }
            let plane = image.scalarCount / channels
            image.withUnsafeBufferPointer { values in
                for channel in 0..<channels {
                    var (low, high) = (Float.infinity, -Float.infinity)
                    for value in values[(channel * plane)..<((channel + 1) * plane)] {
                        low = Swift.min(low, value)
                        high = Swift.max(high, value)
                    }
                    minimum[channel] = Swift.min(minimum[channel], Double(low))
                    maximum[channel] = Swift.max(maximum[channel], Double(high))
                }
            }
        }
        guard !minimum.isEmpty else {
            throw .invalidTransformParameter(
                transform: "ModelPreprocessing.fittingLocalContrastMinMax", parameter: "images", expected: "at least one image", found: "none")
        }
        return .localContrastMinMax(minimum: minimum, maximum: maximum)
    }
}
