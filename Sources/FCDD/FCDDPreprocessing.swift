import Datasets

/// The test-time preprocessing of an FCDD model, stored with the model (as JSON in the
/// safetensors metadata) so that a predictor applies exactly what the model was trained
/// and evaluated with (`fcdd-reference.md` §5).
public enum FCDDPreprocessing: Sendable, Codable, Equatable {
    /// Fashion-MNIST's `lcnaug1` test transform: L1 local contrast normalisation, then
    /// min-max scaling with the normal class's constants.
    case fashionMNIST(normalClass: Int)
    /// CIFAR-10's `aug1` test transform: per-channel normalisation with the normal class's
    /// mean and standard deviation.
    case cifar10(normalClass: Int)
    /// Images are used as decoded, in [0, 1].
    case identity

    /// The transform.
    ///
    /// - Throws: ``DatasetError`` for a normal class the benchmark does not have.
    public func transform() throws(DatasetError) -> any SampleTransform {
        switch self {
        case let .fashionMNIST(normalClass):
            return Compose(LocalContrastNormalization(scale: .l1), try FCDDMinMaxScaling(benchmark: .fashionMNIST, normalClass: normalClass))
        case let .cifar10(normalClass):
            let statistics = try FCDDBenchmark.cifar10.statistics(normalClass: normalClass)
            return try Normalize(mean: statistics.mean, standardDeviation: statistics.standardDeviation)
        case .identity:
            return Compose([])
        }
    }
}
