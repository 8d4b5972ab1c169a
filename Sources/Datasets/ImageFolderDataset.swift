import Foundation
import TensorCore

/// A dataset of image files in folders, for custom data: one class per first-level folder,
/// or normal and anomalous folders, with optional pixel masks (see
/// ``ImageFolderConfiguration``).
///
/// ```swift
/// // <root>/normal/**.png and <root>/anomalous/**.png, masks in <root>/../test_maps/
/// let test = try ImageFolderDataset(root: url, configuration: .init(
///     layout: .normalAnomalous(),
///     masks: .mirrored(root: mapsURL, pattern: "{name}.{ext}"), maskRequirement: .anomalousImages))
///
/// // The Magnetic Tile Defect set: MT_Free normal, the other folders anomalous.
/// let tiles = try ImageFolderDataset(root: tilesURL, configuration: .magneticTileDefect)
/// ```
///
/// Opening the dataset lists the files and pairs masks; it decodes nothing.
/// Image files are found **recursively** under each first-level folder by extension
/// (`.png`, `.jpg`, `.jpeg`, case-insensitive; the format itself is recognised from the
/// file's first bytes); hidden files and folders (names starting with `.`) are skipped and
/// symbolic links are followed. Samples are ordered by path, so the order does not depend
/// on the file system. Images may be grey or colour, of any (also non-square) size;
/// ``ImageFolderConfiguration/channels`` gives them one channel count so that they batch
/// (sizes still have to be made equal by a transform).
public struct ImageFolderDataset: FileBackedDataset {
    /// The folder the dataset was read from.
    public let root: URL
    /// How the folder is read.
    public let configuration: ImageFolderConfiguration
    /// The image file of each sample, sorted by path.
    public let imageFiles: [URL]
    /// The mask file of each sample, `nil` where there is none (no masks configured, or an
    /// image without a mask that is not required; such images get an all-zero mask).
    public let maskFiles: [URL?]
    /// The label of each sample: the class folder's index in ``classNames`` for
    /// ``ImageFolderLayout/classFolders``, 0 (normal) or 1 (anomalous) otherwise.
    public let labels: [Int]
    /// The name of each label: the class folders' names, sorted, for
    /// ``ImageFolderLayout/classFolders``; `["normal", "anomalous"]` otherwise.
    public let classNames: [String]
    /// The first-level folders that samples come from, sorted (the classes, or the normal
    /// and anomalous folders, such as `MT_Crack`).
    public let folderNames: [String]
    /// For each sample, the index of its first-level folder in ``folderNames``.
    public let folderIndices: [Int]

    /// The number of samples.
    public var count: Int { labels.count }

    /// The image files, then the mask files, in sample order.
    public var sourceFiles: [URL] { imageFiles + maskFiles.compactMap { $0 } }

    /// The first-level folder that sample `index` comes from (its class, or the defect
    /// folder of an anomalous image).
    ///
    /// - Precondition: `index` is in `0..<count`.
    public func folder(at index: Int) -> String { folderNames[folderIndices[index]] }

    /// Lists the images under `root` as `configuration` says and pairs them with their masks.
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` when `root`
    ///   or a folder named by the layout does not exist;
    ///   ``DatasetError/noImages(directory:expected:)`` when the root has no class folder or
    ///   a class (or named) folder holds no image file;
    ///   ``DatasetError/missingMask(image:expectedMask:alsoMissing:)`` when a required mask
    ///   is missing; ``DatasetError/unreadableFile(file:reason:)`` when a folder cannot be
    ///   listed; and ``DatasetError/invalidFolderConfiguration(parameter:expected:found:)``
    ///   for invalid settings.
    public init(root: URL, configuration: ImageFolderConfiguration = ImageFolderConfiguration()) throws(DatasetError) {
        try configuration.validate()
        let root = root.standardizedFileURL
        guard FolderScan.isDirectory(root) else {
            throw .missingFiles(
                directory: root.path, expected: [root.path + "/"],
                howToObtain: "Expected a folder of images (\(FolderScan.describe(configuration.imageExtensions)) files under its first-level folders).")
        }
        let maskRoot: URL?
        if case let .mirrored(folder, _) = configuration.masks { maskRoot = folder.standardizedFileURL } else { maskRoot = nil }

        // First-level folders and the image candidates under each.
        let excluded = maskRoot.map { [$0] } ?? []
        let folders = try FolderScan.subdirectories(of: root).filter { folder in
            !excluded.contains { FolderScan.contains($0, root.appendingPathComponent(folder, isDirectory: true)) }
        }
        let (selected, labelOfFolder, classNames) = try Self.selectFolders(folders, root: root, layout: configuration.layout)

        var imageFiles: [URL] = []
        var maskFiles: [URL?] = []
        var labels: [Int] = []
        var folderIndices: [Int] = []
        var missing: [(image: URL, mask: URL)] = []
        for (folderIndex, folder) in selected.enumerated() {
            let directory = root.appendingPathComponent(folder, isDirectory: true)
            var candidates = try FolderScan.files(under: directory, excluding: excluded)
                .filter { configuration.imageExtensions.contains($0.pathExtension.lowercased()) }
            // Each candidate's mask, where masks lie beside images; those masks are not images.
            var maskOf: [URL: URL] = [:]
            if let pattern = configuration.masks.pattern {
                for file in candidates {
                    maskOf[file] = Self.maskURL(for: file, pattern: pattern, root: root, maskRoot: maskRoot)
                }
            }
            if case .besideImages = configuration.masks {
                let paths = Set(candidates.map(\.path))
                let masks = Set(
                    candidates.compactMap { file in
                        maskOf[file].flatMap { $0.path != file.path && paths.contains($0.path) ? $0.path : nil }
                    })
                candidates.removeAll { masks.contains($0.path) }
            }
            guard !candidates.isEmpty else {
                throw .noImages(
                    directory: directory.path,
                    expected: "image files (\(FolderScan.describe(configuration.imageExtensions))) in it or its subfolders"
                        + (configuration.masks.pattern.map { ", besides masks named \($0)" } ?? ""))
            }
            let label = labelOfFolder[folderIndex]
            for file in candidates {
                var mask: URL?
                if let expected = maskOf[file] {
                    if expected.path != file.path && FolderScan.isFile(expected) {
                        mask = expected
                    } else {
                        let required =
                            configuration.maskRequirement == .everyImage
                            || (configuration.maskRequirement == .anomalousImages && label == 1)
                        if required { missing.append((file, expected)) }
                    }
                }
                imageFiles.append(file)
                maskFiles.append(mask)
                labels.append(label)
                folderIndices.append(folderIndex)
            }
        }
        if let first = missing.first {
            throw .missingMask(image: first.image.path, expectedMask: first.mask.path, alsoMissing: missing.count - 1)
        }
        self.root = root
        self.configuration = configuration
        self.imageFiles = imageFiles
        self.maskFiles = maskFiles
        self.labels = labels
        self.classNames = classNames
        self.folderNames = selected
        self.folderIndices = folderIndices
    }

    /// Decodes sample `index`: the image with the configured channels, `[C, H, W]` in
    /// `[0, 1]`; its label; its binary mask `[1, H, W]` (all zeros for an image without a
    /// mask file; `nil` when no masks are configured); and its path as name.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` unless `index`
    ///   is in `0..<count`, ``DatasetError/maskSizeMismatch(image:imageSize:mask:maskSize:)``
    ///   when the mask's size differs from the image's, and the errors of
    ///   ``Image/init(contentsOf:limits:)`` for the image and its mask.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard index >= 0 && index < count else {
            throw .sampleIndexOutOfRange(dataset: "image folder \(root.path)", index: index, count: count)
        }
        let file = imageFiles[index]
        let image = configuration.channels.apply(to: try Image(contentsOf: file))
        var mask: Tensor?
        if let maskFile = maskFiles[index] {
            mask = try MaskFile.read(maskFile, image: file, height: image.height, width: image.width)
        } else if configuration.masks != .none {
            mask = MaskFile.zeros(height: image.height, width: image.width)
        }
        return DatasetSample(image: image.tensor(), label: labels[index], mask: mask, name: file.path)
    }

    /// The folders to read, in order, the label of each and the class names.
    private static func selectFolders(
        _ folders: [String], root: URL, layout: ImageFolderLayout
    ) throws(DatasetError) -> ([String], [Int], [String]) {
        switch layout {
        case .classFolders:
            guard !folders.isEmpty else {
                throw .noImages(directory: root.path, expected: "one folder per class holding its images (<root>/<class>/…)")
            }
            return (folders, Array(folders.indices), folders)
        case let .normalAnomalous(normal, anomalous):
            let missing = (normal + anomalous).filter { !folders.contains($0) }
            guard missing.isEmpty else {
                throw .missingFiles(
                    directory: root.path, expected: missing.map { root.appendingPathComponent($0).path + "/" },
                    howToObtain: "Put the normal images under \(describe(normal, in: root)) and the anomalous ones under "
                        + "\(describe(anomalous, in: root)), or name the folders with ImageFolderLayout.normalAnomalous(normal:anomalous:).")
            }
            let selected = (normal + anomalous).sorted()
            return (selected, selected.map { normal.contains($0) ? 0 : 1 }, ["normal", "anomalous"])
        case let .normalVersusOthers(normal):
            let missing = normal.filter { !folders.contains($0) }
            guard missing.isEmpty else {
                throw .missingFiles(
                    directory: root.path, expected: missing.map { root.appendingPathComponent($0).path + "/" },
                    howToObtain: "Expected the normal images under \(describe(normal, in: root)) and the anomalous ones in the other "
                        + "folders of \(root.path); found the folders \(folders.isEmpty ? "(none)" : folders.joined(separator: ", ")).")
            }
            return (folders, folders.map { normal.contains($0) ? 0 : 1 }, ["normal", "anomalous"])
        }
    }

    /// `names` as paths under `root`, for messages.
    private static func describe(_ names: [String], in root: URL) -> String {
        names.isEmpty ? "(no folder)" : names.map { root.appendingPathComponent($0).path + "/" }.joined(separator: ", ")
    }

    /// Where the mask of `file` is, by `pattern`: in its folder, or in the mirror of its
    /// folder under `maskRoot`.
    private static func maskURL(for file: URL, pattern: String, root: URL, maskRoot: URL?) -> URL {
        let name = MaskLocation.maskName(pattern: pattern, imageFileName: file.lastPathComponent)
        var folder = file.deletingLastPathComponent()
        if let maskRoot {
            let relative = FolderScan.relativeComponents(of: folder, under: root)
            folder = relative.reduce(maskRoot) { $0.appendingPathComponent($1, isDirectory: true) }
        }
        return folder.appendingPathComponent(name).standardizedFileURL
    }
}

/// Listing folders for the folder datasets.
enum FolderScan {
    /// Whether `url` is a directory (following symbolic links).
    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Whether `url` is a file other than a directory (following symbolic links).
    static func isFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Whether `folder` is `url` or contains it (by standardised path).
    static func contains(_ folder: URL, _ url: URL) -> Bool {
        let folderPath = folder.standardizedFileURL.path, path = url.standardizedFileURL.path
        return path == folderPath || path.hasPrefix(folderPath.hasSuffix("/") ? folderPath : folderPath + "/")
    }

    /// The path components of `url` below `root`.
    static func relativeComponents(of url: URL, under root: URL) -> [String] {
        let base = root.standardizedFileURL.pathComponents, components = url.standardizedFileURL.pathComponents
        guard components.starts(with: base) else { return [] }
        return Array(components.dropFirst(base.count))
    }

    /// The non-hidden entries of `directory`, sorted.
    ///
    /// - Throws: ``DatasetError/unreadableFile(file:reason:)`` when it cannot be listed.
    static func entries(of directory: URL) throws(DatasetError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadableFile(file: directory.path, reason: "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The names of the non-hidden folders directly in `directory`, sorted.
    static func subdirectories(of directory: URL) throws(DatasetError) -> [String] {
        try entries(of: directory).filter { isDirectory(directory.appendingPathComponent($0, isDirectory: true)) }
    }

    /// The non-hidden files directly in `directory`, sorted by path.
    static func files(in directory: URL) throws(DatasetError) -> [URL] {
        try entries(of: directory).map { directory.appendingPathComponent($0) }.filter(isFile)
    }

    /// Every non-hidden file under `directory` and its non-hidden subfolders (symbolic links
    /// followed, each real folder visited once), except under the folders `excluded`,
    /// sorted by path.
    static func files(under directory: URL, excluding excluded: [URL] = []) throws(DatasetError) -> [URL] {
        var files: [URL] = []
        var visited = Set<String>()
        var pending = [directory.standardizedFileURL]
        while let folder = pending.popLast() {
            guard visited.insert(folder.resolvingSymlinksInPath().path).inserted else { continue }
            for name in try entries(of: folder) {
                let url = folder.appendingPathComponent(name)
                if isDirectory(url) {
                    if !excluded.contains(where: { contains($0, url) }) { pending.append(url) }
                } else if isFile(url) {
                    files.append(url)
                }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The extensions for messages: `.jpeg, .jpg, .png`.
    static func describe(_ extensions: Set<String>) -> String {
        extensions.sorted().map { "." + $0 }.joined(separator: ", ")
    }
}

/// Reading masks for the folder datasets.
enum MaskFile {
    /// The binary mask `[1, H, W]` in `url`. Two conventions are recognised from the
    /// mask's largest colour value (alpha is ignored):
    ///
    /// - 0/255 (the usual one, MVTec-AD's): where the largest value is above half the full
    ///   scale (above 127 of 255), a pixel is anomalous (1) where any colour channel is
    ///   above 0.5 — values in between (anti-aliased edges, JPEG noise) go to the nearer end;
    /// - 0/1: where the largest value is the smallest non-zero level (1 of 255, or 1 of
    ///   65535 in a 16-bit file), a pixel is anomalous where any colour channel is non-zero.
    ///
    /// An all-zero mask has no anomalous pixel. Any other mask (largest value between 2 and
    /// 127 of 255) follows neither convention and is refused rather than read as empty.
    ///
    /// - Throws: the errors of ``Image/init(contentsOf:limits:)``,
    ///   ``DatasetError/maskSizeMismatch(image:imageSize:mask:maskSize:)`` unless it is
    ///   `height × width` pixels, and ``DatasetError/invalidMask(file:expected:found:)`` for a
    ///   mask of neither convention.
    static func read(_ url: URL, image: URL, height: Int, width: Int) throws(DatasetError) -> Tensor {
        let mask = try Image(contentsOf: url)
        guard mask.height == height, mask.width == width else {
            throw .maskSizeMismatch(image: image.path, imageSize: [height, width], mask: url.path, maskSize: [mask.height, mask.width])
        }
        let threshold = try threshold(of: mask, file: url.path)
        let channels = mask.channels, colours = channels >= 3 ? 3 : 1
        let plane = height * width
        return Tensor(shape: [1, height, width]) { output in
            mask.pixels.withUnsafeBufferPointer { pixels in
                guard let from = pixels.baseAddress, let to = output.baseAddress else { return }
                for index in 0..<plane {
                    let pixel = from + index * channels
                    var anomalous = false
                    for channel in 0..<colours where pixel[channel] > threshold { anomalous = true }
                    to[index] = anomalous ? 1 : 0
                }
            }
        }
    }

    /// The value above which a colour sample of `mask` is anomalous: 0.5 for 0/255 masks,
    /// 0 for 0/1 masks (and all-zero ones).
    ///
    /// - Throws: ``DatasetError/invalidMask(file:expected:found:)`` when the largest colour
    ///   value is neither above 0.5 nor the smallest non-zero level.
    static func threshold(of mask: Image, file: String) throws(DatasetError) -> Float {
        let channels = mask.channels, colours = channels >= 3 ? 3 : 1
        let plane = mask.width * mask.height
        var largest: Float = 0
        mask.pixels.withUnsafeBufferPointer { pixels in
            guard let from = pixels.baseAddress else { return }
            for index in 0..<plane {
                let pixel = from + index * channels
                for channel in 0..<colours { largest = max(largest, pixel[channel]) }
            }
        }
        if largest > 0.5 { return 0.5 }
        // Samples are v / 255 or v / 65535, correctly rounded: level 1 is recognised exactly.
        if largest == 0 || largest == Float(1.0 / 255.0) || largest == Float(1.0 / 65535.0) { return 0 }
        let level = Double(largest) * 255
        let shown = abs(level - level.rounded()) < 0.005 ? String(Int(level.rounded())) : String(format: "%.2f", level)
        throw .invalidMask(
            file: file,
            expected: "values 0 and 255 (anomalous above 127 of 255) or 0 and 1 (anomalous where not 0)",
            found: "values up to \(shown) of 255, "
                + "which neither convention reads as anomalous; save the mask with 0 for normal and 255 for anomalous pixels")
    }

    /// An all-zero mask `[1, height, width]`: no anomalous pixel.
    static func zeros(height: Int, width: Int) -> Tensor {
        return Tensor(shape: [1, height, width]) { output in
            output.initialize(repeating: 0)
        }
    }
}
