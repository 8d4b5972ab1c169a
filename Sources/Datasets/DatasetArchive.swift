import Foundation

/// A published dataset file: where to download it and its SHA-256, for
/// ``DatasetDownload/fetch(_:into:)``.
///
/// The constants are the official files whose SHA-256 could be checked against public
/// documentation:
///
/// - Fashion-MNIST (the four `.gz` files on Zalando's S3 site): SHA-256 as listed by
///   TensorFlow Datasets (`url_checksums/fashion_mnist.txt`); the same files' MD5 sums are
///   the ones torchvision and the Fashion-MNIST README publish.
/// - MNIST from torchvision's mirror (`ossci-datasets.s3.amazonaws.com/mnist`): torchvision
///   publishes only MD5 sums; the SHA-256 here are of the files with those MD5 sums, and equal
///   the SHA-256 that TensorFlow Datasets lists for the same files on its own mirror.
/// - CIFAR-10 and CIFAR-100, binary version: SHA-256 as listed by TensorFlow Datasets
///   (`url_checksums/cifar10.txt`, `cifar100.txt`) and, identically, by other loaders; the
///   CIFAR page itself publishes only MD5 sums.
///
/// Not included: EMNIST's `gzip.zip` (a zip archive, which this package cannot extract).
/// The CIFAR archives are `.tar.gz`: extract them (`tar xzf`) before loading with ``CIFAR``.
public struct DatasetArchive: Sendable, Equatable {
    /// Where the file is downloaded from.
    public let url: URL
    /// The file's SHA-256, 64 lower-case hexadecimal digits.
    public let sha256: String
    /// The file's size in bytes, as published.
    public let byteCount: Int

    /// The name the file is cached under: the URL's last path component.
    public var fileName: String { url.lastPathComponent }

    /// Describes a file; `sha256` is stored lower-cased.
    public init(url: URL, sha256: String, byteCount: Int) {
        self.url = url
        self.sha256 = sha256.lowercased()
        self.byteCount = byteCount
    }

    /// A built-in entry; its URL literal is known to be valid.
    private init(_ string: String, sha256: String, byteCount: Int) {
        guard let url = URL(string: string) else { preconditionFailure("DatasetArchive: invalid built-in URL \(string)") }
        self.init(url: url, sha256: sha256, byteCount: byteCount)
    }

    // MARK: Fashion-MNIST

    /// Fashion-MNIST training images, `train-images-idx3-ubyte.gz`.
    public static let fashionMNISTTrainImages = DatasetArchive(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz",
        sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", byteCount: 26_421_880)
    /// Fashion-MNIST training labels, `train-labels-idx1-ubyte.gz`.
    public static let fashionMNISTTrainLabels = DatasetArchive(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz",
        sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", byteCount: 29_515)
    /// Fashion-MNIST test images, `t10k-images-idx3-ubyte.gz`.
    public static let fashionMNISTTestImages = DatasetArchive(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz",
        sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", byteCount: 4_422_102)
    /// Fashion-MNIST test labels, `t10k-labels-idx1-ubyte.gz`.
    public static let fashionMNISTTestLabels = DatasetArchive(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz",
        sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", byteCount: 5_148)
    /// The four Fashion-MNIST files; fetched into one directory, they load with
    /// ``FashionMNIST/load(split:from:)``.
    public static let fashionMNIST = [fashionMNISTTrainImages, fashionMNISTTrainLabels, fashionMNISTTestImages, fashionMNISTTestLabels]

    // MARK: MNIST (torchvision's mirror)

    /// MNIST training images, `train-images-idx3-ubyte.gz`.
    public static let mnistTrainImages = DatasetArchive(
        "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz",
        sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", byteCount: 9_912_422)
    /// MNIST training labels, `train-labels-idx1-ubyte.gz`.
    public static let mnistTrainLabels = DatasetArchive(
        "https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz",
        sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", byteCount: 28_881)
    /// MNIST test images, `t10k-images-idx3-ubyte.gz`.
    public static let mnistTestImages = DatasetArchive(
        "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz",
        sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", byteCount: 1_648_877)
    /// MNIST test labels, `t10k-labels-idx1-ubyte.gz`.
    public static let mnistTestLabels = DatasetArchive(
        "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz",
        sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", byteCount: 4_542)
    /// The four MNIST files; fetched into one directory, they load with
    /// ``IDXImageDataset/init(directory:split:kind:)`` and ``IDXDatasetKind/mnist``.
    public static let mnist = [mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels]

    // MARK: CIFAR (binary version)

    /// CIFAR-10, binary version: `cifar-10-binary.tar.gz`, which extracts to
    /// `cifar-10-batches-bin/`.
    public static let cifar10Binary = DatasetArchive(
        "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
        sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", byteCount: 170_052_171)
    /// CIFAR-100, binary version: `cifar-100-binary.tar.gz`, which extracts to
    /// `cifar-100-binary/`.
    public static let cifar100Binary = DatasetArchive(
        "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
        sha256: "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec", byteCount: 168_513_733)
}
