import Foundation

/// A dataset distributed as four IDX files (MNIST's layout): what it is called, its classes,
/// its image size, where it is usually installed and how to obtain it.
///
/// MNIST and Fashion-MNIST share the format and file names, so one loader,
/// ``IDXImageDataset``, reads both; the kind supplies what differs. EMNIST letters
/// (``emnistLetters``) differs more: other file names, transposed images and labels from 1.
public struct IDXDatasetKind: Sendable, Equatable {
    /// The dataset's name, used in messages (for example `Fashion-MNIST`).
    public let name: String
    /// The name of each class, indexed by label.
    public let classNames: [String]
    /// The height of every image, in pixels.
    public let imageHeight: Int
    /// The width of every image, in pixels.
    public let imageWidth: Int
    /// Directories searched, in order, when no directory is given.
    public let defaultDirectories: [URL]
    /// Where the files come from, shown when they are missing.
    public let howToObtain: String
    /// Whether the image file stores each image transposed (column by column), as EMNIST
    /// does: the loader then transposes every image back so that it is upright, the file's
    /// images being `[count, imageWidth, imageHeight]`.
    public let transposed: Bool
    /// The value that the label file stores for class 0: 0 for MNIST and Fashion-MNIST, 1
    /// for EMNIST letters (whose files store 1…26 for a…z). Labels are shifted by it on
    /// loading, so ``IDXImageDataset/labels`` always lie in `0..<classCount`.
    public let firstLabel: Int
    /// The prefix of the training split's file names, `train` as in
    /// `train-images-idx3-ubyte`.
    public let trainFilePrefix: String
    /// The prefix of the test split's file names, `t10k` as in `t10k-images-idx3-ubyte`.
    public let testFilePrefix: String

    /// Creates a kind; see the properties for the meaning of each argument. The defaults of
    /// the last four are MNIST's layout: upright images, labels from 0, files named
    /// `train-…` and `t10k-…`.
    public init(
        name: String, classNames: [String], imageHeight: Int, imageWidth: Int,
        defaultDirectories: [URL], howToObtain: String,
        transposed: Bool = false, firstLabel: Int = 0,
        trainFilePrefix: String = "train", testFilePrefix: String = "t10k"
    ) {
        self.name = name
        self.classNames = classNames
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.defaultDirectories = defaultDirectories
        self.howToObtain = howToObtain
        self.transposed = transposed
        self.firstLabel = firstLabel
        self.trainFilePrefix = trainFilePrefix
        self.testFilePrefix = testFilePrefix
    }

    /// The number of classes.
    public var classCount: Int { classNames.count }

    /// The prefix of `split`'s file names (``trainFilePrefix`` or ``testFilePrefix``).
    public func filePrefix(for split: DatasetSplit) -> String {
        switch split {
        case .train: trainFilePrefix
        case .test: testFilePrefix
        }
    }

    /// The names of `split`'s image file and label file, without `.gz`: for MNIST's layout
    /// `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`.
    public func fileNames(for split: DatasetSplit) -> (images: String, labels: String) {
        let prefix = filePrefix(for: split)
        return ("\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte")
    }

    /// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; Zalando SE, MIT licence): 28×28 grey
    /// images of 10 kinds of clothing. Debian's `dataset-fashion-mnist` package installs the
    /// four files under `/usr/share/datasets/fashion-mnist/`, the default location.
    public static let fashionMNIST = IDXDatasetKind(
        name: "Fashion-MNIST",
        classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        imageHeight: 28, imageWidth: 28,
        defaultDirectories: [FashionMNIST.systemDirectory],
        howToObtain: """
            Fashion-MNIST (MIT licence) is at https://github.com/zalandoresearch/fashion-mnist (folder data/fashion), \
            or install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), which puts the files \
            under /usr/share/datasets/fashion-mnist. Raw or .gz files both work.
            """)

    /// MNIST (LeCun, Cortes and Burges): 28×28 grey images of the digits 0–9. It has no
    /// default location; pass the directory that holds its four files.
    public static let mnist = IDXDatasetKind(
        name: "MNIST",
        classNames: (0...9).map(String.init),
        imageHeight: 28, imageWidth: 28,
        defaultDirectories: [],
        howToObtain: """
            MNIST is distributed as these four files (for example the copies that torchvision downloads); \
            put them, raw or .gz, in one directory and pass that directory.
            """)

    /// EMNIST letters (Cohen, Afshar, Tapson and van Schaik, 2017): 28×28 grey images of
    /// handwritten letters in 26 classes, a–z (upper and lower case merged); 124,800 train
    /// and 20,800 test images. FCDD uses it as an alternative outlier-exposure set for
    /// Fashion-MNIST.
    ///
    /// Its files differ from MNIST's in three ways that this kind describes: they are named
    /// `emnist-letters-train-…` and `emnist-letters-test-…`, each image is stored transposed
    /// (the loader transposes it back, as torchvision users do with `transpose(1, 2)`), and
    /// the labels are stored as 1…26 (mapped to classes 0…25). It has no default location.
    public static let emnistLetters = IDXDatasetKind(
        name: "EMNIST-letters",
        classNames: "abcdefghijklmnopqrstuvwxyz".map(String.init),
        imageHeight: 28, imageWidth: 28,
        defaultDirectories: [],
        howToObtain: """
            EMNIST is distributed by NIST as gzip.zip (https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip, \
            described at https://www.nist.gov/itl/products-and-services/emnist-dataset); unzip it and pass its gzip/ folder, which holds emnist-letters-train-images-idx3-ubyte.gz and the other \
            letters files (raw or .gz both work; torchvision's EMNIST(split="letters") leaves them raw under EMNIST/raw).
            """,
        transposed: true, firstLabel: 1,
        trainFilePrefix: "emnist-letters-train", testFilePrefix: "emnist-letters-test")
}
