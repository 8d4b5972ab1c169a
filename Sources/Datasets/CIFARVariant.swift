/// Which CIFAR dataset (and, for CIFAR-100, which of its two labels) a ``CIFAR`` loads:
/// the record layout, file names, classes and where the files come from.
///
/// Both datasets hold 32×32 RGB images (Krizhevsky, 2009, "Learning Multiple Layers of
/// Features from Tiny Images"); this package reads their **binary version**:
///
/// | variant | files (train / test) | record |
/// |---|---|---|
/// | ``cifar10`` | `data_batch_1.bin` … `data_batch_5.bin` / `test_batch.bin` | label byte, 3,072 pixel bytes |
/// | ``cifar100Fine``, ``cifar100Coarse`` | `train.bin` / `test.bin` | coarse byte, fine byte, 3,072 pixel bytes |
///
/// The pixel bytes are the red plane, then the green plane, then the blue plane, each 32×32
/// row-major.
public enum CIFARVariant: String, Sendable, CaseIterable, CustomStringConvertible {
    /// CIFAR-10: 10 classes (airplane … truck), 50,000 train and 10,000 test images.
    case cifar10
    /// CIFAR-100 labelled with its 100 fine classes (apple … worm).
    case cifar100Fine
    /// CIFAR-100 labelled with its 20 coarse classes, the superclasses (aquatic_mammals …
    /// vehicles_2).
    case cifar100Coarse

    /// The dataset's name in messages and sample names: `CIFAR-10`, `CIFAR-100` or
    /// `CIFAR-100-coarse`.
    public var description: String {
        switch self {
        case .cifar10: "CIFAR-10"
        case .cifar100Fine: "CIFAR-100"
        case .cifar100Coarse: "CIFAR-100-coarse"
        }
    }

    /// The bytes of one image: 3 planes of 32×32.
    public static let imageByteCount = 3 * 32 * 32

    /// The number of label bytes before each image: 1 for CIFAR-10, 2 (coarse, fine) for
    /// CIFAR-100.
    public var labelByteCount: Int { self == .cifar10 ? 1 : 2 }

    /// The length of one record: label bytes and image.
    public var recordByteCount: Int { labelByteCount + Self.imageByteCount }

    /// Where in a record the label this variant uses lies: 0 for CIFAR-10 and for CIFAR-100's
    /// coarse label, 1 for CIFAR-100's fine label.
    public var labelByteOffset: Int { self == .cifar100Fine ? 1 : 0 }

    /// The number of classes of each label byte of a record, in record order: `[10]`, or
    /// `[20, 100]` for CIFAR-100 (coarse, fine). Every byte is checked on loading.
    public var labelClassCounts: [Int] { self == .cifar10 ? [10] : [20, 100] }

    /// The number of classes of the label this variant uses.
    public var classCount: Int { labelClassCounts[labelByteOffset] }

    /// The batch files of `split`, in the order they are concatenated.
    public func batchFileNames(for split: DatasetSplit) -> [String] {
        switch (self, split) {
        case (.cifar10, .train): (1...5).map { "data_batch_\($0).bin" }
        case (.cifar10, .test): ["test_batch.bin"]
        case (_, .train): ["train.bin"]
        case (_, .test): ["test.bin"]
        }
    }

    /// The file of class names (one a line) that the archive ships beside the batches.
    public var classNamesFileName: String {
        switch self {
        case .cifar10: "batches.meta.txt"
        case .cifar100Fine: "fine_label_names.txt"
        case .cifar100Coarse: "coarse_label_names.txt"
        }
    }

    /// The folder that the binary archive extracts to; ``CIFAR`` also looks for the batch
    /// files inside it.
    public var archiveFolderName: String { self == .cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary" }

    /// The class names used when the directory has no ``classNamesFileName``: the lists
    /// that the archives ship.
    public var builtInClassNames: [String] {
        switch self {
        case .cifar10: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        case .cifar100Fine: Self.cifar100FineNames
        case .cifar100Coarse: Self.cifar100CoarseNames
        }
    }

    /// Where the files come from, shown when they are missing.
    public var howToObtain: String {
        let archive = self == .cifar10 ? "cifar-10-binary.tar.gz" : "cifar-100-binary.tar.gz"
        return """
            \(description) is at https://www.cs.toronto.edu/~kriz/cifar.html: download the binary version \
            ("\(archive)", not the Python or MATLAB version; DatasetArchive has its URL and SHA-256 for \
            DatasetDownload.fetch), extract it with `tar xzf \(archive)`, and pass the folder \(archiveFolderName) \
            or the folder that contains it.
            """
    }

    private static let cifar100FineNames = [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle",
        "bicycle", "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel",
        "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud",
        "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant",
        "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree",
        "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter",
        "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine",
        "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea",
        "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television",
        "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale",
        "willow_tree", "wolf", "woman", "worm",
    ]

    private static let cifar100CoarseNames = [
        "aquatic_mammals", "fish", "flowers",
        "food_containers", "fruit_and_vegetables", "household_electrical_devices",
        "household_furniture", "insects", "large_carnivores",
        "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
        "medium_mammals", "non-insect_invertebrates", "people",
        "reptiles", "small_mammals", "trees",
        "vehicles_1", "vehicles_2",
    ]
}
