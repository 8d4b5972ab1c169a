import Datasets
import Explain
import FCDD
import TensorCore

/// What the study measured for one method on the held-back images.
struct MethodResult: Sendable, Codable, Equatable {
    /// The method's name, `FCDD` or `HSC`.
    let method: String
    /// Its net's official name.
    let net: String
    /// Mean and median share of heatmap mass inside the watermark box, over the held-back
    /// watermarked anomalies (`HeatmapMass.summary(of:inside:)`).
    let massShareWatermarked: Double, medianMassShareWatermarked: Double
    /// The same over the held-back clean anomalies (the box holds no mark there).
    let massShareClean: Double, medianMassShareClean: Double
    /// Mean share of heatmap mass in the box's neighbourhood (``StudyResult/neighbourhood``),
    /// over the held-back watermarked and over the clean anomalies.
    let neighbourhoodShareWatermarked: Double, neighbourhoodShareClean: Double
    /// Image ROC AUC of the held-back nominal images against the watermarked anomalies.
    let aucWatermarked: Double
    /// Image ROC AUC of the held-back nominal images against the clean anomalies.
    let aucClean: Double
    /// Image ROC AUC of the held-back nominal images against all held-back anomalies.
    let aucAll: Double
    /// The watermark alone: image ROC AUC of the held-back nominal images against the same
    /// images with the watermark drawn on them (0.5 when the mark does not move the score).
    let aucWatermarkOnNominal: Double
    /// Seconds spent training.
    let trainSeconds: Double
}

/// One method's evaluation of the held-back images: the numbers and what the figure needs.
struct MethodOutcome {
    /// The numbers.
    let result: MethodResult
    /// The evaluation of ``StudyData/test``, in its order.
    let evaluation: AnomalyEvaluation

    /// Evaluates `predictor` on the held-back images of `data` (and on the held-back nominal
    /// images watermarked) and measures the study's numbers.
    ///
    /// - Throws: The errors of the evaluation, of the AUCs and of the heatmap mass.
    init(method: StudyMethod, predictor: AnomalyPredictor, data: StudyData, trainSeconds: Double) throws {
        let test = data.test
        let evaluation = try predictor.evaluate(test, batchSize: 250)
        let (scores, entries) = (evaluation.scores, test.entries)
        let (nominal, watermarked, clean) = (test.indices(of: .nominal), test.indices(of: .watermarked), test.indices(of: .clean))
        // The AUC of the nominal images against the anomalies at `anomalies`.
        func auc(_ anomalies: [Int]) throws -> Double {
            let chosen = nominal + anomalies
            return try ROC.areaUnderCurve(scores: chosen.map { scores[$0] }, labels: chosen.map { entries[$0].label })
        }
        // The heatmap-mass summary of the images at `indices` in the box grown by `border`.
        func mass(_ indices: [Int], grownBy border: Int = 0) throws -> HeatmapMassSummary {
            let heatmaps = evaluation.heatmaps.gathered(atIndices: indices, alongAxis: 0)
            let masks = test.watermark.boxMasks(count: indices.count, imageHeight: heatmaps.shape[1], imageWidth: heatmaps.shape[2], grownBy: border)
            return try HeatmapMass.summary(of: heatmaps, inside: masks)
        }
        let probe = test.with(entries: nominal.map { entries[$0] } + nominal.map { StudyEntry(index: entries[$0].index, label: 1, isWatermarked: true) })
        let (massWatermarked, massClean) = (try mass(watermarked), try mass(clean))
        result = MethodResult(
            method: method.rawValue, net: method.netName,
            massShareWatermarked: massWatermarked.mean, medianMassShareWatermarked: massWatermarked.median,
            massShareClean: massClean.mean, medianMassShareClean: massClean.median,
            neighbourhoodShareWatermarked: try mass(watermarked, grownBy: try StudyResult.neighbourhoodBorder).mean,
            neighbourhoodShareClean: try mass(clean, grownBy: try StudyResult.neighbourhoodBorder).mean,
            aucWatermarked: try auc(watermarked), aucClean: try auc(clean), aucAll: try auc(watermarked + clean),
            aucWatermarkOnNominal: try ROC.areaUnderCurve(scores: predictor.evaluate(probe, batchSize: 250).scores, labels: probe.labels),
            trainSeconds: trainSeconds)
        self.evaluation = evaluation
    }
}
