/// Which part of a dataset to load.
public enum DatasetSplit: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The training set (60,000 images in MNIST and Fashion-MNIST).
    case train
    /// The test set (10,000 images in MNIST and Fashion-MNIST).
    case test

    /// The split's name, `train` or `test`.
    public var description: String { rawValue }
}
