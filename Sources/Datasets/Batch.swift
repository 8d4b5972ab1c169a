import TensorCore

/// A mini-batch of samples stacked into tensors.
public struct Batch: Sendable {
    /// The images, `[N, C, H, W]`.
    public let images: Tensor
    /// The label of each sample.
    public let labels: [Int]
    /// The ground-truth masks, `[N, 1, H, W]`, when every sample of the batch has one.
    public let masks: Tensor?
    /// The dataset index of each sample.
    public let indices: [Int]
    /// The name of each sample (file path or `<dataset>[<index>]`).
    public let names: [String]

    /// The number of samples.
    public var count: Int { labels.count }

    /// Stacks samples that share one image shape (and one mask shape).
    ///
    /// - Throws: ``DatasetError/inconsistentBatch(first:firstShape:other:otherShape:)``
    ///   when the image or mask shapes differ (resize or crop them to one size first).
    public init(stacking samples: [DatasetSample], indices: [Int]) throws(DatasetError) {
        precondition(!samples.isEmpty && samples.count == indices.count, "Batch: one index per sample, at least one sample")
        images = try Batch.stack(samples.map(\.image), names: samples.map(\.name))
        let masks = samples.compactMap(\.mask)
        self.masks = masks.count == samples.count ? try Batch.stack(masks, names: samples.map(\.name)) : nil
        labels = samples.map(\.label)
        self.indices = indices
        names = samples.map(\.name)
    }

    /// Copies equally shaped tensors into one with a new leading axis, one memcpy each.
    private static func stack(_ tensors: [Tensor], names: [String]) throws(DatasetError) -> Tensor {
        let shape = tensors[0].shape
        if let mismatch = tensors.indices.first(where: { tensors[$0].shape != shape }) {
            throw .inconsistentBatch(first: names[0], firstShape: shape, other: names[mismatch], otherShape: tensors[mismatch].shape)
        }
        let size = tensors[0].scalarCount
        // The shape of existing tensors behind a positive count is always valid.
        return Tensor(shape: [tensors.count] + shape) { output in
            for (index, tensor) in tensors.enumerated() {
                tensor.withUnsafeBufferPointer { source in
                    guard let base = source.baseAddress, let target = output.baseAddress else { return }
                    (target + index * size).update(from: base, count: size)
                }
            }
        }
    }
}
