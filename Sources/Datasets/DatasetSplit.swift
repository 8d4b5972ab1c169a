/// Which part of a dataset to load.
public enum DatasetSplit: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The training set (60,000 images in MNIST and Fashion-MNIST).
    case train
    /// The test set (10,000 images in MNIST and Fashion-MNIST).
    case test

    /// The prefix of the split's IDX file names: `train` or `t10k`, as in
    /// `t10k-images-idx3-ubyte.gz`.
    public var idxFilePrefix: String {
        switch self {
        case .train: "train"
        case .test: "t10k"
        }
    }

    /// The split's name, `train` or `test`.
    public var description: String { rawValue }
}
