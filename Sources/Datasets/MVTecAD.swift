import Foundation
import TensorCore

/// One category and split of MVTec-AD (Bergmann et al., "MVTec AD — A Comprehensive
/// Real-World Dataset for Unsupervised Anomaly Detection"), read from the folders of the
/// extracted archive `mvtec_anomaly_detection.tar.xz`:
///
/// ```text
/// <root>/<category>/train/good/*.png                        training images, all good
/// <root>/<category>/test/<defect>/*.png                     test images, `good` included
/// <root>/<category>/ground_truth/<defect>/<name>_mask.png   0/255 masks of the defects
/// ```
///
/// ```swift
/// let test = try MVTecAD(root: url, category: "bottle", split: .test)
/// test.labels            // 0 = good (nominal), 1 = defective
/// test.defectType(at: 0) // "broken_large", …, or "good"
/// let sample = try test.sample(at: 0)
/// sample.mask            // [1, H, W], 1 on the defect; all zeros for good images
/// ```
///
/// Opening the dataset lists the files and checks that every defective test image has its
/// mask; it decodes nothing. Files are sorted by path (defect type, then name), as FCDD
/// processes them. Every sample has a mask: the `_mask.png` file binarised (a pixel above
/// 0.5 is 1; a mask stored as 0/1 rather than 0/255 is read too, see ``MaskLocation``), or
/// all zeros for a good image, which has no mask file. FCDD converts every
/// image to RGB (`channels: .rgb`); by default images keep their own channels (the
/// categories `grid`, `screw` and `zipper` are grey).
public struct MVTecAD: FileBackedDataset {
    /// The 15 categories of MVTec-AD, in FCDD's class order (index = FCDD's normal class).
    public static let categories = [
        "bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut",
        "pill", "screw", "tile", "toothbrush", "transistor", "wood", "zipper",
    ]

    /// The defect type of nominal images: the folder name `good`.
    public static let goodDefectType = "good"

    /// Where MVTec-AD comes from and how to lay it out, for error messages.
    public static let howToObtain = """
        Download MVTec-AD (mvtec_anomaly_detection.tar.xz) from \
        https://www.mvtec.com/company/research/datasets/mvtec-ad (licence CC BY-NC-SA 4.0: \
        non-commercial use only, with attribution) and extract it into the root folder, so \
        that <root>/<category>/train/good/, <root>/<category>/test/<defect>/ and \
        <root>/<category>/ground_truth/<defect>/ exist for each of the 15 categories.
        """

    /// The folder holding the category folders.
    public let root: URL
    /// The category (object or texture), such as `bottle`.
    public let category: String
    /// `.train` (good images only) or `.test` (good and defective images).
    public let split: DatasetSplit
    /// Which channels the images get.
    public let channels: ImageChannelMode
    /// The image file of each sample, sorted by path.
    public let imageFiles: [URL]
    /// The mask file of each sample; `nil` for good images, which have none.
    public let maskFiles: [URL?]
    /// The defect types of the split: `good` first, then the other defect folders sorted
    /// (just `["good"]` for the training split).
    public let defectNames: [String]
    /// For each sample, the index of its defect type in ``defectNames`` (0 = good).
    public let defectIndices: [Int]
    /// For each sample: 0 for a good (nominal) image, 1 for a defective one.
    public let labels: [Int]

    /// The names of the labels: `["good", "defective"]`.
    public var classNames: [String] { ["good", "defective"] }

    /// The number of samples.
    public var count: Int { labels.count }

    /// The image files, then the mask files, in sample order.
    public var sourceFiles: [URL] { imageFiles + maskFiles.compactMap { $0 } }

    /// The defect type of sample `index`: its folder under `test/`, such as `crack`, or
    /// `good`.
    ///
    /// - Precondition: `index` is in `0..<count`.
    public func defectType(at index: Int) -> String { defectNames[defectIndices[index]] }

    /// Lists `split` of `category` under `root` and pairs each defective test image with its
    /// mask.
    ///
    /// - Parameters:
    ///   - root: the folder holding the category folders (where the archive was extracted).
    ///   - category: a category folder, normally one of ``categories``.
    ///   - split: `.train` lists `train/good/`, `.test` every folder of `test/`.
    ///   - channels: the images' channels; `.rgb` as FCDD does.
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` naming the
    ///   folders looked for and how to obtain MVTec-AD when the category, `train/good/` or
    ///   `test/` is missing; ``DatasetError/noImages(directory:expected:)`` when a folder
    ///   of the split holds no PNG file;
    ///   ``DatasetError/missingMask(image:expectedMask:alsoMissing:)`` naming the expected
    ///   `ground_truth/<defect>/<name>_mask.png` when a defective image has no mask; and
    ///   ``DatasetError/unreadableFile(file:reason:)`` when a folder cannot be listed.
    public init(root: URL, category: String, split: DatasetSplit, channels: ImageChannelMode = .asStored) throws(DatasetError) {
        let root = root.standardizedFileURL
        let categoryFolder = root.appendingPathComponent(category, isDirectory: true)
        let splitFolder = categoryFolder.appendingPathComponent(split.rawValue, isDirectory: true)
        let groundTruth = categoryFolder.appendingPathComponent("ground_truth", isDirectory: true)
        let splitFolderToCheck = split == .train ? splitFolder.appendingPathComponent(Self.goodDefectType, isDirectory: true) : splitFolder
        guard !category.isEmpty, !category.contains("/"), FolderScan.isDirectory(splitFolderToCheck) else {
            let expected =
                split == .train
                ? [splitFolderToCheck.path + "/*.png"]
                : [splitFolder.path + "/<defect>/*.png", groundTruth.path + "/<defect>/<name>_mask.png"]
            var advice = Self.howToObtain
            if !Self.categories.contains(category) {
                advice = "\"\(category)\" is not an MVTec-AD category; expected one of \(Self.categories.joined(separator: ", ")).\n" + advice
            }
            throw .missingFiles(directory: categoryFolder.path, expected: expected, howToObtain: advice)
        }

        let defectFolders =
            split == .train
            ? [Self.goodDefectType]
            : try FolderScan.subdirectories(of: splitFolder)
        guard !defectFolders.isEmpty else {
            throw .noImages(directory: splitFolder.path, expected: "one folder per defect type (good included) holding PNG images")
        }
        let defectNames =
            (defectFolders.contains(Self.goodDefectType) ? [Self.goodDefectType] : [])
            + defectFolders.filter { $0 != Self.goodDefectType }

        var entries: [(image: URL, mask: URL?, defect: Int)] = []
        var missing: [(image: URL, mask: URL)] = []
        for defect in defectFolders {
            let folder = splitFolder.appendingPathComponent(defect, isDirectory: true)
            let images = try FolderScan.files(in: folder).filter { $0.pathExtension.lowercased() == "png" }
            guard !images.isEmpty else {
                throw .noImages(directory: folder.path, expected: "the PNG images (*.png) of MVTec-AD's \(category) \(split) set, defect type \(defect)")
            }
            let defectIndex = defectNames.firstIndex(of: defect) ?? 0
            for image in images {
                var mask: URL?
                if defect != Self.goodDefectType {
                    let name = image.deletingPathExtension().lastPathComponent
                    let expected = groundTruth.appendingPathComponent(defect, isDirectory: true).appendingPathComponent(name + "_mask.png")
                    if FolderScan.isFile(expected) { mask = expected } else { missing.append((image, expected)) }
                }
                entries.append((image, mask, defectIndex))
            }
        }
        if let first = missing.first {
            throw .missingMask(image: first.image.path, expectedMask: first.mask.path, alsoMissing: missing.count - 1)
        }
        entries.sort { $0.image.path < $1.image.path }

        self.root = root
        self.category = category
        self.split = split
        self.channels = channels
        self.imageFiles = entries.map(\.image)
        self.maskFiles = entries.map(\.mask)
        self.defectNames = defectNames
        self.defectIndices = entries.map(\.defect)
        self.labels = entries.map { $0.defect == 0 && defectNames.first == Self.goodDefectType ? 0 : 1 }
    }

    /// Decodes sample `index`: the image with ``channels``, `[C, H, W]` in `[0, 1]`; its
    /// label (0 good, 1 defective); its binary mask `[1, H, W]` (all zeros for a good
    /// image); and its path as name.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` unless `index`
    ///   is in `0..<count`, ``DatasetError/maskSizeMismatch(image:imageSize:mask:maskSize:)``
    ///   when the mask's size differs from the image's, and the errors of
    ///   ``Image/init(contentsOf:limits:)`` for the image and its mask.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard index >= 0 && index < count else {
            throw .sampleIndexOutOfRange(dataset: "MVTec-AD \(category)/\(split)", index: index, count: count)
        }
        let file = imageFiles[index]
        let image = channels.apply(to: try Image(contentsOf: file))
        let mask: Tensor
        if let maskFile = maskFiles[index] {
            mask = try MaskFile.read(maskFile, image: file, height: image.height, width: image.width)
        } else {
            mask = MaskFile.zeros(height: image.height, width: image.width)
        }
        return DatasetSample(image: image.tensor(), label: labels[index], mask: mask, name: file.path)
    }
}
