import Datasets
import Explain
import Foundation
import NN
import TensorCore

/// What ``AnomalyPredictor/evaluate(_:batchSize:communicator:progress:)`` measured on a labelled test set:
/// per-image scores, the image-level ROC AUC and, where the samples have ground-truth
/// masks, the pixel-level ROC AUC and the AU-PRO at each image's original resolution
/// (the official code evaluates in `BaseADTrainer.score`, `training/bases.py`).
public struct AnomalyEvaluation: Sendable {
    /// The anomaly score of every sample, in dataset order.
    public let scores: [Float]
    /// The one-class label of every sample (0 nominal, 1 anomalous).
    public let labels: [Int]
    /// The name of every sample.
    public let names: [String]
    /// The images as the net saw them before preprocessing (converted to its channels and
    /// resized to its input size, in [0, 1]), `[N, C, H, W]`: for figures.
    public let images: Tensor
    /// The predictions' heatmaps at the input size, `[N, H, W]` (for FCDD the
    /// receptive-field up-sampled anomaly maps, for the baselines their blurred heatmaps).
    public let heatmaps: Tensor
    /// The image-level ROC curve, every point; `nil` when the labels hold only one class.
    public let imageROC: ROCCurve?
    /// The ROC curve over the pixels of all images (each heatmap resized with nearest
    /// neighbours to its mask's original size), thinned to ``curveResolution``; `nil`
    /// without masks or when the masks hold one class only.
    public let pixelROC: ROCCurve?
    /// The per-region overlap curve over the same maps, thinned to ``curveResolution``, with
    /// the normalised area up to FPR 0.3; `nil` as ``pixelROC``.
    public let proCurve: PROCurve?

    /// The spacing of the points kept on the pixel-level curves (`ROCCurve.thinned(resolution:)`):
    /// about a thousand points whatever the number of pixels, each within 0.001 of the full curve.
    public static let curveResolution = 0.001

    /// The image-level ROC AUC (``imageROC``'s area); `nil` when the labels hold only one class.
    public let imageAUROC: Double?
    /// The ROC AUC over the pixels of all images (``pixelROC``'s area: each heatmap resized
    /// with nearest neighbours to its mask's original size); `nil` without masks or when the
    /// masks hold one class only.
    public let pixelAUROC: Double?
    /// The normalised AU-PRO up to FPR 0.3 over the same maps (``proCurve``'s area); `nil` as
    /// ``pixelAUROC``.
    public let pixelAUPRO: Double?

    /// An evaluation of these results and curves. The areas are stored, not read through the
    /// optional curves on each access: Swift 6.3.1's optimizer crashes (CopyPropagation,
    /// "Found outside of lifetime use") compiling a client's release build that reads such a
    /// computed property (seen in Examples/Downstream).
    init(
        scores: [Float], labels: [Int], names: [String], images: Tensor, heatmaps: Tensor,
        imageROC: ROCCurve?, pixelROC: ROCCurve?, proCurve: PROCurve?
    ) {
        (self.scores, self.labels, self.names, self.images, self.heatmaps) = (scores, labels, names, images, heatmaps)
        (self.imageROC, self.pixelROC, self.proCurve) = (imageROC, pixelROC, proCurve)
        imageAUROC = imageROC?.areaUnderCurve
        pixelAUROC = pixelROC?.areaUnderCurve
        pixelAUPRO = proCurve?.normalizedArea
    }

    /// The share of anomalous samples scored above `threshold` (detections) and of nominal
    /// samples above it (false alarms); 0 for a class without samples.
    public func rates(threshold: Float) -> (detection: Double, falseAlarm: Double) {
        let decisions = ThresholdCalibration.decisions(scores: scores, threshold: threshold)
        func rate(_ label: Int) -> Double {
            let count = labels.filter { $0 == label }.count
            return Double(zip(decisions, labels).filter { $1 == label && $0 }.count) / Double(max(1, count))
        }
        return (rate(1), rate(0))
    }

    /// The metrics that exist, by the names `fcdd train` writes to `metrics.json`:
    /// `image_auroc`, `pixel_auroc`, `pixel_aupro`.
    public var metrics: [String: Double] {
        var metrics: [String: Double] = [:]
        metrics["image_auroc"] = imageAUROC
        metrics["pixel_auroc"] = pixelAUROC
        metrics["pixel_aupro"] = pixelAUPRO
        return metrics
    }
}

extension AnomalyPredictor {
    /// Scores every sample of a one-class test set (labels 0 nominal, 1 anomalous) as
    /// ``predict(image:)`` does, with a predictor of any objective: each image is converted
    /// to the net's channels, resized (bilinear) to the input size and pre-processed with
    /// the model's preprocessing.
    /// Samples with masks add their pixels to the pixel metrics at the mask's own size, so
    /// images of different sizes (the Magnetic Tile Defect set) are measured faithfully.
    /// Runs entirely under the `ComputeSettings` in effect when it is called. The scores
    /// are bit-identical to ``predict(_:)``'s on the same batches of `batchSize` images;
    /// other batch sizes give other matrix-product shapes, which may round differently.
    ///
    /// With a `communicator` of several processes every process calls it with the same data
    /// and an identical predictor: batch `b` is scored by process `b mod worldSize`, the
    /// scores and heatmaps are gathered, and every process returns the same evaluation (the
    /// scores bit-identical to one process's). Every process reads every sample (for the
    /// images, labels and masks), which costs far less than the forward passes it shares.
    ///
    /// - Parameters:
    ///   - dataset: The test set.
    ///   - batchSize: Images per forward pass.
    ///   - communicator: The processes that share the work.
    ///   - progress: Called after each batch with the number of samples done and the total.
    /// - Throws: `DatasetError` for a sample that cannot be read or converted,
    ///   `TensorError` and `ExplainError` from the net, the up-sampling and the metrics;
    ///   `CommunicationError` when another process failed or the transport did.
    public func evaluate(
        _ dataset: any ImageDataset, batchSize: Int = 64, communicator: any Communicator = SingleProcessCommunicator(),
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> AnomalyEvaluation {
        // The settings in effect now hold for the whole evaluation, even if another task
        // replaces the process default meanwhile.
        try ComputeSettings.withSettings(.current) { () throws -> AnomalyEvaluation in
            try evaluateUnderCurrentSettings(dataset, batchSize: batchSize, communicator: communicator, progress: progress)
        }
    }

    private func evaluateUnderCurrentSettings(
        _ dataset: any ImageDataset, batchSize: Int, communicator: any Communicator, progress: ((Int, Int) -> Void)?
    ) throws -> AnomalyEvaluation {
        guard batchSize >= 1 else { throw DatasetError.invalidLoaderConfiguration("expected an evaluation batch size ≥ 1, found \(batchSize)") }
        guard dataset.count > 0 else { throw ExplainError.emptyScores(operation: "AnomalyPredictor.evaluate") }
        let resize = try Resize(height: inputSize.height, width: inputSize.width)
        let channels: any SampleTransform = Grayscale(outputChannels: inputChannels == 1 ? .one : .three)
        let batches = stride(from: 0, to: dataset.count, by: batchSize).map { $0..<min($0 + batchSize, dataset.count) }
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        var labels: [Int] = [], names: [String] = [], images: [Tensor] = [], masks: [Tensor?] = []
        // This process's batches' scores and heatmaps, in batch order.
        var scores: [Float] = [], heatmaps: [Tensor] = []
        try communicator.collectively("evaluating \(dataset.count) images") {
            for (number, range) in batches.enumerated() {
                var batch: [Tensor] = []
                for index in range {
                    var sample = try dataset.sample(at: index)
                    masks.append(sample.mask)
                    labels.append(sample.label)
                    names.append(sample.name)
                    sample.mask = nil
                    if sample.image.shape[0] != inputChannels { sample = try channels.apply(sample, seed: 0) }
                    if sample.image.shape[1] != inputSize.height || sample.image.shape[2] != inputSize.width {
                        sample = try resize.apply(sample, seed: 0)
                    }
                    batch.append(sample.image)
                }
                let stacked = Tensor.stack(batch)
                images.append(stacked)
                if number % worldSize == rank {
                    for prediction in try predict(stacked) {
                        scores.append(prediction.score)
                        heatmaps.append(prediction.heatmap)
                    }
                }
                progress?(range.upperBound, dataset.count)
            }
        }
        if worldSize > 1 { (scores, heatmaps) = try gather(scores: scores, heatmaps: heatmaps, of: batches, communicator: communicator) }
        var pixelMaps: [Tensor] = [], pixelMasks: [Tensor] = []
        for (heatmap, mask) in zip(heatmaps, masks) {
            guard let mask else { continue }
            let (height, width) = (mask.shape[1], mask.shape[2])
            var map = heatmap.reshaped(to: [1, inputSize.height, inputSize.width])
            if height != inputSize.height || width != inputSize.width {
                map = try Resize(height: height, width: width, interpolation: .nearest)
                    .apply(DatasetSample(image: map, label: 0, name: "heatmap"), seed: 0).image
            }
            pixelMaps.append(map)
            pixelMasks.append(mask)
        }
        let bothClasses = Set(labels).isSuperset(of: [0, 1])
        let pixelsComplete = pixelMasks.count == dataset.count
        let anyAnomalousPixel = pixelsComplete && pixelMasks.contains { mask in mask.withUnsafeBufferPointer { $0.contains { $0 > 0.5 } } }
        return AnomalyEvaluation(
            scores: scores, labels: labels, names: names, images: Tensor.concatenate(images), heatmaps: Tensor.stack(heatmaps),
            imageROC: bothClasses ? try ROC.curve(scores: scores, labels: labels) : nil,
            pixelROC: anyAnomalousPixel ? try PixelROC.curve(maps: pixelMaps, masks: pixelMasks, resolution: AnomalyEvaluation.curveResolution) : nil,
            proCurve: anyAnomalousPixel ? try AUPRO.curve(maps: pixelMaps, masks: pixelMasks, resolution: AnomalyEvaluation.curveResolution) : nil)
    }

    /// Every process's scores and heatmaps (of batches `b` with `b mod worldSize == rank`,
    /// in batch order), in dataset order on every process.
    private func gather(
        scores: [Float], heatmaps: [Tensor], of batches: [Range<Int>], communicator: any Communicator
    ) throws(CommunicationError) -> ([Float], [Tensor]) {
        let pixels = inputSize.height * inputSize.width
        let parts = try communicator.allGather(scores + heatmaps.flatMap(\.scalars))
        // A process's part: its scores, then its heatmaps, each in batch order.
        var counts = [Int](repeating: 0, count: parts.count)
        for (number, range) in batches.enumerated() { counts[number % parts.count] += range.count }
        for (rank, part) in parts.enumerated() where part.count != counts[rank] * (1 + pixels) {
            throw .invalidArgument(
                operation: "gathering the evaluation", message: "expected \(counts[rank] * (1 + pixels)) values from process \(rank), found \(part.count)")
        }
        var offsets = [Int](repeating: 0, count: parts.count)
        var allScores: [Float] = [], allHeatmaps: [Tensor] = []
        for (number, range) in batches.enumerated() {
            let rank = number % parts.count
            let part = parts[rank]
            for _ in range {
                let sample = offsets[rank]
                allScores.append(part[sample])
                let start = counts[rank] + sample * pixels
                allHeatmaps.append(Tensor(shape: [inputSize.height, inputSize.width], scalars: Array(part[start..<(start + pixels)])))
                offsets[rank] += 1
            }
        }
        return (allScores, allHeatmaps)
    }
}
