import Explain
import FCDD
import Foundation

/// `curves.json`: the curves behind an evaluation's metrics, so that the report can draw
/// them again from the run folder: the image-level ROC curve, and where masks exist the
/// pixel-level ROC curve and the per-region overlap (PRO) curve, each thinned to about a
/// thousand points (`AnomalyEvaluation.curveResolution`).
///
/// ```json
/// {
///   "image_roc": {"auc": 0.91, "false_positive_rates": [0, ...], "true_positive_rates": [0, ...], "thresholds": [null, ...]},
///   "pixel_roc": {...},
///   "pro": {"fpr_limit": 0.3, "normalized_area": 0.8, "false_positive_rates": [...], "overlaps": [...], "thresholds": [...]}
/// }
/// ```
///
/// A threshold of +∞ (the first point of each curve) is written as `null`.
public struct EvaluationCurves: Sendable, Equatable {
    /// The image-level ROC curve; `nil` when the test set has one class only.
    public var imageROC: ROCCurve?
    /// The pixel-level ROC curve; `nil` without masks.
    public var pixelROC: ROCCurve?
    /// The PRO curve; `nil` without masks.
    public var pro: PROCurve?

    /// Curves; see the properties.
    public init(imageROC: ROCCurve?, pixelROC: ROCCurve?, pro: PROCurve?) {
        self.imageROC = imageROC
        self.pixelROC = pixelROC
        self.pro = pro
    }

    /// The curves of `evaluation`, the image ROC curve thinned as the pixel curves are.
    ///
    /// - Throws: `ExplainError` from the thinning (not for the evaluation's resolution).
    public init(_ evaluation: AnomalyEvaluation) throws(ExplainError) {
        imageROC = try evaluation.imageROC.map { curve throws(ExplainError) in try curve.thinned(resolution: AnomalyEvaluation.curveResolution) }
        pixelROC = evaluation.pixelROC
        pro = evaluation.proCurve
    }

    /// The file's layout (keys in snake case).
    private struct File: Codable {
        struct ROC: Codable {
            var auc: Double
            var falsePositiveRates: [Double]
            var truePositiveRates: [Double]
            var thresholds: [Float?]
        }
        struct PRO: Codable {
            var fprLimit: Double
            var normalizedArea: Double
            var falsePositiveRates: [Double]
            var overlaps: [Double]
            var thresholds: [Float?]
        }
        var imageRoc: ROC?
        var pixelRoc: ROC?
        var pro: PRO?
    }

    /// The JSON text, keys sorted.
    public func json() throws(ReportError) -> Data {
        func roc(_ curve: ROCCurve?) -> File.ROC? {
            curve.map {
                File.ROC(
                    auc: $0.areaUnderCurve, falsePositiveRates: $0.falsePositiveRates, truePositiveRates: $0.truePositiveRates,
                    thresholds: $0.thresholds.map { $0.isFinite ? $0 : nil })
            }
        }
        let file = File(
            imageRoc: roc(imageROC), pixelRoc: roc(pixelROC),
            pro: pro.map {
                File.PRO(
                    fprLimit: $0.fprLimit, normalizedArea: $0.normalizedArea, falsePositiveRates: $0.falsePositiveRates,
                    overlaps: $0.overlaps, thresholds: $0.thresholds.map { $0.isFinite ? $0 : nil })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            return try encoder.encode(file)
        } catch {
            throw .writeFailed(path: RunFile.curves, reason: "a curve holds a value JSON cannot: \(error)")
        }
    }

    /// Writes ``json()`` to `curves.json` in `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        try RunFile.write(json(), to: RunFile.curves, in: folder)
    }

    /// The curves in `folder`'s `curves.json`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when it is not as
    ///   ``json()`` writes it, or a curve's lists differ in length or leave [0, 1].
    public static func read(from folder: URL) throws(ReportError) -> EvaluationCurves? {
        guard let data = try RunFile.read(RunFile.curves, in: folder) else { return nil }
        let path = folder.appendingPathComponent(RunFile.curves).path
        let file: File
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            file = try decoder.decode(File.self, from: data)
        } catch {
            throw .unreadableFile(path: path, expected: "the curves JSON that fcdd train and evaluate write", found: ReportError.problem(error))
        }
        func check(_ name: String, _ lists: [[Double]], thresholds: Int) throws(ReportError) {
            guard let count = lists.first?.count, count >= 2, lists.allSatisfy({ $0.count == count }), thresholds == count else {
                throw .unreadableFile(
                    path: path, expected: "\(name): at least two points, as many thresholds as points",
                    found: "lists of \((lists.map(\.count) + [thresholds]).map(String.init).joined(separator: ", ")) values")
            }
            guard lists.joined().allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw .unreadableFile(path: path, expected: "\(name): rates in [0, 1]", found: "a value outside")
            }
        }
        func roc(_ name: String, _ curve: File.ROC?) throws(ReportError) -> ROCCurve? {
            guard let curve else { return nil }
            try check(name, [curve.falsePositiveRates, curve.truePositiveRates], thresholds: curve.thresholds.count)
            return ROCCurve(
                falsePositiveRates: curve.falsePositiveRates, truePositiveRates: curve.truePositiveRates,
                thresholds: curve.thresholds.map { $0 ?? .infinity }, areaUnderCurve: curve.auc)
        }
        var pro: PROCurve?
        if let curve = file.pro {
            try check("pro", [curve.falsePositiveRates, curve.overlaps], thresholds: curve.thresholds.count)
            pro = PROCurve(
                falsePositiveRates: curve.falsePositiveRates, overlaps: curve.overlaps, thresholds: curve.thresholds.map { $0 ?? .infinity },
                fprLimit: curve.fprLimit, normalizedArea: curve.normalizedArea)
        }
        return EvaluationCurves(imageROC: try roc("image_roc", file.imageRoc), pixelROC: try roc("pixel_roc", file.pixelRoc), pro: pro)
    }
}
