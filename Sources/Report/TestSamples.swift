import Datasets
import TensorCore

/// Choosing and reading test samples for the pictures of a run.
public enum TestSamples {
    /// Up to `count` anomalous samples (label 1) spread evenly over the test set, so over its
    /// defect types, as indices into `labels`.
    public static func spreadAnomalies(_ labels: [Int], count: Int) -> [Int] {
        let anomalies = labels.indices.filter { labels[$0] == 1 }
        guard count > 0 else { return [] }
        let stride = max(1, anomalies.count / count)
        return Array(Swift.stride(from: 0, to: anomalies.count, by: stride).map { anomalies[$0] }.prefix(count))
    }

    /// The masks of samples `indices` of `test`, resized (nearest) to `height × width`,
    /// `[M, H, W]`; `nil` when `indices` is empty or its first sample has no mask (data sets
    /// have masks for all samples or for none).
    ///
    /// - Throws: `DatasetError` for a sample that cannot be read or a size below 1, and
    ///   `DatasetError.wrongDimensions(file:expected:found:)` for a later sample without a mask.
    public static func groundTruth(_ test: any ImageDataset, at indices: [Int], height: Int, width: Int) throws(DatasetError) -> Tensor? {
        guard let first = indices.first, try test.sample(at: first).mask != nil else { return nil }
        let resize = try Resize(height: height, width: width, interpolation: .nearest)
        var masks: [Tensor] = []
        for index in indices {
            let sample = try test.sample(at: index)
            guard let mask = sample.mask else {
                throw .wrongDimensions(file: sample.name, expected: "a ground-truth mask, as the first test sample has", found: [])
            }
            masks.append(try resize.apply(DatasetSample(image: mask, label: 1, name: sample.name), seed: 0).image)
        }
        return Tensor.concatenate(masks)
    }
}
