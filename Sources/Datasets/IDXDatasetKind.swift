import Foundation

/// A dataset distributed as four IDX files (MNIST's layout): what it is called, its classes,
/// its image size, where it is usually installed and how to obtain it.
///
/// MNIST and Fashion-MNIST share the format and file names, so one loader,
/// ``IDXImageDataset``, reads both; the kind supplies what differs.
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

    /// Creates a kind; see the properties for the meaning of each argument.
    public init(
        name: String, classNames: [String], imageHeight: Int, imageWidth: Int,
        defaultDirectories: [URL], howToObtain: String
    ) {
        self.name = name
        self.classNames = classNames
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.defaultDirectories = defaultDirectories
        self.howToObtain = howToObtain
    }

    /// The number of classes.
    public var classCount: Int { classNames.count }

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
}
