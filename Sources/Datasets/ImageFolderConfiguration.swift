import Foundation

/// Which channels the images of a folder dataset (``ImageFolderDataset``, ``MVTecAD``) get,
/// so that folders that mix grey and colour files give tensors of one shape.
public enum ImageChannelMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The file's colour model: 1 channel for grey images, 3 for colour ones. An alpha
    /// channel is dropped (grey and alpha gives 1 channel, RGBA gives 3).
    case asStored
    /// 1 channel: colour images become grey with PIL's `convert("L")` luma (see
    /// ``Image/converted(toChannels:)``).
    case grey
    /// 3 channels: grey images are repeated in R, G and B, as FCDD does for MVTec-AD's grey
    /// categories.
    case rgb

    /// The mode's name: `asStored`, `grey` or `rgb`.
    public var description: String { rawValue }

    /// The number of channels an image of `channels` channels (1...4) gets.
    public func channelCount(forStored channels: Int) -> Int {
        switch self {
        case .asStored: channels >= 3 ? 3 : 1
        case .grey: 1
        case .rgb: 3
        }
    }

    /// `image` with the mode's channels.
    public func apply(to image: Image) -> Image {
        image.converted(toChannels: channelCount(forStored: image.channels))
    }
}

/// Which first-level folders of an ``ImageFolderDataset``'s root hold which labels.
public enum ImageFolderLayout: Sendable, Equatable {
    /// One class per first-level folder, `<root>/<class>/…`, as FCDD's one-vs-rest
    /// (`-ovr`) custom data and torchvision's `ImageFolder`: labels number the folders in
    /// sorted order, and ``ImageFolderDataset/classNames`` are the folder names. Pick the
    /// normal class(es) with a ``OneClassView``. Every (non-hidden) first-level folder is a
    /// class and must hold images; files directly in the root are ignored.
    case classFolders
    /// Two labels: 0 for the images under the folders `normal`, 1 for those under the
    /// folders `anomalous` (FCDD's `<class>/normal/` and `<class>/anomalous/`). Every listed
    /// folder must exist and hold images; other first-level folders are ignored. An empty
    /// `anomalous` list gives a set of normal images only (a training set).
    case normalAnomalous(normal: [String] = ["normal"], anomalous: [String] = ["anomalous"])
    /// Two labels: 0 for the images under the folders `normal`, 1 for those under **every
    /// other** first-level folder (each of which must hold images), such as the Magnetic
    /// Tile Defect set with `MT_Free` normal and its five defect folders anomalous.
    case normalVersusOthers(normal: [String])

    /// The first-level folders named as normal (none for ``classFolders``).
    public var normalFolders: [String] {
        switch self {
        case .classFolders: []
        case let .normalAnomalous(normal, _), let .normalVersusOthers(normal): normal
        }
    }
}

/// Where an ``ImageFolderDataset`` looks for the mask of each image.
///
/// A name pattern gives the mask's file name from the image's: `{name}` stands for the
/// image's file name without its extension, `{ext}` for its extension (without the dot, as
/// written). `{name}_mask.png` pairs `a/b.jpg` with `b_mask.png`; `{name}.{ext}` keeps the
/// image's file name; `{name}.png` pairs the Magnetic Tile Defect set's `NAME.jpg` with
/// `NAME.png`. The pattern may hold a relative folder (`masks/{name}.png`).
///
/// Masks are read as binary, in either of two conventions told apart by the mask's largest
/// colour value: 0/255 masks (the largest value above 127 of 255), where a pixel is
/// anomalous (1) where any colour channel is above 0.5 (above 127 of 255), and 0/1 masks
/// (the largest value 1 of 255, or 1 of 65535 in 16-bit files), where a pixel is anomalous
/// where any colour channel is non-zero. A mask whose largest value lies between (2 to 127
/// of 255) is refused with ``DatasetError/invalidMask(file:expected:found:)`` rather than
/// read as empty. A mask must have its image's size.
public enum MaskLocation: Sendable, Equatable {
    /// No masks: samples have none.
    case none
    /// Masks in the image's own folder, named by `pattern`. A file that is the mask of
    /// another listed file is not listed as an image itself, so with `{name}.png` the PNG
    /// masks beside JPEG images are not taken for images.
    case besideImages(pattern: String)
    /// Masks under the folder `root`, which mirrors the image root: the mask of
    /// `<images>/<a>/<b>/<file>` is `<root>/<a>/<b>/<pattern>` (FCDD's `test_maps/` beside
    /// `test/` with `{name}.{ext}`). Files under `root` are never listed as images, even
    /// when `root` lies inside the image root.
    case mirrored(root: URL, pattern: String)

    /// The name pattern, `nil` for ``none``.
    public var pattern: String? {
        switch self {
        case .none: nil
        case let .besideImages(pattern), let .mirrored(_, pattern): pattern
        }
    }

    /// The file name (or relative path) that `pattern` gives for the image file `imageFileName`.
    static func maskName(pattern: String, imageFileName: String) -> String {
        let url = URL(fileURLWithPath: imageFileName)
        let ext = url.pathExtension
        let name = ext.isEmpty ? imageFileName : String(imageFileName.dropLast(ext.count + 1))
        return pattern.replacingOccurrences(of: "{name}", with: name).replacingOccurrences(of: "{ext}", with: ext)
    }
}

/// Which images of an ``ImageFolderDataset`` must have a mask file (when
/// ``ImageFolderConfiguration/masks`` is not ``MaskLocation/none``).
public enum MaskRequirement: String, Sendable, CaseIterable {
    /// Every image must have its mask; a missing one is an error when the dataset is opened.
    case everyImage
    /// Anomalous images (label 1 of ``ImageFolderLayout/normalAnomalous(normal:anomalous:)``
    /// or ``ImageFolderLayout/normalVersusOthers(normal:)``) must have their masks; a normal
    /// image without one gets an all-zero mask. Not valid with
    /// ``ImageFolderLayout/classFolders``, which has no anomalous label.
    case anomalousImages
    /// An image without a mask file gets an all-zero mask ("no anomalous pixels"), so that
    /// every sample of a batch has a mask.
    case optional
}

/// How an ``ImageFolderDataset`` reads a folder of custom data: the layout of its folders,
/// where masks are, which images need one, the channels images get and the file name
/// extensions taken for images.
public struct ImageFolderConfiguration: Sendable, Equatable {
    /// Which first-level folders hold which labels.
    public var layout: ImageFolderLayout
    /// Where masks are, or ``MaskLocation/none``.
    public var masks: MaskLocation
    /// Which images must have a mask file.
    public var maskRequirement: MaskRequirement
    /// Which channels images get (masks always have 1).
    public var channels: ImageChannelMode
    /// The extensions of image files, lower-case without the dot; file names are compared
    /// case-insensitively (`a.PNG` and `b.Jpeg` count).
    public var imageExtensions: Set<String>

    /// `png`, `jpg` and `jpeg`: the formats that ``Image`` decodes.
    public static let defaultImageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// A configuration; see the properties. The defaults read one class per folder, without
    /// masks, keeping each file's channels.
    public init(
        layout: ImageFolderLayout = .classFolders, masks: MaskLocation = .none,
        maskRequirement: MaskRequirement = .everyImage, channels: ImageChannelMode = .asStored,
        imageExtensions: Set<String> = ImageFolderConfiguration.defaultImageExtensions
    ) {
        self.layout = layout
        self.masks = masks
        self.maskRequirement = maskRequirement
        self.channels = channels
        self.imageExtensions = imageExtensions
    }

    /// The Magnetic Tile Defect set (Huang et al.): `MT_Free` normal, the five defect
    /// folders anomalous, each `Imgs/NAME.jpg` paired with its mask `Imgs/NAME.png`, every
    /// image with a mask, grey.
    public static let magneticTileDefect = ImageFolderConfiguration(
        layout: .normalVersusOthers(normal: ["MT_Free"]), masks: .besideImages(pattern: "{name}.png"),
        maskRequirement: .everyImage, channels: .grey)

    /// Checks the settings that can be checked without the files.
    ///
    /// - Throws: ``DatasetError/invalidFolderConfiguration(parameter:expected:found:)`` for a
    ///   mask pattern without `{name}` or starting with `/`, a layout that names no normal
    ///   folder, a folder name that is empty, hidden or holds `/`, a folder listed twice,
    ///   ``MaskRequirement/anomalousImages`` with ``ImageFolderLayout/classFolders``, or no
    ///   image extension.
    func validate() throws(DatasetError) {
        if let pattern = masks.pattern, !pattern.contains("{name}") || pattern.hasPrefix("/") {
            throw .invalidFolderConfiguration(
                parameter: "the mask name pattern", expected: "a relative file name containing {name} (such as {name}_mask.png)",
                found: "\"\(pattern)\"")
        }
        guard !imageExtensions.isEmpty else {
            throw .invalidFolderConfiguration(parameter: "imageExtensions", expected: "at least one extension (png, jpg, jpeg)", found: "none")
        }
        var folders: [String] = []
        switch layout {
        case .classFolders:
            if maskRequirement == .anomalousImages, masks != .none {
                throw .invalidFolderConfiguration(
                    parameter: "maskRequirement", expected: "everyImage or optional with the classFolders layout, which has no anomalous label",
                    found: "anomalousImages")
            }
        case let .normalAnomalous(normal, anomalous):
            folders = normal + anomalous
        case let .normalVersusOthers(normal):
            folders = normal
        }
        if case .classFolders = layout {
        } else if layout.normalFolders.isEmpty {
            throw .invalidFolderConfiguration(parameter: "the normal folders", expected: "at least one folder name", found: "none")
        }
        var seen = Set<String>()
        for folder in folders {
            guard !folder.isEmpty, !folder.contains("/"), !folder.hasPrefix("."), folder != ".." else {
                throw .invalidFolderConfiguration(
                    parameter: "a folder name", expected: "the name of a first-level folder of the root (not empty or hidden, without /)",
                    found: "\"\(folder)\"")
            }
            guard seen.insert(folder).inserted else {
                throw .invalidFolderConfiguration(parameter: "the folder names", expected: "each folder listed once", found: "\"\(folder)\" twice")
            }
        }
    }
}
