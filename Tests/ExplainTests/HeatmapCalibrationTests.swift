import Explain
import Foundation
import TensorCore
import Testing

// The fixed heatmap scale and its calibration from nominal heatmaps: the mapping, its
// clamping and degenerate case, the quantiles against a sort, the bound on the images
// measured, the JSON form and the refusals.

@Suite("Heatmap scale and calibration")
struct HeatmapCalibrationTests {
    @Test("a scale maps low to 0 and high to 1, clamps outside, and is the same for every map")
    func scale() throws {
        let scale = try HeatmapScale(low: 2, high: 6)
        #expect(scale.level(of: 2) == 0 && scale.level(of: 4) == 0.5 && scale.level(of: 6) == 1)
        #expect(scale.level(of: -10) == 0 && scale.level(of: 100) == 1)
        let maps = Tensor(shape: [2, 1, 3], scalars: [0, 3, 5, 6, 8, 2.5])
        let levels = try scale.normalize(maps)
        #expect(levels.shape == [2, 1, 3])
        #expect(levels.scalars == maps.scalars.map(scale.level(of:)))
        #expect(levels.scalars == [0, 0.25, 0.75, 1, 1, 0.125])
        // A scale of one value shows what exceeds it as 1.
        let flat = try HeatmapScale(low: 1, high: 1)
        #expect(try flat.normalize(Tensor([0.5, 1, 1.5])).scalars == [0, 0, 1])
        #expect(throws: ExplainError.self) { try HeatmapScale(low: 3, high: 2) }
        #expect(throws: ExplainError.self) { try HeatmapScale(low: .nan, high: 2) }
        #expect(throws: ExplainError.self) { try HeatmapScale(low: 0, high: .infinity) }
        #expect(throws: ExplainError.self) { try scale.normalize(Tensor([1, .nan])) }
    }

    @Test("the calibration's low value and pixel threshold are the k-th smallest pixels, k = ⌊q·N⌋")
    func quantiles() throws {
        var generator = SeededGenerator(seed: 5)
        let maps = Tensor.randomNormal(shape: [6, 5, 7], using: &generator)
        let calibration = try HeatmapCalibration(nominalHeatmaps: maps, lowQuantile: 0.05, pixelQuantile: 0.9)
        let sorted = maps.scalars.sorted()
        #expect(calibration.low == sorted[Int(0.05 * 210) - 1])
        #expect(calibration.pixelThreshold == sorted[Int(0.9 * 210) - 1])
        #expect(calibration.high == calibration.low + 2 * (calibration.pixelThreshold - calibration.low))
        #expect(calibration.images == 6 && calibration.lowQuantile == 0.05 && calibration.pixelQuantile == 0.9)
        // The pixel threshold sits in the middle of the scale.
        #expect(abs(calibration.scale.level(of: calibration.pixelThreshold) - HeatmapCalibration.thresholdLevel) < 1e-6)
        // [N, 1, H, W] is read the same.
        #expect(try HeatmapCalibration(nominalHeatmaps: maps.unsqueezed(axis: 1), lowQuantile: 0.05, pixelQuantile: 0.9) == calibration)
    }

    @Test("at most maximumImages heatmaps are measured, evenly spaced over the batch")
    func boundedImages() throws {
        // Heatmap i holds 100·i + 0…15, so the quantiles show which heatmaps were measured.
        let maps = Tensor(shape: [10, 4, 4], scalars: (0..<10).flatMap { image in (0..<16).map { Float(100 * image + $0) } })
        let calibration = try HeatmapCalibration(nominalHeatmaps: maps, lowQuantile: 0.01, pixelQuantile: 0.5, maximumImages: 4)
        // Heatmaps 0, 2, 5 and 7 (⌊i·10/4⌋): 64 pixels, the 32nd smallest is 215.
        #expect(calibration.images == 4)
        #expect(calibration.low == 0 && calibration.pixelThreshold == 215 && calibration.high == 430)
        let all = try HeatmapCalibration(nominalHeatmaps: maps, lowQuantile: 0.01, pixelQuantile: 1)
        #expect(all.images == 10 && all.pixelThreshold == 915)
    }

    @Test("JSON keeps every field; a calibration that is not ordered or has bad quantiles is refused")
    func json() throws {
        let calibration = try HeatmapCalibration(low: 0.01, pixelThreshold: 0.25, high: 0.49, lowQuantile: 0.01, pixelQuantile: 0.99, images: 256)
        let data = try JSONEncoder().encode(calibration)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["low", "pixel_threshold", "high", "low_quantile", "pixel_quantile", "images"])
        #expect(try JSONDecoder().decode(HeatmapCalibration.self, from: data) == calibration)
        for bad in [
            #"{"low":0.3,"pixel_threshold":0.25,"high":0.49,"low_quantile":0.01,"pixel_quantile":0.99,"images":256}"#,
            #"{"low":0.01,"pixel_threshold":0.25,"high":0.2,"low_quantile":0.01,"pixel_quantile":0.99,"images":256}"#,
            #"{"low":0.01,"pixel_threshold":0.25,"high":0.49,"low_quantile":0,"pixel_quantile":0.99,"images":256}"#,
            #"{"low":0.01,"pixel_threshold":0.25,"high":0.49,"low_quantile":0.01,"pixel_quantile":1.5,"images":256}"#,
            #"{"low":0.01,"pixel_threshold":0.25,"high":0.49,"low_quantile":0.01,"pixel_quantile":0.99,"images":0}"#,
            #"{"low":0.01,"high":0.49,"low_quantile":0.01,"pixel_quantile":0.99,"images":1}"#,
        ] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(HeatmapCalibration.self, from: Data(bad.utf8)) }
        }
        #expect(throws: ExplainError.self) {
            try HeatmapCalibration(low: 0, pixelThreshold: .infinity, high: .infinity, lowQuantile: 0.01, pixelQuantile: 0.99, images: 1)
        }
    }

    @Test("heatmaps of another layout, values that are not finite and bad settings are refused")
    func refusals() {
        let maps = Tensor.zeros(shape: [2, 4, 4])
        #expect(throws: ExplainError.self) { try HeatmapCalibration(nominalHeatmaps: Tensor.zeros(shape: [16])) }
        #expect(throws: ExplainError.self) { try HeatmapCalibration(nominalHeatmaps: Tensor.zeros(shape: [2, 3, 4, 4])) }
        #expect(throws: ExplainError.self) { try HeatmapCalibration(nominalHeatmaps: Tensor(shape: [1, 1, 2], scalars: [0, .nan])) }
        #expect(throws: ExplainError.self) { try HeatmapCalibration(nominalHeatmaps: maps, lowQuantile: 0) }
        #expect(throws: ExplainError.self) { try HeatmapCalibration(nominalHeatmaps: maps, lowQuantile: 0.6, pixelQuantile: 0.5) }
        #expect(throws: ExplainError.self) { try HeatmapCalibration(nominalHeatmaps: maps, maximumImages: 0) }
        // Constant nominal heatmaps give a scale of one value.
        #expect((try? HeatmapCalibration(nominalHeatmaps: maps))?.scale == (try? HeatmapScale(low: 0, high: 0)))
    }
}
