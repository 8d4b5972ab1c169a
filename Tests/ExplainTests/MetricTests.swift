// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import Explain
import FixtureSupport
import Foundation
import TensorCore
import Testing

// The anomaly-detection metrics against Fixtures/metrics.json, written by
// Scripts/make_metric_fixtures.py: scikit-learn's roc_auc_score, roc_curve and
// precision_recall_curve (with F1-max), numpy.quantile, the pixel-level AUC and the MVTec AD
// AU-PRO (the official evaluation code, re-implemented in the script). Then the errors, and
// properties that need no reference: AUC(s) = 1 − AUC(−s), invariance under strictly
// increasing transforms, agreement with an independent rank-sum (Mann–Whitney) formula.

// MARK: - Fixture file

struct MetricROCCase: Decodable, Sendable {
    let name: String
    let scores: [Double]
    let labels: [Int]
    let auc: Double
    let fpr: [Double]
    let tpr: [Double]
    let thresholds: [Double]
    let precision: [Double]
    let recall: [Double]
    let pr_thresholds: [Double]
    let best_f1: Double
    let best_f1_threshold: Double
}

struct MetricQuantileCase: Decodable, Sendable {
    let name: String
    let scores: [Double]
    let q: [Double]
    let expected: [Double]
}

struct MetricAUPROValue: Decodable, Sendable {
    let limit: Double
    let value: Double
}

struct MetricPixelCase: Decodable, Sendable {
    let name: String
    let maps: FixtureTensor
    let masks: FixtureTensor
    let pixel_auc: Double
    let aupro: [MetricAUPROValue]
    let regions: Int
}

struct MetricFixtureFile: Decodable, Sendable {
    let version: Int
    let seed: Int
    let numpy: String
    let sklearn: String
    let scipy: String
    let roc: [MetricROCCase]
    let quantiles: [MetricQuantileCase]
    let pixels: [MetricPixelCase]
}

enum MetricFixtures: SectionedFixtures {
    static let sections = FixtureSections<MetricFixtureFile>(resource: "metrics", generator: "Scripts/make_metric_fixtures.py", bundle: .module)
}

/// Whether `actual` is within `relative·|expected| + absolute` of `expected`.
private func close(_ actual: Double, _ expected: Double, relative: Double, absolute: Double = 1e-15) -> Bool {
    abs(actual - expected) <= absolute + relative * abs(expected)
}

/// The first index where two arrays of rates differ by more than `tolerance`, or nil.
private func firstMismatch(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12) -> Int? {
    guard actual.count == expected.count else { return -1 }
    return actual.indices.first { abs(actual[$0] - expected[$0]) > tolerance }
}

// MARK: - Against the references

@Suite("Metrics against scikit-learn, NumPy and the MVTec AD evaluation code")
struct MetricFixtureTests {
    @Test("the fixture file decodes and its case names are unique")
    func fixtureFile() throws {
        let file = try MetricFixtures.file.get()
        let names = file.roc.map(\.name) + file.quantiles.map(\.name) + file.pixels.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(file.version == 1)
        #expect(!file.roc.isEmpty && !file.quantiles.isEmpty && !file.pixels.isEmpty)
    }

    @Test("ROC AUC equals roc_auc_score", arguments: MetricFixtures.names(\.roc, \.name))
    func areaUnderCurve(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.roc, \.name, name)
        let auc = try ROC.areaUnderCurve(scores: reference.scores.map { Float($0) }, labels: reference.labels)
        #expect(close(auc, reference.auc, relative: 1e-9), "\(name): \(auc), sklearn \(reference.auc)")
    }

    @Test("ROC curve equals roc_curve(drop_intermediate=False)", arguments: MetricFixtures.names(\.roc, \.name))
    func curve(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.roc, \.name, name)
        let curve = try ROC.curve(scores: reference.scores.map { Float($0) }, labels: reference.labels)
        #expect(curve.thresholds == reference.thresholds.map { Float($0) }, "\(name): thresholds")
        #expect(curve.thresholds.first == .infinity)
        #expect(firstMismatch(curve.falsePositiveRates, reference.fpr) == nil, "\(name): false positive rates")
        #expect(firstMismatch(curve.truePositiveRates, reference.tpr) == nil, "\(name): true positive rates")
        #expect(close(curve.areaUnderCurve, reference.auc, relative: 1e-9))
    }

    @Test("precision-recall curve equals precision_recall_curve", arguments: MetricFixtures.names(\.roc, \.name))
    func precisionRecallCurve(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.roc, \.name, name)
        let curve = try PrecisionRecall.curve(scores: reference.scores.map { Float($0) }, labels: reference.labels)
        #expect(curve.thresholds == reference.pr_thresholds.map { Float($0) }, "\(name): thresholds")
        #expect(firstMismatch(curve.precisions, reference.precision) == nil, "\(name): precisions")
        #expect(firstMismatch(curve.recalls, reference.recall) == nil, "\(name): recalls")
    }

    @Test("F1-max and its threshold", arguments: MetricFixtures.names(\.roc, \.name))
    func bestF1(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.roc, \.name, name)
        let best = try PrecisionRecall.bestF1(scores: reference.scores.map { Float($0) }, labels: reference.labels)
        #expect(close(best.f1, reference.best_f1, relative: 1e-9), "\(name): F1 \(best.f1), reference \(reference.best_f1)")
        #expect(best.threshold == Float(reference.best_f1_threshold), "\(name): threshold \(best.threshold)")
    }

    @Test("quantile is bit-identical to numpy.quantile", arguments: MetricFixtures.names(\.quantiles, \.name))
    func quantile(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.quantiles, \.name, name)
        let scores = reference.scores.map { Float($0) }
        for (level, expected) in zip(reference.q, reference.expected) {
            let value = try ThresholdCalibration.quantile(nominalScores: scores, quantile: level)
            #expect(value == Float(expected), "\(name) q=\(level): \(value), numpy \(Float(expected))")
        }
    }

    @Test("pixel AUC equals roc_auc_score over all pixels", arguments: MetricFixtures.names(\.pixels, \.name))
    func pixelAreaUnderCurve(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.pixels, \.name, name)
        let (maps, masks) = (try reference.maps.tensor(), try reference.masks.tensor())
        let auc = try PixelROC.areaUnderCurve(maps: maps, masks: masks)
        #expect(close(auc, reference.pixel_auc, relative: 1e-9), "\(name): \(auc), sklearn \(reference.pixel_auc)")
        #expect(try PixelROC.curve(maps: maps, masks: masks).areaUnderCurve == auc)
    }

    @Test("AU-PRO equals the official MVTec AD computation", arguments: MetricFixtures.names(\.pixels, \.name))
    func aupro(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.pixels, \.name, name)
        let (maps, masks) = (try reference.maps.tensor(), try reference.masks.tensor())
        for expected in reference.aupro {
            let value = try AUPRO.compute(maps: maps, masks: masks, fprLimit: expected.limit)
            #expect(abs(value - expected.value) <= 1e-6, "\(name) limit \(expected.limit): \(value), official \(expected.value)")
        }
        let atDefault = try #require(reference.aupro.first { $0.limit == 0.3 })
        #expect(abs(try AUPRO.compute(maps: maps, masks: masks) - atDefault.value) <= 1e-6)
    }

    /// Transposing an image changes neither its pixels nor its 8-connected regions, so maps of
    /// different sizes (every other image transposed: 12×20 next to 20×12 for the
    /// non-square cases) must give the official values of the untransposed batch.
    @Test("pixel AUC and AU-PRO of maps of different sizes", arguments: MetricFixtures.names(\.pixels, \.name))
    func mapsOfDifferentSizes(_ name: String) throws {
        let reference = try MetricFixtures.lookup(\.pixels, \.name, name)
        let (maps, masks) = (try reference.maps.tensor(), try reference.masks.tensor())
        let (height, width) = (maps.shape[maps.rank - 2], maps.shape[maps.rank - 1])
        let plane = height * width
        func images(_ tensor: Tensor) throws -> [Tensor] {
            let scalars = tensor.scalars
            return (0..<(scalars.count / plane)).map { index in
                let image = Array(scalars[(index * plane)..<((index + 1) * plane)])
                guard index % 2 == 1 else { return Tensor(shape: [height, width], scalars: image) }
                let transposed = (0..<plane).map { image[($0 % height) * width + $0 / height] }
                return Tensor(shape: [1, width, height], scalars: transposed)
            }
        }
        let (mapList, maskList) = (try images(maps), try images(masks))
        let auc = try PixelROC.areaUnderCurve(maps: mapList, masks: maskList)
        #expect(close(auc, reference.pixel_auc, relative: 1e-9), "\(name): \(auc), sklearn \(reference.pixel_auc)")
        for expected in reference.aupro {
            let value = try AUPRO.compute(maps: mapList, masks: maskList, fprLimit: expected.limit)
            #expect(abs(value - expected.value) <= 1e-6, "\(name) limit \(expected.limit): \(value), official \(expected.value)")
        }
    }
}

// MARK: - Errors

@Suite("Metric errors")
struct MetricErrorTests {
    @Test("score lists that cannot be ranked")
    func invalidScores() {
        #expect(throws: ExplainError.emptyScores(operation: "ROC.areaUnderCurve")) {
            try ROC.areaUnderCurve(scores: [], labels: [])
        }
        #expect(throws: ExplainError.countMismatch(operation: "ROC.areaUnderCurve", scores: 3, labels: 2)) {
            try ROC.areaUnderCurve(scores: [0.1, 0.2, 0.3], labels: [0, 1])
        }
        #expect(throws: ExplainError.invalidLabel(operation: "ROC.curve", index: 2, label: 2)) {
            try ROC.curve(scores: [0.1, 0.2, 0.3], labels: [0, 1, 2])
        }
        #expect(throws: ExplainError.invalidLabel(operation: "ROC.areaUnderCurve", index: 0, label: -1)) {
            try ROC.areaUnderCurve(scores: [0.1, 0.2], labels: [-1, 1])
        }
        #expect(throws: ExplainError.nanScore(operation: "ROC.areaUnderCurve", index: 1)) {
            try ROC.areaUnderCurve(scores: [0.1, .nan, 0.3], labels: [0, 1, 1])
        }
        #expect(throws: ExplainError.emptyScores(operation: "PrecisionRecall.bestF1")) {
            try PrecisionRecall.bestF1(scores: [], labels: [])
        }
        #expect(throws: ExplainError.nanScore(operation: "PrecisionRecall.curve", index: 0)) {
            try PrecisionRecall.curve(scores: [.nan], labels: [1])
        }
    }

    @Test("a single class: AUC is undefined (scikit-learn raises)")
    func singleClass() {
        #expect(throws: ExplainError.missingClass(operation: "ROC.areaUnderCurve", label: 1)) {
            try ROC.areaUnderCurve(scores: [0.1, 0.2], labels: [0, 0])
        }
        #expect(throws: ExplainError.missingClass(operation: "ROC.curve", label: 0)) {
            try ROC.curve(scores: [0.1, 0.2], labels: [1, 1])
        }
        #expect(throws: ExplainError.missingClass(operation: "PrecisionRecall.bestF1", label: 1)) {
            try PrecisionRecall.bestF1(scores: [0.1, 0.2], labels: [0, 0])
        }
    }

    @Test("precision-recall needs anomalous elements only")
    func precisionRecallWithoutNominal() throws {
        let best = try PrecisionRecall.bestF1(scores: [0.3, 0.1, 0.2], labels: [1, 1, 1])
        #expect(best.f1 == 1 && best.threshold == 0.1)
        let curve = try PrecisionRecall.curve(scores: [0.3, 0.1], labels: [1, 1])
        #expect(curve.precisions == [1, 1, 1] && curve.recalls == [1, 0.5, 0] && curve.thresholds == [0.1, 0.3])
    }

    @Test("pixel metrics reject mismatched shapes, NaN maps and masks without both classes")
    func pixelErrors() throws {
        let maps = Tensor(shape: [2, 3, 3], scalars: (0..<18).map { Float($0) })
        let masks = Tensor(shape: [2, 3, 3], scalars: (0..<18).map { $0 == 4 ? 1 : 0 })
        let shapeError = ExplainError.shapeMismatch(
            operation: "PixelROC.areaUnderCurve",
            expected: "maps [N, H, W] or [N, 1, H, W] and masks with the same N, H and W", found: [[2, 3, 3], [2, 3, 4]])
        #expect(throws: shapeError) {
            try PixelROC.areaUnderCurve(maps: maps, masks: Tensor(shape: [2, 3, 4], scalars: [Float](repeating: 0, count: 24)))
        }
        #expect(throws: ExplainError.self) {
            try AUPRO.compute(maps: maps, masks: Tensor(shape: [2, 2, 3, 3], scalars: [Float](repeating: 0, count: 36)))
        }
        #expect(throws: ExplainError.self) {
            try AUPRO.compute(maps: Tensor(shape: [18], scalars: maps.scalars), masks: masks)
        }
        #expect(
            throws: ExplainError.shapeMismatch(
                operation: "AUPRO.compute", expected: "each map [H, W], [1, H, W] or [1, 1, H, W] with a mask of its H and W",
                found: [[3, 3], [3, 4]])
        ) {
            try AUPRO.compute(
                maps: [Tensor(shape: [3, 3], scalars: [Float](repeating: 0, count: 9))],
                masks: [Tensor(shape: [3, 4], scalars: [Float](repeating: 0, count: 12))])
        }
        #expect(throws: ExplainError.shapeMismatch(operation: "PixelROC.areaUnderCurve", expected: "as many masks as maps (1)", found: [[1], [0]])) {
            try PixelROC.areaUnderCurve(maps: [Tensor(shape: [3, 3], scalars: [Float](repeating: 0, count: 9))], masks: [])
        }
        #expect(throws: ExplainError.emptyScores(operation: "AUPRO.compute")) {
            try AUPRO.compute(maps: Tensor(shape: [0, 3, 3], scalars: []), masks: Tensor(shape: [0, 3, 3], scalars: []))
        }
        var withNaN = maps.scalars
        withNaN[11] = .nan
        #expect(throws: ExplainError.nanScore(operation: "PixelROC.areaUnderCurve", index: 11)) {
            try PixelROC.areaUnderCurve(maps: Tensor(shape: [2, 3, 3], scalars: withNaN), masks: masks)
        }
        #expect(throws: ExplainError.nanScore(operation: "AUPRO.compute", index: 11)) {
            try AUPRO.compute(maps: Tensor(shape: [2, 3, 3], scalars: withNaN), masks: masks)
        }
        let nominalOnly = Tensor(shape: [2, 3, 3], scalars: [Float](repeating: 0, count: 18))
        let anomalousOnly = Tensor(shape: [2, 3, 3], scalars: [Float](repeating: 1, count: 18))
        #expect(throws: ExplainError.missingClass(operation: "PixelROC.areaUnderCurve", label: 1)) {
            try PixelROC.areaUnderCurve(maps: maps, masks: nominalOnly)
        }
        #expect(throws: ExplainError.missingClass(operation: "AUPRO.compute", label: 1)) {
            try AUPRO.compute(maps: maps, masks: nominalOnly)
        }
        #expect(throws: ExplainError.missingClass(operation: "AUPRO.compute", label: 0)) {
            try AUPRO.compute(maps: maps, masks: anomalousOnly)
        }
        for limit in [0, -0.1, 1.5, .nan, .infinity] {
            #expect(throws: ExplainError.invalidArgument(operation: "AUPRO.compute", message: "expected an FPR limit in (0, 1], found \(limit)")) {
                try AUPRO.compute(maps: maps, masks: masks, fprLimit: limit)
            }
        }
    }

    @Test("quantile rejects an empty list, NaN scores and levels outside [0, 1]")
    func quantileErrors() {
        #expect(throws: ExplainError.emptyScores(operation: "ThresholdCalibration.quantile")) {
            try ThresholdCalibration.quantile(nominalScores: [], quantile: 0.5)
        }
        #expect(throws: ExplainError.nanScore(operation: "ThresholdCalibration.quantile", index: 2)) {
            try ThresholdCalibration.quantile(nominalScores: [1, 2, .nan], quantile: 0.5)
        }
        for level in [-0.01, 1.01, .nan] {
            #expect(throws: ExplainError.invalidArgument(operation: "ThresholdCalibration.quantile", message: "expected a quantile in [0, 1], found \(level)"))
            {
                try ThresholdCalibration.quantile(nominalScores: [1, 2], quantile: level)
            }
        }
    }

    @Test("messages of the metric errors")
    func messages() {
        #expect(ExplainError.emptyScores(operation: "ROC.curve").description == "ROC.curve: expected at least one score, found none")
        #expect(
            ExplainError.countMismatch(operation: "ROC.curve", scores: 3, labels: 2).description
                == "ROC.curve: expected one label per score, found 3 scores and 2 labels")
        #expect(
            ExplainError.invalidLabel(operation: "ROC.curve", index: 4, label: 2).description
                == "ROC.curve: expected labels 0 (nominal) or 1 (anomalous), found 2 at index 4")
        #expect(
            ExplainError.missingClass(operation: "ROC.curve", label: 1).description
                == "ROC.curve: expected both classes, found no anomalous (label 1) element; the metric is undefined for one class")
        #expect(
            ExplainError.missingClass(operation: "AUPRO.compute", label: 0).description
                == "AUPRO.compute: expected both classes, found no nominal (label 0) element; the metric is undefined for one class")
        #expect(
            ExplainError.nanScore(operation: "ROC.curve", index: 7).description
                == "ROC.curve: expected scores that are not NaN, found NaN at index 7")
    }
}

// MARK: - Properties

/// SplitMix64: a small deterministic generator for the property tests.
private struct MetricRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Random labelled scores with both classes, quantised to multiples of 1/4 in [−3, 3] when
/// `quantised` (many ties), else continuous.
private func randomScores(count: Int, seed: UInt64, quantised: Bool) -> (scores: [Float], labels: [Int]) {
    var random = MetricRandom(seed: seed)
    var labels = (0..<count).map { _ in random.unit() < 0.3 ? 1 : 0 }
    labels[0] = 0
    labels[count - 1] = 1
    let scores = labels.map { label -> Float in
        let value = 4 * random.unit() - 2 + Double(label)
        return quantised ? Float((min(max(value, -3), 3) * 4).rounded() / 4) : Float(value)
    }
    return (scores, labels)
}

/// The Mann–Whitney AUC from average ranks (ties get the mean of their ranks): an
/// implementation independent of the one under test.
private func rankSumAUC(scores: [Float], labels: [Int]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var ranks = [Double](repeating: 0, count: scores.count)
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
        let averageRank = Double(start + 1 + end) / 2
        for position in start..<end { ranks[order[position]] = averageRank }
        start = end
    }
    let positives = Double(labels.reduce(0, +))
    let negatives = Double(labels.count) - positives
    let positiveRankSum = zip(ranks, labels).reduce(0.0) { $0 + ($1.1 == 1 ? $1.0 : 0) }
    return (positiveRankSum - positives * (positives + 1) / 2) / (positives * negatives)
}

@Suite("Metric properties")
struct MetricPropertyTests {
    @Test("AUC of negated scores is 1 − AUC", arguments: [(40, false), (40, true), (700, false), (3000, true)])
    func negation(_ count: Int, _ quantised: Bool) throws {
        let (scores, labels) = randomScores(count: count, seed: UInt64(count), quantised: quantised)
        let auc = try ROC.areaUnderCurve(scores: scores, labels: labels)
        let negated = try ROC.areaUnderCurve(scores: scores.map { -$0 }, labels: labels)
        #expect(abs(auc + negated - 1) <= 1e-12)
        #expect(abs(auc - rankSumAUC(scores: scores, labels: labels)) <= 1e-12)
    }

    @Test("AUC, curve rates, F1-max and AU-PRO are invariant under strictly increasing transforms")
    func monotoneInvariance() throws {
        let (scores, labels) = randomScores(count: 2000, seed: 7, quantised: true)
        // Each transform keeps the order and the ties of quarter steps in [−3, 3] exactly.
        let transforms: [(String, (Float) -> Float)] = [
            ("2s", { 2 * $0 }),
            ("s + 1000", { $0 + 1000 }),
            ("exp(s)", { Float(Foundation.exp(Double($0))) }),
            ("s³ − 5", { $0 * $0 * $0 - 5 }),
        ]
        let auc = try ROC.areaUnderCurve(scores: scores, labels: labels)
        let curve = try ROC.curve(scores: scores, labels: labels)
        let f1 = try PrecisionRecall.bestF1(scores: scores, labels: labels).f1
        for (name, transform) in transforms {
            let transformed = scores.map(transform)
            #expect(try ROC.areaUnderCurve(scores: transformed, labels: labels) == auc, "\(name)")
            let transformedCurve = try ROC.curve(scores: transformed, labels: labels)
            #expect(transformedCurve.falsePositiveRates == curve.falsePositiveRates, "\(name)")
            #expect(transformedCurve.truePositiveRates == curve.truePositiveRates, "\(name)")
            #expect(try PrecisionRecall.bestF1(scores: transformed, labels: labels).f1 == f1, "\(name)")
        }

        let maps = Tensor(shape: [5, 20, 20], scalars: Array(scores))
        var maskValues = [Float](repeating: 0, count: 2000)
        for image in 0..<4 {
            for row in (2 + image)..<(9 + image) { for column in 3..<(6 + 2 * image) { maskValues[image * 400 + row * 20 + column] = 1 } }
        }
        let masks = Tensor(shape: [5, 20, 20], scalars: maskValues)
        let aupro = try AUPRO.compute(maps: maps, masks: masks)
        for (name, transform) in transforms {
            let transformed = Tensor(shape: [5, 20, 20], scalars: scores.map(transform))
            #expect(try AUPRO.compute(maps: transformed, masks: masks) == aupro, "\(name)")
        }
    }

    @Test("the radix-sorted ranking agrees with a rank-sum reference on special values")
    func specialValues() throws {
        var random = MetricRandom(seed: 99)
        let specials: [Float] = [
            -.infinity, .infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1, .ulpOfOne,
        ]
        let scores = (0..<5000).map { _ in random.unit() < 0.5 ? specials[random.below(specials.count)] : Float(random.unit() * 20 - 10) }
        let labels = (0..<5000).map { index in index < 2 ? index : (random.unit() < 0.4 ? 1 : 0) }
        let auc = try ROC.areaUnderCurve(scores: scores, labels: labels)
        #expect(abs(auc - rankSumAUC(scores: scores, labels: labels)) <= 1e-12)
        let curve = try ROC.curve(scores: scores, labels: labels)
        // After the leading +∞ the distinct scores descend strictly (+∞ scores repeat it once).
        let scoreThresholds = curve.thresholds.dropFirst()
        #expect(zip(scoreThresholds, scoreThresholds.dropFirst()).allSatisfy { $0 > $1 })
        #expect(curve.thresholds.count == Set(scores.map { $0 == 0 ? 0 : $0 }).count + 1)
        #expect(curve.falsePositiveRates.last == 1 && curve.truePositiveRates.last == 1)
        #expect(!curve.thresholds.contains { $0 == 0 && $0.sign == .minus }, "−0 and +0 are one threshold, reported as +0")
    }

    @Test("pixel AUC equals the AUC of the flattened pixels, in either layout")
    func pixelAUCFlattens() throws {
        let (scores, labels) = randomScores(count: 3 * 11 * 13, seed: 5, quantised: true)
        let maps = Tensor(shape: [3, 11, 13], scalars: scores)
        let masks = Tensor(shape: [3, 1, 11, 13], scalars: labels.map { Float($0) })
        let expected = try ROC.areaUnderCurve(scores: scores, labels: labels)
        #expect(try PixelROC.areaUnderCurve(maps: maps, masks: masks) == expected)
        #expect(try PixelROC.areaUnderCurve(maps: Tensor(shape: [3, 1, 11, 13], scalars: scores), masks: masks) == expected)
        #expect(try PixelROC.curve(maps: maps, masks: masks) == ROC.curve(scores: scores, labels: labels))
    }

    @Test("AU-PRO: 1 for a perfect map, 0 for an inverted one, limit/2 for a constant one")
    func auproExtremes() throws {
        var mask = [Float](repeating: 0, count: 2 * 8 * 8)
        for index in [9, 10, 17, 18, 45, 100, 101, 127] { mask[index] = 1 }
        let masks = Tensor(shape: [2, 8, 8], scalars: mask)
        for limit in [0.01, 0.3, 1] {
            #expect(abs(try AUPRO.compute(maps: masks, masks: masks, fprLimit: limit) - 1) <= 1e-12)
        }
        let inverted = Tensor(shape: [2, 8, 8], scalars: mask.map { 1 - $0 })
        // Every nominal pixel first: the curve runs along PRO = 0 up to FPR 1.
        #expect(try AUPRO.compute(maps: inverted, masks: masks, fprLimit: 0.3) == 0)
        #expect(try AUPRO.compute(maps: inverted, masks: masks, fprLimit: 1) == 0)
        // One threshold: the curve is the diagonal from (0, 0) to (1, 1), interpolated at the limit.
        let constant = Tensor(shape: [2, 8, 8], scalars: [Float](repeating: 0.5, count: 128))
        for limit in [0.05, 0.3, 1] {
            #expect(abs(try AUPRO.compute(maps: constant, masks: masks, fprLimit: limit) - limit / 2) <= 1e-12)
        }
    }

    @Test("threshold decisions are score > threshold; a calibrated quantile keeps that share of nominal scores")
    func decisions() throws {
        #expect(ThresholdCalibration.decisions(scores: [0.1, 0.5, 0.7, .nan, .infinity], threshold: 0.5) == [false, false, true, false, true])
        let nominal = (0..<1001).map { Float($0) / 1000 }
        let threshold = try ThresholdCalibration.quantile(nominalScores: nominal.shuffled(), quantile: 0.95)
        #expect(threshold == 0.95)
        #expect(ThresholdCalibration.decisions(scores: nominal, threshold: threshold).filter { $0 }.count == 50)
        #expect(try ThresholdCalibration.quantile(nominalScores: [-.infinity, 1, .infinity, .infinity], quantile: 0.9) == .infinity)
    }
}
