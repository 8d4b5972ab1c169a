import FCDD
import FixtureSupport
import Foundation
import TensorCore
import Testing

// FCDD's losses against float64 PyTorch references (Fixtures/fcdd_nets.json, from
// Scripts/make_fcdd_fixtures.py): the sample-level loss (the reference's
// `__supervised_loss`, always with labels) and the pixel-wise loss (`__gt_loss`), values
// and gradients; their argument checks; and the anomalous term −log(1 − e^(−Ā) + 1e-31)
// where float32 is at its limits (tiny and large Ā) against the exact function and finite
// differences.

@Suite("FCDD losses")
struct FCDDLossTests {
    /// The loss is a batch mean of a few float32 terms computed from exact float32 inputs:
    /// ~1e-7 relative error. The absolute part covers the large-Ā case, whose loss
    /// (≈ e^(−20)) rounds to 0 in float32.
    static func lossMatches(_ value: Float, _ expected: Double) -> Bool {
        Swift.abs(Double(value) - expected) <= 1e-5 * Swift.abs(expected) + 1e-7
    }

    @Test("sample-level loss and its gradient", arguments: FCDDFixtures.names(\.sample_losses, \.name))
    func sampleLevel(_ name: String) throws {
        let testCase = try FCDDFixtures.lookup(\.sample_losses, \.name, name)
        let phi = try testCase.phi.tensor().trackingGradients()
        let loss = FCDDLoss.sampleLevel(phi: phi, labels: testCase.labels)
        let value = loss.item()
        #expect(value.isFinite)
        #expect(Self.lossMatches(value, testCase.loss), "\(name): loss \(value), expected \(testCase.loss)")
        let gradient = try #require(loss.gradients(wrt: [phi]).first)
        try expectClose(gradient, testCase.gradient, FCDDFixtures.tolerance(testCase.gradient), "\(name) d loss / d φ")
    }

    @Test(
        "anomaly scores are the per-sample means of sqrt(φ² + 1) − 1",
        arguments: FCDDFixtures.names(\.sample_losses, \.name))
    func scores(_ name: String) throws {
        let testCase = try FCDDFixtures.lookup(\.sample_losses, \.name, name)
        let scores = try FCDDLoss.scores(testCase.phi.tensor()).scalars
        let perSample = testCase.phi.data.count / testCase.phi.shape[0]
        for (index, score) in scores.enumerated() {
            let values = testCase.phi.data[(index * perSample)..<((index + 1) * perSample)].map { phi -> Double in
                let p = Double(phi)
                return p * p / ((p * p + 1).squareRoot() + 1)
            }
            let exact = values.reduce(0, +) / Double(perSample)
            #expect(Swift.abs(Double(score) - exact) <= 1e-6 * exact + 1e-12, "\(name) sample \(index): \(score) vs \(exact)")
        }
    }

    @Test("pixel-wise loss and its gradient", arguments: FCDDFixtures.names(\.pixel_losses, \.name))
    func pixelWise(_ name: String) throws {
        let testCase = try FCDDFixtures.lookup(\.pixel_losses, \.name, name)
        let map = try testCase.map.tensor().trackingGradients()
        let loss = try FCDDLoss.pixelWise(upsampledMap: map, masks: testCase.masks.tensor())
        let value = loss.item()
        #expect(value.isFinite)
        #expect(Self.lossMatches(value, testCase.loss), "\(name): loss \(value), expected \(testCase.loss)")
        let gradient = try #require(loss.gradients(wrt: [map]).first)
        try expectClose(gradient, testCase.gradient, FCDDFixtures.tolerance(testCase.gradient), "\(name) d loss / d map")
    }

    // Bad labels and shapes stop the program: see `Misuse.fcddLosses` in FCDDMisuses.swift.
    @Test("sample-level loss takes a batch of both labels in any order")
    func sampleLevelBoundaries() throws {
        let phi = Tensor.zeros(shape: [2, 1, 3, 3])
        #expect(FCDDLoss.sampleLevel(phi: phi, labels: [1, 0]).item().isFinite)
        #expect(FCDDLoss.sampleLevel(phi: phi, labels: [1, 1]).item().isFinite)
        #expect(FCDDLoss.scores(Tensor.zeros(shape: [1, 1, 1, 1])).shape == [1])
    }

    @Test("pixel-wise loss takes masks of the map's shape, all nominal or not")
    func pixelWiseBoundaries() throws {
        let map = Tensor.zeros(shape: [2, 1, 4, 4])
        #expect(FCDDLoss.pixelWise(upsampledMap: map, masks: map).item() == 0)
        #expect(FCDDLoss.pixelWise(upsampledMap: map, masks: Tensor(shape: [2, 1, 4, 4], repeating: 1)).item().isFinite)
    }

    /// `−log(1 − e^(−Ā) + 1e-31)` for a one-pixel anomalous map φ, exactly (double, with
    /// cancellation-free forms: `1 − e^(−Ā)` by `expm1` for small Ā, and the logarithm by
    /// `log1p` for large Ā, where the term is ≈ e^(−Ā) and `log` of a value near 1 would
    /// lose it).
    static func exactAnomalousLoss(_ phi: Double) -> Double {
        let a = phi * phi / ((phi * phi + 1).squareRoot() + 1)
        return a < M_LN2 ? -Foundation.log(-Foundation.expm1(-a) + 1e-31) : -Foundation.log1p(-Foundation.exp(-a) + 1e-31)
    }

    /// The loss and its gradient for a single anomalous one-pixel map φ.
    static func anomalousLossAndGradient(_ phi: Float) throws -> (Float, Float) {
        let input = Tensor(shape: [1, 1, 1, 1], scalars: [phi]).trackingGradients()
        let loss = FCDDLoss.sampleLevel(phi: input, labels: [1])
        return (loss.item(), loss.gradients(wrt: [input])[0].item())
    }

    /// Ā from 1e-6 (where `sqrt(φ² + 1) − 1` and `1 − e^(−Ā)` both cancel in float32) to 80
    /// (where the term, ≈ e^(−Ā), is far below float32's resolution of 1 − e^(−Ā)).
    @Test(
        "anomalous term: finite, exact, and its gradient matches finite differences",
        arguments: [1e-6, 1e-3, 0.5, 2, 8, 30, 80] as [Double])
    func anomalousTerm(_ meanAnomaly: Double) throws {
        let phi = Float(((meanAnomaly + 1) * (meanAnomaly + 1) - 1).squareRoot())
        let p = Double(phi)
        let (value, gradient) = try Self.anomalousLossAndGradient(phi)
        #expect(value.isFinite && gradient.isFinite)
        #expect(gradient < 0, "pushing Ā up lowers the anomalous loss")

        // The value: to float32 precision of the exact term, absolutely (for large Ā the
        // term is below the resolution of 1 − e^(−Ā) in float32, so it rounds to ~0).
        let exact = Self.exactAnomalousLoss(p)
        #expect(Swift.abs(Double(value) - exact) <= 1e-6 * exact + 1e-7, "loss \(value), exact \(exact)")

        // The gradient against central differences of the exact term (double, step 1e-4·φ:
        // truncation error ~1e-8 relative): float32 evaluation of e^(−Ā) / (1 − e^(−Ā))·φ/√(φ²+1)
        // is good to ~1e-6 relative.
        let h = 1e-4 * p
        let difference = (Self.exactAnomalousLoss(p + h) - Self.exactAnomalousLoss(p - h)) / (2 * h)
        #expect(
            Swift.abs(Double(gradient) - difference) <= 1e-4 * Swift.abs(difference),
            "gradient \(gradient), finite difference \(difference)")

        // Where float32 can resolve the term itself (Ā ≤ 2), central differences of our own
        // float32 loss agree too; the step is 1/256 of φ, the points as float32 rounds them.
        if meanAnomaly <= 2 {
            let (plus, minus) = (phi * (1 + 1.0 / 256), phi * (1 - 1.0 / 256))
            let (upper, lower) = (try Self.anomalousLossAndGradient(plus).0, try Self.anomalousLossAndGradient(minus).0)
            let float32Difference = Double(upper - lower) / (Double(plus) - Double(minus))
            #expect(
                Swift.abs(Double(gradient) - float32Difference) <= 1e-3 * Swift.abs(float32Difference),
                "gradient \(gradient), float32 finite difference \(float32Difference)")
        }
    }

    @Test("a nominal sample's loss is Ā and an anomalous one's falls as Ā grows")
    func labelDirections() throws {
        let phi = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 1, 2])
        let scores = FCDDLoss.scores(phi).scalars
        let nominal = FCDDLoss.sampleLevel(phi: phi, labels: [0, 0]).item()
        #expect(Swift.abs(nominal - scores[0]) <= 1e-6)
        let low = FCDDLoss.sampleLevel(phi: Tensor(shape: [1, 1, 1, 1], scalars: [1]), labels: [1]).item()
        let high = FCDDLoss.sampleLevel(phi: Tensor(shape: [1, 1, 1, 1], scalars: [3]), labels: [1]).item()
        #expect(high < low)
    }
}
