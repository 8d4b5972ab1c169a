import Explain
import FixtureSupport
import Foundation
import TensorCore
import Testing

// Gradient heatmaps (the reference's BaseNet.get_grad_heatmap, `models/bases.py`) for a
// tiny FCDD-like conv model whose weights and torch results are in
// Fixtures/upsampling.json, the kornia-style Gaussian blur, finite differences, and the
// per-image pixel AUC of heatmaps against masks.

@Suite("GradientExplanation")
struct GradientExplanationTests {
    static let tolerance = FixtureTolerance(absolute: 1e-5, relative: 1e-4, matchesNonFinite: false)

    /// conv1 (3×3, padding 1) → leaky ReLU → max pool 2 → conv2 (1×1) = φ; A = √(φ² + 1) − 1.
    static func anomalyMaps(_ x: Tensor, _ weights: [String: FixtureTensor]) throws -> Tensor {
        func weight(_ key: String) throws -> Tensor {
            guard let tensor = weights[key] else { throw FixtureError("no weight \(key)") }
            return try tensor.tensor()
        }
        let hidden = try Tensor.conv2d(x, weight: weight("conv1.weight"), bias: weight("conv1.bias"), padding: 1)
        let pooled = hidden.leakyRelu(negativeSlope: 0.01).maxPool2d(kernel: 2)
        let phi = try Tensor.conv2d(pooled, weight: weight("conv2.weight"), bias: weight("conv2.bias"))
        return (phi.squared() + 1).sqrt() - 1
    }

    @Test("heatmaps of a tiny conv model against torch", arguments: MapsFixtures.names(\.gradient, \.name))
    func fixture(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.gradient, \.name, name)
        let inputs = try testCase.inputs.tensor()
        let scores = try Self.anomalyMaps(inputs, testCase.weights).mean(alongAxes: [1, 2, 3])
        expectMapsClose(scores, testCase.scores, Self.tolerance, "\(name) scores")

        // The model returns its A maps; the explanation averages them per sample.
        let heatmaps = try GradientExplanation.heatmaps(inputs: inputs) { try Self.anomalyMaps($0, testCase.weights) }
        expectMapsClose(heatmaps, testCase.heatmaps, Self.tolerance, "\(name) heatmaps")
        #expect(!heatmaps.isTrackingGradients)

        // Per-sample scores [N] give the same heatmaps.
        let fromScores = try GradientExplanation.heatmaps(inputs: inputs) {
            try Self.anomalyMaps($0, testCase.weights).mean(alongAxes: [1, 2, 3])
        }
        #expect(fromScores.scalars == heatmaps.scalars)

        for blurred in testCase.blurred {
            let border: GaussianBlur.Border = blurred.padding == "reflect" ? .reflect : .zero
            let blur = try GaussianBlur(kernelSize: blurred.kernel_size, sigma: blurred.sigma, border: border)
            let output = try GradientExplanation.heatmaps(inputs: inputs, blur: blur) { try Self.anomalyMaps($0, testCase.weights) }
            expectMapsClose(output, blurred.expected, Self.tolerance, "\(name) \(blur)")
        }
    }

    @Test("heatmaps are |gradient| summed over channels, by finite differences")
    func finiteDifferences() throws {
        var generator = SeededGenerator(seed: 21)
        let weight = Tensor.randomNormal(shape: [2, 3, 3, 3], standardDeviation: 0.4, using: &generator)
        let head = Tensor.randomNormal(shape: [1, 2, 1, 1], using: &generator)
        let inputs = Tensor.randomNormal(shape: [2, 3, 6, 5], using: &generator)
        // A smooth model (no kinks), so that central differences are accurate.
        func score(_ x: Tensor) throws -> Tensor {
            let phi = Tensor.conv2d(Tensor.conv2d(x, weight: weight, padding: 1).tanh(), weight: head)
            return ((phi.squared() + 1).sqrt() - 1).mean(alongAxes: [1, 2, 3])
        }
        let heatmaps = try GradientExplanation.heatmaps(inputs: inputs, score: score)
        #expect(heatmaps.shape == [2, 6, 5])

        let eps: Float = 1e-2
        let base = inputs.scalars
        var expected = [Double](repeating: 0, count: 2 * 6 * 5)
        for index in base.indices {
            var values = base
            values[index] = base[index] + eps
            let plus = try withoutGradients { try score(Tensor(shape: inputs.shape, scalars: values)) }.sum().item()
            values[index] = base[index] - eps
            let minus = try withoutGradients { try score(Tensor(shape: inputs.shape, scalars: values)) }.sum().item()
            let derivative = Double(plus - minus) / (Double(base[index] + eps) - Double(base[index] - eps))
            let (sample, rest) = (index / 90, index % 90)
            expected[sample * 30 + rest % 30] += Swift.abs(derivative)
        }
        for (got, want) in zip(heatmaps.scalars, expected) {
            #expect(Swift.abs(Double(got) - want) <= 1e-4 + 1e-2 * want, "heatmap \(got) vs finite differences \(want)")
        }
    }

    @Test("errors: layouts, scores without the batch axis, unrecorded scores, the model's own errors")
    func errors() throws {
        let inputs = Tensor.ones(shape: [2, 1, 4, 4])
        #expect(throws: ExplainError.self) { try GradientExplanation.heatmaps(inputs: Tensor.ones(shape: [2, 4, 4])) { $0 } }
        #expect(throws: ExplainError.self) { try GradientExplanation.heatmaps(inputs: inputs) { $0.sum() } }
        #expect(throws: ExplainError.self) { try GradientExplanation.heatmaps(inputs: inputs) { $0.slice(alongAxis: 0, 0..<1) } }
        #expect(throws: ExplainError.self) {
            try GradientExplanation.heatmaps(inputs: inputs) { x in withoutGradients { x * 2 } }
        }
        struct ModelFailure: Error {}
        #expect(throws: ModelFailure.self) { try GradientExplanation.heatmaps(inputs: inputs) { _ in throw ModelFailure() } }
    }

    // MARK: Integrated gradients

    @Test("integrated gradients: exact for a linear model, complete for a smooth one, per-sample baselines")
    func integratedGradients() throws {
        var generator = SeededGenerator(seed: 33)
        let inputs = Tensor.randomNormal(shape: [2, 3, 5, 4], using: &generator)
        let weights = Tensor.randomNormal(shape: [1, 3, 5, 4], using: &generator)
        // Linear in the input: every step sees the same gradient, so one step is exact.
        func linear(_ x: Tensor) throws -> Tensor { (x * weights).sum(alongAxes: [1, 2, 3]) }
        let attributions = try GradientExplanation.integratedGradients(inputs: inputs, steps: 1, score: linear)
        #expect(attributions.shape == inputs.shape && !attributions.isTrackingGradients)
        let expected = (inputs * weights).scalars
        for (got, want) in zip(attributions.scalars, expected) { #expect(Swift.abs(got - want) <= 1e-6) }

        // Completeness: a sample's attributions add up to score(x) − score(baseline).
        let weight = Tensor.randomNormal(shape: [2, 3, 3, 3], standardDeviation: 0.4, using: &generator)
        func smooth(_ x: Tensor) throws -> Tensor {
            let phi = Tensor.conv2d(x, weight: weight, padding: 1).tanh()
            return ((phi.squared() + 1).sqrt() - 1).mean(alongAxes: [1, 2, 3])
        }
        let baseline = Tensor.randomUniform(shape: [1, 3, 5, 4], low: -0.5, high: 0.5, using: &generator)
        let integrated = try GradientExplanation.integratedGradients(inputs: inputs, baseline: baseline, steps: 400, score: smooth)
        let totals = integrated.sum(alongAxes: [1, 2, 3]).scalars
        let atInputs = try withoutGradients { try smooth(inputs) }.scalars
        let atBaseline = try withoutGradients { try smooth(baseline) }.item()
        for (total, score) in zip(totals, atInputs) {
            let change = score - atBaseline
            #expect(Swift.abs(total - change) <= 5e-3 * Swift.abs(change) + 1e-5, "attributions \(total) vs score change \(change)")
        }

        // A [1, C, H, W] baseline is the same as that baseline for every sample; the
        // heatmap is the absolute attribution summed over channels.
        let repeated = Tensor.concatenate([baseline, baseline], alongAxis: 0)
        let perSample = try GradientExplanation.integratedGradients(inputs: inputs, baseline: repeated, steps: 400, score: smooth)
        #expect(perSample.scalars == integrated.scalars)
        let maps = try GradientExplanation.heatmaps(inputs: inputs, method: .integratedGradients(steps: 400), baseline: baseline, score: smooth)
        let summed = integrated.abs().sum(alongAxes: [1]).scalars
        #expect(maps.shape == [2, 5, 4])
        for (got, want) in zip(maps.scalars, summed) { #expect(Swift.abs(got - want) <= 1e-6 * Swift.max(1, want)) }
        // The plain method through the general entry point is the gradient heatmap.
        #expect(
            try GradientExplanation.heatmaps(inputs: inputs, method: .gradient, score: smooth).scalars
                == GradientExplanation.heatmaps(inputs: inputs, score: smooth).scalars)

        #expect(throws: ExplainError.self) { try GradientExplanation.integratedGradients(inputs: inputs, steps: 0, score: smooth) }
        #expect(throws: ExplainError.self) {
            try GradientExplanation.integratedGradients(inputs: inputs, baseline: Tensor.zeros(shape: [3, 3, 5, 4]), steps: 2, score: smooth)
        }
        #expect(throws: ExplainError.self) { try GradientExplanation.integratedGradients(inputs: Tensor.zeros(shape: [3, 5, 4]), steps: 2, score: smooth) }
    }

    @Test(
        "gradient method names",
        arguments: [
            ("grad", GradientMethod.gradient), ("ig", .integratedGradients(steps: 32)),
            ("ig7", .integratedGradients(steps: 7)),
        ])
    func methodNames(_ text: String, _ method: GradientMethod) {
        #expect(GradientMethod(text) == method)
        #expect(GradientMethod(method.description) == method)
    }

    @Test("unknown gradient method names", arguments: ["", "ig0", "ig-3", "ig+3", "ig03", "gradient", "IG8", "ig 8"])
    func badMethodNames(_ text: String) { #expect(GradientMethod(text) == nil) }

    // MARK: Blur

    @Test("Gaussian blur against kornia's formula", arguments: MapsFixtures.names(\.blur, \.name))
    func blur(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.blur, \.name, name)
        let sigma = testCase.sigma ?? FCDDGaussianKernel.defaultSigma(kernelSize: testCase.kernel_size)
        let blur = try GaussianBlur(kernelSize: testCase.kernel_size, sigma: sigma, border: testCase.padding == "reflect" ? .reflect : .zero)
        for (got, want) in zip(blur.weights, testCase.weights) {
            #expect(Swift.abs(Double(got) - want) <= 1e-7, "\(name): weight \(got) vs \(want)")
        }
        let maps = try testCase.maps.tensor()
        expectMapsClose(try blur.apply(maps), testCase.expected, Self.tolerance, "\(name)")
        if maps.shape[1] == 1 {
            let flat = try blur.apply(maps.squeezed(axis: 1))
            #expect(flat.scalars == (try blur.apply(maps)).scalars)
        }
    }

    @Test("the reference's baseline blur and its gradient")
    func blurSettings() throws {
        let vgg = try GaussianBlur.reference(receptiveFieldSize: 62, sigma: 12)
        #expect(vgg.kernelSize == 61 && vgg.sigma == 12 && vgg.border == .reflect)
        let small = try GaussianBlur.reference(receptiveFieldSize: 16, sigma: nil)
        #expect(small.kernelSize == 15 && small.sigma == FCDDGaussianKernel.defaultSigma(kernelSize: 15))
        #expect(abs(small.weights.reduce(0, +) - 1) < 1e-6)
        #expect(throws: ExplainError.self) { try GaussianBlur(kernelSize: 4, sigma: 1) }
        #expect(throws: ExplainError.self) { try GaussianBlur(kernelSize: 3, sigma: 0) }
        #expect(throws: ExplainError.self) { try small.apply(Tensor.zeros(shape: [1, 7, 7])) }

        var generator = SeededGenerator(seed: 4)
        let maps = Tensor.randomNormal(shape: [2, 1, 6, 7], using: &generator)
        for border in [GaussianBlur.Border.reflect, .zero] {
            let blur = try GaussianBlur(kernelSize: 5, sigma: 1.1, border: border)
            try expectMapsGradientMatchesFiniteDifferences("blur \(border)", maps, eps: 0.1) { try blur.apply($0) }
        }
    }

    // MARK: Comparison against masks

    @Test("per-image pixel AUC, flagged images, and the comparison of two heatmaps")
    func pixelAUC() throws {
        // Image 0: the mask's region scores highest; image 1: lowest; image 2: an all-zero
        // mask; image 3: an all-one mask.
        var mask = [Float](repeating: 0, count: 4 * 16)
        for pixel in [5, 6, 9, 10] {
            mask[pixel] = 1
            mask[16 + pixel] = 1
        }
        for pixel in 0..<16 { mask[48 + pixel] = 1 }
        let masks = Tensor(shape: [4, 1, 4, 4], scalars: mask)
        let good = Tensor(shape: [4, 4, 4], scalars: mask.map { $0 + 0.1 })
        let bad = Tensor(shape: [4, 4, 4], scalars: mask.map { 1 - $0 })

        let aucs = try HeatmapComparison.pixelAUC(heatmaps: good, masks: masks)
        #expect(aucs.count == 4)
        #expect(aucs[0] == 1 && aucs[1] == 1)
        #expect(aucs[2].isNaN && aucs[3].isNaN)
        let inverted = try HeatmapComparison.pixelAUC(heatmaps: bad, masks: masks.squeezed(axis: 1))
        #expect(inverted[0] == 0 && inverted[1] == 0)

        // One image: the per-image AUC is the pooled pixel AUC.
        var generator = SeededGenerator(seed: 8)
        let noisy = Tensor.randomUniform(shape: [1, 4, 4], low: 0, high: 1, using: &generator) + good.slice(alongAxis: 0, 0..<1)
        let single = try HeatmapComparison.pixelAUC(heatmaps: noisy, masks: masks.slice(alongAxis: 0, 0..<1))
        #expect(single == [try PixelROC.areaUnderCurve(maps: noisy, masks: masks.slice(alongAxis: 0, 0..<1))])

        let result = try HeatmapComparison.compare(good, bad, masks: masks)
        #expect(result.evaluatedImages == [0, 1] && result.skippedImages == [2, 3])
        #expect(result.meanFirst == 1 && result.meanSecond == 0)
        #expect(result.firstBetter == 2 && result.secondBetter == 0)

        #expect(throws: ExplainError.self) { try HeatmapComparison.pixelAUC(heatmaps: good, masks: Tensor.zeros(shape: [4, 5, 4])) }
        #expect(throws: ExplainError.self) {
            try HeatmapComparison.pixelAUC(
                heatmaps: Tensor(shape: [1, 2, 2], scalars: [0, .nan, 1, 2]),
                masks: Tensor(shape: [1, 2, 2], scalars: [0, 0, 1, 1]))
        }
    }
}
