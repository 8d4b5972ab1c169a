import Datasets

/// The normalisation constants FCDD uses for one class of one benchmark (the class that is
/// treated as normal): see ``FCDDBenchmark/statistics(normalClass:)``.
///
/// Lists hold one value per channel, or a single value that applies to every channel
/// (Fashion-MNIST has one channel; FCDD applies CIFAR-10's LCN extremes to all three).
public struct FCDDClassStatistics: Sendable, Equatable {
    /// The class's name in FCDD's class list.
    public let className: String
    /// The minimum after L1 `LocalContrastNormalization` over the class's training images.
    public let lcnMinimum: [Double]
    /// The maximum after L1 `LocalContrastNormalization` over the class's training images.
    public let lcnMaximum: [Double]
    /// The mean of the class's raw training images in `[0, 1]`.
    public let mean: [Double]
    /// The standard deviation of the class's raw training images in `[0, 1]`.
    public let standardDeviation: [Double]
}

/// The benchmarks for which FCDD ships per-class normalisation constants. (FCDD has no
/// MNIST pipeline and so no MNIST constants; ImageNet and Pascal VOC use fixed statistics,
/// `Normalize.imageNet` and `Normalize.pascalVOC`.)
public enum FCDDBenchmark: String, Sendable, Equatable, CaseIterable {
    /// Fashion-MNIST, 10 classes (`datasets/fmnist.py`).
    case fashionMNIST
    /// CIFAR-10, 10 classes (`datasets/cifar.py`).
    case cifar10
    /// MVTec-AD, 15 classes in FCDD's order: bottle, cable, capsule, carpet, grid, hazelnut,
    /// leather, metal_nut, pill, screw, tile, toothbrush, transistor, wood, zipper
    /// (`datasets/mvtec.py`).
    case mvtecAD

    /// The constants of every class, indexed by class label.
    public var classStatistics: [FCDDClassStatistics] {
        switch self {
        case .fashionMNIST: FCDDNormalizationTables.fashionMNIST
        case .cifar10: FCDDNormalizationTables.cifar10
        case .mvtecAD: FCDDNormalizationTables.mvtecAD
        }
    }

    /// The constants for training with `normalClass` as the normal class.
    ///
    /// - Throws: `DatasetError.invalidTransformParameter(transform:parameter:expected:found:)`
    ///   for a class index outside the benchmark's classes.
    public func statistics(normalClass: Int) throws(DatasetError) -> FCDDClassStatistics {
        let all = classStatistics
        guard all.indices.contains(normalClass) else {
            throw .invalidTransformParameter(
                transform: "FCDDBenchmark.\(rawValue)", parameter: "normal class",
                expected: "a class index in 0..<\(all.count)", found: "\(normalClass)")
        }
        return all[normalClass]
    }
}

extension Normalize {
    /// Normalisation with a class's raw mean and standard deviation (FCDD's `aug1` and
    /// `none` pipelines, e.g. the CIFAR-10 default).
    ///
    /// - Throws: `DatasetError.invalidTransformParameter(transform:parameter:expected:found:)`
    ///   if the statistics are unusable (never for FCDD's tables).
    public init(statistics: FCDDClassStatistics) throws(DatasetError) {
        try self.init(mean: statistics.mean, standardDeviation: statistics.standardDeviation)
    }
}

extension MinMaxScaling {
    /// Scaling with a class's LCN-L1 extremes.
    ///
    /// - Throws: as `init(minimum:maximum:)` (never for FCDD's tables).
    public init(statistics: FCDDClassStatistics) throws(DatasetError) {
        try self.init(minimum: statistics.lcnMinimum, maximum: statistics.lcnMaximum)
    }

    /// Scaling with the LCN-L1 extremes FCDD uses when `normalClass` of `benchmark` is
    /// the normal class.
    ///
    /// - Throws: `DatasetError.invalidTransformParameter(transform:parameter:expected:found:)`
    ///   for a class index outside the benchmark's classes.
    public init(benchmark: FCDDBenchmark, normalClass: Int) throws(DatasetError) {
        try self.init(statistics: try benchmark.statistics(normalClass: normalClass))
    }
}
