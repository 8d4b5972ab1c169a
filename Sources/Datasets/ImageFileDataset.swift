import Foundation

/// Image files as a data set of one class, read in the given order: for example every image
/// under a few folders as outlier exposure (`fcdd train --oe DIR`), or a list of files to
/// score.
///
/// ```swift
/// let outliers = try ImageFileDataset(folders: [URL(fileURLWithPath: "textures")], channels: .rgb)
/// recipe.anomalies = .outlierExposure(outliers, limit: 1000)
/// ```
///
/// Images keep their own size (a transform such as ``Resize`` makes them equal); every sample
/// has label 0 and its file's path as name, and no mask. Opening the data set decodes
/// nothing.
public struct ImageFileDataset: FileBackedDataset {
    /// The image files, in sample order.
    public let imageFiles: [URL]
    /// The channels the images get.
    public let channels: ImageChannelMode

    /// The files given, in order.
    ///
    /// - Throws: ``DatasetError/noImages(directory:expected:)`` for an empty list.
    public init(files: [URL], channels: ImageChannelMode = .asStored) throws(DatasetError) {
        guard !files.isEmpty else { throw .noImages(directory: "(no files given)", expected: "at least one image file") }
        imageFiles = files
        self.channels = channels
    }

    /// Every image below `folders` (and every file among them), as
    /// ``ImageInput/expand(_:imageExtensions:)`` finds them: recursively, sorted by path,
    /// hidden files skipped.
    ///
    /// - Throws: The errors of ``ImageInput/expand(_:imageExtensions:)``: missing paths, a
    ///   folder that cannot be listed, no image at all.
    public init(folders: [URL], channels: ImageChannelMode = .asStored) throws(DatasetError) {
        try self.init(files: try ImageInput.expand(folders).map(\.url), channels: channels)
    }

    /// The number of images.
    public var count: Int { imageFiles.count }
    /// One class, `images`.
    public var classNames: [String] { ["images"] }
    /// 0 for every image.
    public var labels: [Int] { Array(repeating: 0, count: imageFiles.count) }
    /// The image files.
    public var sourceFiles: [URL] { imageFiles }

    /// The decoded image `index` with ``channels``, label 0, named by its path.
    ///
    /// - Throws: ``DatasetError/sampleIndexOutOfRange(dataset:index:count:)`` and the errors
    ///   of ``Image/init(contentsOf:limits:)``.
    public func sample(at index: Int) throws(DatasetError) -> DatasetSample {
        guard index >= 0 && index < count else {
            throw .sampleIndexOutOfRange(dataset: "image files", index: index, count: count)
        }
        let file = imageFiles[index]
        return DatasetSample(image: channels.apply(to: try Image(contentsOf: file)).tensor(), label: 0, name: file.path)
    }
}
