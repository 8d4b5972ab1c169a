import Explain
import FCDD

/// Everything the study reports: its settings, the sizes of its image groups, the watermark
/// box and each method's numbers. Written as `clever-hans.json`.
struct StudyResult: Sendable, Codable, Equatable {
    /// The images of one part of the study, by group.
    struct GroupCounts: Sendable, Codable, Equatable {
        /// Nominal images.
        let nominal: Int
        /// Anomalies that carry the watermark.
        let watermarked: Int
        /// Anomalies without it.
        let clean: Int

        /// The given counts.
        init(nominal: Int, watermarked: Int, clean: Int) {
            self.nominal = nominal
            self.watermarked = watermarked
            self.clean = clean
        }

        /// The counts of `dataset`'s entries.
        init(_ dataset: StudyDataset) {
            self.init(
                nominal: dataset.indices(of: .nominal).count, watermarked: dataset.indices(of: .watermarked).count,
                clean: dataset.indices(of: .clean).count)
        }
    }

    /// How far the box's neighbourhood reaches beyond it on every side: one cell of FCDD's
    /// anomaly map (the net's receptive-field jump, 4 pixels for FCDD_CNN32_LW3K), because
    /// FCDD localises no finer than that.
    static var neighbourhoodBorder: Int {
        get throws { try StudyMethod.fcddNet.receptiveField.jump.width }
    }

    /// The settings of the run.
    let settings: StudySettings
    /// The CIFAR-10 names of the nominal classes and of the anomalous class.
    let nominalClassNames: [String], anomalousClassName: String
    /// The training images and the held-back images, by group.
    let train: GroupCounts, test: GroupCounts
    /// Where the watermark is: `x`, `y` (top-left pixel), width and height.
    let watermarkBox: [Int]
    /// The share of a uniform heatmap inside the box: its area over the image's.
    let uniformShare: Double
    /// The box grown by ``neighbourhoodBorder`` pixels on every side and clipped to the
    /// image (`x`, `y`, width, height), and a uniform heatmap's share inside it.
    let neighbourhood: [Int], neighbourhoodUniformShare: Double
    /// Each method's numbers.
    let methods: [MethodResult]
}
