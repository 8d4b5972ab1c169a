import Explain
import Report
import TensorCore
import Testing

@Suite("Heatmap display of a run's pictures")
struct HeatmapDisplayTests {
    @Test("a fixed scale maps values the same in every picture; semi-global scales each set to its own quantile")
    func modes() throws {
        let scale = try HeatmapScale(low: 1, high: 3)
        let fixed = HeatmapDisplay(scale: scale)
        let quiet = Tensor(shape: [1, 1, 3], scalars: [1, 1.5, 2])
        let loud = Tensor(shape: [1, 1, 3], scalars: [1, 3, 5])
        #expect(try fixed.normalize(quiet).scalars == [0, 0.25, 0.5])
        #expect(try fixed.normalize(loud).scalars == [0, 1, 1])
        // Semi-global: the largest value of each set becomes full red (quantile 1).
        let semiGlobal = HeatmapDisplay(quantile: 1)
        #expect(try semiGlobal.normalize(quiet).scalars.last == 1 && semiGlobal.normalize(loud).scalars.last == 1)
        #expect(fixed.description.contains("fixed scale 1.0…3.0") && semiGlobal.description.contains("over the images shown together"))
    }
}
