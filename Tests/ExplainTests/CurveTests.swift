import Explain
import Foundation
import TensorCore
import Testing

// The curves behind the metrics, for plots: ROC curves thinned to a resolution, pixel ROC
// and PRO curves of maps of different sizes. Their areas must be exactly the metrics' (which
// MetricTests checks against scikit-learn and the MVTec AD code), and the thinned points
// must stay close to the full curve.

/// Pixel maps and masks of different sizes with a known number of regions: `count` images,
/// even ones 20×24, odd ones 24×20, each with a rectangle of ground truth (none in the
/// first), scores quantised so that ties occur.
private func pixelCase(count: Int, seed: UInt64) -> (maps: [Tensor], masks: [Tensor]) {
    var generator = SeededGenerator(seed: seed)
    var maps: [Tensor] = [], masks: [Tensor] = []
    for image in 0..<count {
        let (height, width) = image % 2 == 0 ? (20, 24) : (24, 20)
        var mask = [Float](repeating: 0, count: height * width)
        if image > 0 {
            for row in (2 + image % 5)..<(8 + image % 7) { for column in (3 + image % 4)..<(9 + image % 6) { mask[row * width + column] = 1 } }
        }
        let map = mask.map { value in ((value + generator.nextUnitFloat() * 1.5) * 64).rounded() / 64 }
        maps.append(Tensor(shape: [1, height, width], scalars: map))
        masks.append(Tensor(shape: [height, width], scalars: mask))
    }
    return (maps, masks)
}

/// Whether every point of `full` lies within `resolution` (along both axes) of a point of `kept`.
private func covered(_ full: [(Double, Double)], by kept: [(Double, Double)], resolution: Double) -> Bool {
    full.allSatisfy { point in kept.contains { abs($0.0 - point.0) < resolution + 1e-12 && abs($0.1 - point.1) < resolution + 1e-12 } }
}

@Suite("Metric curves for plots")
struct CurveTests {
    @Test("thinned ROC curves keep both ends, points of the full curve within the resolution, and at most 2/r + 2 points")
    func thinnedROC() throws {
        var generator = SeededGenerator(seed: 5)
        let scores = (0..<4000).map { _ in generator.nextUnitFloat() }
        let labels = scores.indices.map { index in scores[index] + 0.3 * generator.nextUnitFloat() > 0.7 ? 1 : 0 }
        let full = try ROC.curve(scores: scores, labels: labels)
        for resolution in [0.0, 0.001, 0.02, 0.25] {
            let thinned = try full.thinned(resolution: resolution)
            #expect(thinned.areaUnderCurve == full.areaUnderCurve)
            #expect(thinned.thresholds.first == .infinity && thinned.falsePositiveRates.first == 0 && thinned.truePositiveRates.first == 0)
            #expect(thinned.falsePositiveRates.last == 1 && thinned.truePositiveRates.last == 1 && thinned.thresholds.last == full.thresholds.last)
            let keptPoints = zip(thinned.falsePositiveRates, thinned.truePositiveRates).map { ($0, $1) }
            let fullPoints = zip(full.falsePositiveRates, full.truePositiveRates).map { ($0, $1) }
            if resolution == 0 {
                #expect(thinned == full)
                continue
            }
            #expect(Double(thinned.thresholds.count) <= 2 / resolution + 2, "\(resolution): \(thinned.thresholds.count) points")
            #expect(thinned.thresholds.count < full.thresholds.count)
            // Kept points are points of the full curve, with their thresholds.
            for index in thinned.thresholds.indices {
                let position = try #require(full.thresholds.firstIndex(of: thinned.thresholds[index]))
                #expect(
                    full.falsePositiveRates[position] == thinned.falsePositiveRates[index]
                        && full.truePositiveRates[position] == thinned.truePositiveRates[index])
            }
            #expect(covered(fullPoints, by: keptPoints, resolution: resolution), "\(resolution)")
        }
        #expect(throws: ExplainError.self) { try full.thinned(resolution: 1) }
        #expect(throws: ExplainError.self) { try full.thinned(resolution: -0.1) }
        #expect(throws: ExplainError.self) { try full.thinned(resolution: .nan) }
    }

    @Test("the pixel ROC curve of maps of different sizes is the batch curve of the same pixels, thinned on the way")
    func pixelROC() throws {
        let (maps, masks) = pixelCase(count: 6, seed: 11)
        let pixels = maps.reduce(0) { $0 + $1.scalarCount }
        let flatMaps = Tensor(shape: [1, 1, pixels], scalars: maps.flatMap(\.scalars))
        let flatMasks = Tensor(shape: [1, 1, pixels], scalars: masks.flatMap(\.scalars))
        let reference = try PixelROC.curve(maps: flatMaps, masks: flatMasks)
        #expect(try PixelROC.curve(maps: maps, masks: masks, resolution: 0) == reference)
        let thinned = try PixelROC.curve(maps: maps, masks: masks, resolution: 0.05)
        #expect(thinned == (try reference.thinned(resolution: 0.05)))
        #expect(thinned.areaUnderCurve == (try PixelROC.areaUnderCurve(maps: maps, masks: masks)))
        #expect(throws: ExplainError.self) { try PixelROC.curve(maps: maps, masks: masks, resolution: 2) }
    }

    @Test("PRO curves: the area is AU-PRO's bit for bit, points rise from (0, 0) to (1, 1), thinning keeps the area", arguments: [0.3, 0.05, 1])
    func proCurve(limit: Double) throws {
        for seed in [1, 2, 3] as [UInt64] {
            let (maps, masks) = pixelCase(count: 7, seed: seed)
            let aupro = try AUPRO.compute(maps: maps, masks: masks, fprLimit: limit)
            let full = try AUPRO.curve(maps: maps, masks: masks, fprLimit: limit, resolution: 0)
            #expect(full.normalizedArea == aupro)
            #expect(full.fprLimit == limit)
            #expect(full.falsePositiveRates.first == 0 && full.overlaps.first == 0 && full.thresholds.first == .infinity)
            #expect(full.falsePositiveRates.last == 1 && full.overlaps.last == 1)
            #expect(zip(full.falsePositiveRates, full.falsePositiveRates.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(zip(full.overlaps, full.overlaps.dropFirst()).allSatisfy { $0 <= $1 })
            // The trapezoid of the full curve up to the limit, by hand, is the area.
            var area = 0.0
            for index in 1..<full.falsePositiveRates.count {
                let (x0, x1) = (full.falsePositiveRates[index - 1], full.falsePositiveRates[index])
                let (y0, y1) = (full.overlaps[index - 1], full.overlaps[index])
                guard x0 < limit else { break }
                let end = min(x1, limit)
                let yEnd = x1 > x0 ? y0 + (y1 - y0) * (end - x0) / (x1 - x0) : y1
                area += 0.5 * (y0 + yEnd) * (end - x0)
            }
            #expect(abs(area / limit - aupro) <= 1e-12, "seed \(seed): \(area / limit) vs \(aupro)")

            let thinned = try AUPRO.curve(maps: maps, masks: masks, fprLimit: limit, resolution: 0.02)
            #expect(thinned.normalizedArea == aupro)
            #expect(thinned.falsePositiveRates.count <= 102 && thinned.falsePositiveRates.count < full.falsePositiveRates.count)
            let fullPoints = zip(full.falsePositiveRates, full.overlaps).map { ($0, $1) }
            let keptPoints = zip(thinned.falsePositiveRates, thinned.overlaps).map { ($0, $1) }
            #expect(covered(fullPoints, by: keptPoints, resolution: 0.02))
        }
        let (maps, masks) = pixelCase(count: 3, seed: 1)
        #expect(throws: ExplainError.self) { try AUPRO.curve(maps: maps, masks: masks, fprLimit: 0, resolution: 0.01) }
        #expect(throws: ExplainError.self) { try AUPRO.curve(maps: maps, masks: masks, resolution: 1.5) }
        #expect(throws: ExplainError.self) { try AUPRO.curve(maps: [maps[0]], masks: [masks[0]], resolution: 0.01) }
    }
}
