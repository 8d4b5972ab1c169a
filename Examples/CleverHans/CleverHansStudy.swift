import Datasets
import Foundation
import TensorCore

/// The "Clever Hans" experiment of the FCDD paper (Liznerski et al., ICLR 2021; its last
/// experiment) on CIFAR-10: a one-class model trained with labelled anomalies, some of which
/// carry a watermark, may learn the watermark instead of the anomaly. The study trains FCDD and the
/// HSC baseline on the same ``StudyData`` and measures on held-back images how much of each
/// heatmap falls inside the watermark box and how well each separates nominal images from
/// watermarked and from clean anomalies (``MethodResult``).
struct CleverHansStudy {
    /// The run's settings.
    let settings: StudySettings

    /// Assembles the data, trains and measures both methods, and writes the report
    /// (``StudyReport``) into `directory`.
    ///
    /// - Parameter log: Receives progress lines.
    /// - Returns: The numbers that were written.
    /// - Throws: The errors of the data, training, evaluation and writing.
    func run(writingTo directory: URL, log: @escaping (String) -> Void) throws -> StudyResult {
        let base = try CIFAR(directory: URL(fileURLWithPath: settings.data, isDirectory: true), split: .train, variant: .cifar10)
        let watermark = try Watermark(alpha: settings.watermarkAlpha)
        let data = try StudyData(base: base, settings: settings, watermark: watermark)
        let (train, test) = (StudyResult.GroupCounts(data.train), StudyResult.GroupCounts(data.test))
        log(
            "training on \(train.nominal) nominal, \(train.watermarked) watermarked and \(train.clean) clean anomalous images; "
                + "holding back \(test.nominal), \(test.watermarked) and \(test.clean)")
        var outcomes: [MethodOutcome] = []
        for method in StudyMethod.allCases {
            let start = ContinuousClock.now
            let predictor = try method.train(on: data.train, settings: settings, log: log)
            let seconds = (ContinuousClock.now - start).seconds
            outcomes.append(try MethodOutcome(method: method, predictor: predictor, data: data, trainSeconds: seconds))
        }
        let (height, width) = (CIFAR.imageShape[1], CIFAR.imageShape[2])
        let box = watermark.box(imageHeight: height, imageWidth: width)
        let near = watermark.box(imageHeight: height, imageWidth: width, grownBy: try StudyResult.neighbourhoodBorder)
        let result = StudyResult(
            settings: settings, nominalClassNames: settings.nominalClasses.map { base.classNames[$0] },
            anomalousClassName: base.classNames[settings.anomalousClass], train: train, test: test,
            watermarkBox: [box.x, box.y, box.width, box.height], uniformShare: Double(box.width * box.height) / Double(height * width),
            neighbourhood: [near.x, near.y, near.width, near.height], neighbourhoodUniformShare: Double(near.width * near.height) / Double(height * width),
            methods: outcomes.map(\.result))
        try StudyReport.write(result, outcomes: outcomes, data: data, to: directory)
        log(StudyReport.markdown(result))
        return result
    }
}
