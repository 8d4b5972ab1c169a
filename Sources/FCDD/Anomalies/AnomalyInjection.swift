import Datasets
import Foundation
import TensorCore

/// FCDD's online supervision (`OnlineSupervisor` in the official
/// `datasets/online_supervisor.py`): each training sample is replaced,
/// with probability ``probability`` (0.5 in the reference), by an artificial anomaly
/// labelled anomalous. It is a `SampleTransform` meant to run first in the training
/// pipeline, before augmentation, so anomalies are augmented and normalised like nominal
/// samples (the reference replaces the raw 8-bit image the same way).
///
/// Masks: when the sample has a ground-truth mask (MVTec-AD, folders with masks), an
/// anomaly's mask is all ones, as the reference sets it for synthetic anomalies, or the
/// pixels the noise changed for ``Source/malformedNormal(_:groundTruth:)`` with
/// `groundTruth: true`; samples without masks stay without.
public struct AnomalyInjection: SampleTransform {
    /// Where anomalies come from.
    public enum Source: Sendable {
        /// The anomaly is the noise image itself, clamped to [0, 255] (`--supervise-mode noise`).
        case noise(NoiseMode)
        /// The anomaly is the sample plus noise, clamped, with the reference's sign rule
        /// (`malformed_normal`, and `malformed_normal_gt` with `groundTruth: true`).
        case malformedNormal(NoiseMode, groundTruth: Bool)
        /// Outlier exposure: a uniformly drawn image of another data set, pre-processed to the
        /// sample's shape (e.g. CIFAR-100 made grey and resized to 28 for Fashion-MNIST).
        case outlierExposure(any ImageDataset, preprocessing: (any SampleTransform)?, indices: [Int])
        /// Semi-supervision with a few real anomalies (the reference's `mvtec_gt`): a
        /// uniformly drawn sample of `dataset`, pre-processed jointly with its ground-truth
        /// mask, which it keeps (an anomaly without a mask file gets an all-ones mask).
        /// Keep these samples out of the test set (`DatasetSubset.drawPerGroup(_:perGroup:of:group:seed:)`).
        case realAnomalies(any ImageDataset, preprocessing: (any SampleTransform)?)
    }

    /// Where anomalies come from.
    public let source: Source
    /// Probability that a sample is replaced.
    public let probability: Double
    /// The label anomalies get (1 in FCDD's convention).
    public let anomalousLabel: Int

    /// An injection of synthetic or outlier-exposure anomalies.
    ///
    /// - Throws: `DatasetError.invalidTransformParameter(transform:parameter:expected:found:)`
    ///   for a probability outside [0, 1] or an empty set of real anomalies.
    public init(_ source: Source, probability: Double = 0.5, anomalousLabel: Int = 1) throws(DatasetError) {
        if case let .realAnomalies(dataset, _) = source, dataset.count == 0 {
            throw .invalidTransformParameter(transform: "AnomalyInjection", parameter: "real anomalies", expected: "at least one anomaly", found: "none")
        }
        guard (0...1).contains(probability) else {
            throw .invalidTransformParameter(transform: "AnomalyInjection", parameter: "probability", expected: "a value in [0, 1]", found: "\(probability)")
        }
        self.source = source
        self.probability = probability
        self.anomalousLabel = anomalousLabel
    }

    /// Outlier exposure from `dataset`, limited to `limit` images chosen with `seed` (the
    /// reference's `--oe-limit`; all images when `nil`).
    ///
    /// - Throws: `DatasetError.invalidTransformParameter(transform:parameter:expected:found:)`
    ///   for an empty data set, a limit below 1 or a probability outside [0, 1].
    public static func outlierExposure(
        _ dataset: any ImageDataset, preprocessing: (any SampleTransform)? = nil, limit: Int? = nil, seed: UInt64 = 0,
        probability: Double = 0.5, anomalousLabel: Int = 1
    ) throws(DatasetError) -> AnomalyInjection {
        guard dataset.count > 0, limit.map({ $0 >= 1 }) ?? true else {
            throw .invalidTransformParameter(
                transform: "AnomalyInjection", parameter: "outlier exposure", expected: "a non-empty data set and a limit ≥ 1",
                found: "\(dataset.count) images, limit \(limit.map(String.init) ?? "none")")
        }
        var indices = Array(0..<dataset.count)
        if let limit, limit < indices.count {
            var generator = SeededGenerator(seed: seed)
            indices.shuffle(using: &generator)
            indices = Array(indices.prefix(limit)).sorted()
        }
        return try AnomalyInjection(
            .outlierExposure(dataset, preprocessing: preprocessing, indices: indices), probability: probability, anomalousLabel: anomalousLabel)
    }

    /// Replaces `sample` by an anomaly with the injection's probability.
    ///
    /// - Throws: `DatasetError.transformInputMismatch(transform:sample:expected:found:)`
    ///   for an image that is not `[C, H, W]` with positive sizes (noise sources, whatever
    ///   the draw) or an outlier or real anomaly of another shape than the sample's, and the
    ///   errors of reading and pre-processing those.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        switch source {
        case .noise, .malformedNormal:
            // The noise is drawn for the image's shape; the image comes from the data set.
            let shape = sample.image.shape
            guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
                throw .transformInputMismatch(
                    transform: "AnomalyInjection", sample: sample.name, expected: "an image [C, H, W] with positive sizes", found: shape)
            }
        case .outlierExposure, .realAnomalies:
            break
        }
        guard Double(generator.nextUnitFloat()) < probability else { return sample }
        let shape = sample.image.shape
        var anomaly = sample
        anomaly.label = anomalousLabel
        let ones = sample.mask.map { Tensor(shape: $0.shape, repeating: 1) }
        switch source {
        case let .noise(mode):
            let noise = mode.generate(shape: shape, using: &generator)
            anomaly.image = noise.clamped(min: 0, max: 255) / 255
            anomaly.mask = ones
        case let .malformedNormal(mode, groundTruth):
            let noise = mode.generate(shape: shape, using: &generator)
            let (image, changed) = Self.malform(sample.image, noise: noise)
            anomaly.image = image
            anomaly.mask = groundTruth && sample.mask != nil ? changed : ones
        case let .outlierExposure(dataset, preprocessing, indices):
            let index = indices[Int(generator.next() % UInt64(indices.count))]
            var outlier = try dataset.sample(at: index)
            if let preprocessing { outlier = try preprocessing.apply(outlier, using: &generator) }
            guard outlier.image.shape == shape else {
                throw .transformInputMismatch(
                    transform: "AnomalyInjection", sample: outlier.name,
                    expected: "an outlier image of the sample's shape \(shape) (pre-process it, e.g. Grayscale and Resize)", found: outlier.image.shape)
            }
            anomaly.image = outlier.image
            anomaly.name = outlier.name
            anomaly.mask = ones
        case let .realAnomalies(dataset, preprocessing):
            var real = try dataset.sample(at: Int(generator.next() % UInt64(dataset.count)))
            if let preprocessing { real = try preprocessing.apply(real, using: &generator) }
            guard real.image.shape == shape else {
                throw .transformInputMismatch(
                    transform: "AnomalyInjection", sample: real.name, expected: "a real anomaly of the sample's shape \(shape) (pre-process it, e.g. Resize)",
                    found: real.image.shape)
            }
            anomaly.image = real.image
            anomaly.name = real.name
            anomaly.mask = sample.mask == nil ? nil : (real.mask ?? ones)
        }
        return anomaly
    }

    /// `clamp(image + noise)` in 0–255 units with the reference's rule: if adding the noise
    /// changes the image by less than 0.025 on average and subtracting it would change it
    /// more, subtract it (brighten dark images instead of darkening them). Also returns the
    /// 0/1 map of pixels changed on any channel, `[1, H, W]`.
    static func malform(_ image: Tensor, noise: Tensor) -> (image: Tensor, changed: Tensor) {
        let values = image.scalars.map { $0 * 255 }
        let delta = noise.scalars
        func meanChange(_ sign: Float) -> Float {
            var total: Float = 0
            for i in values.indices { total += min(max(values[i] + sign * delta[i], 0), 255) - values[i] }
            return total / Float(max(values.count, 1))
        }
        let (forward, inverse) = (meanChange(1), meanChange(-1))
        let sign: Float = abs(forward) < 0.025 && abs(inverse) > abs(forward) ? -1 : 1
        let (height, width) = (image.shape[1], image.shape[2])
        let plane = height * width
        var result = [Float](repeating: 0, count: values.count)
        var changed = [Float](repeating: 0, count: plane)
        for i in values.indices {
            let value = min(max(values[i] + sign * delta[i], 0), 255)
            result[i] = value / 255
            if value != values[i] { changed[i % plane] = 1 }
        }
        return (Tensor(shape: image.shape, scalars: result), Tensor(shape: [1, height, width], scalars: changed))
    }
}
