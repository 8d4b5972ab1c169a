import Foundation

/// Fashion-MNIST: 70,000 28×28 grey images of clothing in 10 classes (60,000 train, 10,000
/// test), by Zalando Research, MIT licence. A thin front to ``IDXImageDataset`` with
/// ``IDXDatasetKind/fashionMNIST``.
///
/// ```swift
/// let train = try FashionMNIST.load(split: .train, from: dataDirectory)   // the full set
/// let sample = try FashionMNIST.bundledSample(split: .train)              // shipped with the package
/// ```
public enum FashionMNIST {
    /// The dataset's kind: class names, image size, default location.
    public static let kind = IDXDatasetKind.fashionMNIST

    /// The names of the 10 classes, indexed by label (0 is "T-shirt/top", 9 "Ankle boot").
    public static var classNames: [String] { kind.classNames }

    /// Where Debian's `dataset-fashion-mnist` package installs the four files, the location
    /// ``load(split:from:)`` uses when given no directory.
    public static let systemDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist", isDirectory: true)

    /// The name of the sample's folder inside the module's resource bundle.
    static let sampleResourceName = "fashion-mnist-sample"

    /// Loads a split of the full dataset from `directory` (raw or `.gz` files), or from the
    /// default locations (``systemDirectory``) when `directory` is `nil`.
    ///
    /// - Throws: the errors of ``IDXImageDataset/init(directory:split:kind:)``.
    public static func load(split: DatasetSplit, from directory: URL? = nil) throws(DatasetError) -> IDXImageDataset {
        if let directory {
            return try IDXImageDataset(directory: directory, split: split, kind: kind)
        }
        return try IDXImageDataset(split: split, kind: kind)
    }

    /// A small, class-balanced sample of the real dataset that ships inside this package, so
    /// examples and tests run without downloading anything: the first 300 images of each
    /// class of the official train set (3,000 images) for `.train`, and the first 100 of
    /// each class of the official test set (1,000 images) for `.test`, in file order.
    /// `Scripts/make_fashion_mnist_sample.py` made it.
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` when the
    ///   resource bundle lacks the sample, and the errors of
    ///   ``IDXImageDataset/init(directory:split:kind:)``.
    public static func bundledSample(split: DatasetSplit) throws(DatasetError) -> IDXImageDataset {
        guard let directory = Bundle.module.url(forResource: sampleResourceName, withExtension: nil) else {
            throw .missingFiles(
                directory: Bundle.module.bundlePath, expected: [sampleResourceName],
                howToObtain: "The Datasets module's resource bundle lacks the sample; rebuild the package, "
                    + "or regenerate it with Scripts/make_fashion_mnist_sample.py.")
        }
        return try IDXImageDataset(directory: directory, split: split, kind: kind)
    }
}
