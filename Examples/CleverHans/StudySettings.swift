/// Everything that determines one run of the Clever Hans study, as the `clever-hans`
/// options set it; written into the result JSON.
struct StudySettings: Sendable, Codable, Equatable {
    /// The CIFAR-10 directory (binary version), of which the training split is used.
    var data: String
    /// The CIFAR-10 classes that are nominal (label 0).
    var nominalClasses: [Int]
    /// The CIFAR-10 class whose images are the labelled anomalies (label 1).
    var anomalousClass: Int
    /// Use only the first this many images of each class (in file order); `nil` for all.
    var imagesPerClass: Int?
    /// The share of the anomalous class's images that carry the watermark, in (0, 1).
    var watermarkedFraction: Double
    /// The share of each group (each nominal class, watermarked and clean anomalies) held
    /// back for testing, in (0, 1).
    var testFraction: Double
    /// The watermark's opacity, in (0, 1].
    var watermarkAlpha: Float
    /// Training epochs of each method.
    var epochs: Int
    /// Samples per loader batch.
    var batchSize: Int
    /// Loader batches per optimiser step.
    var accumulatedBatches: Int
    /// Adam's learning rate.
    var learningRate: Float
    /// Seed of the split, the watermark choice, the initial weights and the data order.
    var seed: UInt64
    /// Held-back watermarked anomalies shown in the figure.
    var columns: Int
}
