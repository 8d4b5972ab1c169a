import Foundation
import TensorCore

/// One sample of an image dataset: the image, its label and, where the dataset has one, a
/// ground-truth anomaly mask.
public struct DatasetSample: Sendable {
    /// The image, `[C, H, W]` with values in `[0, 1]` (1 channel for grey, 3 for RGB).
    public var image: Tensor
    /// The class index (in a one-class view: the nominal or anomalous label).
    public var label: Int
    /// The ground-truth anomaly map, `[1, H, W]` with 0 = normal and 1 = anomalous pixels,
    /// when the dataset provides one.
    public var mask: Tensor?
    /// Identifies the sample in messages and reports: a file path, or `<dataset>[<index>]`.
    public var name: String

    /// A sample; see the properties.
    public init(image: Tensor, label: Int, mask: Tensor? = nil, name: String) {
        self.image = image
        self.label = label
        self.mask = mask
        self.name = name
    }
}

/// A dataset of labelled images that can be read one sample at a time, by index.
///
/// Listing is cheap (``labels`` is known without decoding anything); ``sample(at:)``
/// decodes one image, so a loader can spread decoding over threads.
public protocol ImageDataset: Sendable {
    /// The number of samples.
    var count: Int { get }
    /// The name of each class, indexed by label.
    var classNames: [String] { get }
    /// The label of every sample, in index order, without decoding any image.
    var labels: [Int] { get }
    /// Reads and decodes the sample at `index` (in `0..<count`).
    ///
    /// - Throws: ``DatasetError`` when its file is missing, unreadable or corrupt.
    func sample(at index: Int) throws(DatasetError) -> DatasetSample
}

/// A dataset read from files, which can say which files its samples come from: caches
/// fingerprint them (path, size, modification time) to notice when the data changes.
public protocol FileBackedDataset: ImageDataset {
    /// Every file the samples are read from (images, masks, archives), in a fixed order.
    var sourceFiles: [URL] { get }
}
