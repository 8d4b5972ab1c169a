import Explain
import FixtureSupport
import Foundation
import NN
import TensorCore
import Testing

// Receptive fields, the reference's gkern and its receptive-field Gaussian up-sampling
// against Fixtures/upsampling.json (Scripts/make_upsampling_fixtures.py; `models/bases.py`
// and `datasets/noise.py` of the official code), the alternatives nearest and bilinear, and
// gradients through the up-sampling by finite differences.

@Suite("Upsampling")
struct UpsamplingTests {
    static let tolerance = FixtureTolerance(absolute: 1e-5, relative: 1e-5, matchesNonFinite: false)

    // MARK: gkern

    @Test("gkern against SciPy", arguments: MapsFixtures.names(\.gkern, \.name))
    func gkern(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.gkern, \.name, name)
        let sigma = testCase.sigma ?? FCDDGaussianKernel.defaultSigma(kernelSize: testCase.size)
        let window = try FCDDGaussianKernel.window(size: testCase.size, sigma: sigma)
        try #require(window.count == testCase.window.count, "\(name): window length")
        for (got, want) in zip(window, testCase.window) {
            #expect(Swift.abs(got - want) <= 1e-14, "\(name): window \(got) vs \(want)")
        }
        let kernel = try FCDDGaussianKernel.kernel(size: Size2D(testCase.size, testCase.size), sigma: sigma)
        expectMapsClose(kernel, testCase.kernel, FixtureTolerance(absolute: 0, relative: 1e-7, matchesNonFinite: false), "\(name) kernel")
    }

    @Test("even sizes duplicate the centre and halve: middle samples 0.5, 2-D peak 0.25")
    func evenRule() throws {
        let window = try FCDDGaussianKernel.window(size: 16, sigma: 1.2)
        #expect(window.count == 16)
        #expect(window[7] == 0.5 && window[8] == 0.5)
        #expect(window.max() == 0.5)
        #expect(zip(window, window.reversed()).allSatisfy { $0 == $1 }, "symmetric")
        let kernel = try FCDDGaussianKernel.kernel(size: 62, sigma: 12)
        #expect(kernel.max().item() == 0.25)
        let odd = try FCDDGaussianKernel.kernel(size: 59, sigma: 10)
        #expect(odd.max().item() == 1)
        #expect(FCDDGaussianKernel.defaultSigma(kernelSize: 15) == log10(0.45 * 15 + 1) + 0.25)
        #expect(FCDDGaussianKernel.defaultSigma(kernelSize: 32) == 10)
        #expect(throws: ExplainError.self) { try FCDDGaussianKernel.window(size: 0, sigma: 1) }
        #expect(throws: ExplainError.self) { try FCDDGaussianKernel.window(size: 3, sigma: 0) }
    }

    // MARK: Receptive fields

    @Test("receptive field and output size of a layer list", arguments: MapsFixtures.names(\.receptive_fields, \.name))
    func receptiveField(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.receptive_fields, \.name, name)
        let net = Sequential(try testCase.layers.map { try $0.layer() })
        let geometry = try net.spatialGeometry(forInput: size2D(testCase.input))
        #expect(geometry.field == (try MapsFixtures.field(size: testCase.size, jump: testCase.jump, shift: testCase.shift)), "\(name): \(geometry)")
        #expect(geometry.size == (try size2D(testCase.output)))
    }

    @Test("the fixture's FCDD layer lists have the official code's geometry")
    func netGeometry() throws {
        // The nets themselves (FCDDNetKind.makeNet) are checked against the same table in FCDDTests.
        let expected: [String: (r: Int, j: Int, s: Double, n: Int, input: Int)] = [
            "FCDD_CNN28": (16, 4, 1.5, 7, 28), "FCDD_CNN32": (32, 4, 1.5, 8, 32), "FCDD_CNN32_S": (18, 4, 1.5, 8, 32),
            "FCDD_CNN32_LW3K": (22, 4, 1.5, 8, 32), "FCDD_CNN224_VGG": (62, 8, 3.5, 28, 224), "FCDD_CNN224": (59, 8, 0, 28, 224),
        ]
        for (name, want) in expected {
            let net = Sequential(try MapsFixtures.lookup(\.receptive_fields, \.name, name).layers.map { try $0.layer() })
            let geometry = try net.spatialGeometry(forInput: Size2D(want.input, want.input))
            #expect(geometry.field == ReceptiveField(size: Size2D(want.r, want.r), jump: Size2D(want.j, want.j), shift: .init(want.s, want.s)), "\(name)")
            #expect(geometry.size == Size2D(want.n, want.n), "\(name)")
        }
        #expect(ReceptiveField(size: 62, jump: 8, shift: .init(3.5, 3.5)).integerShift == Size2D(3, 3))
        #expect(ReceptiveField(size: 5, jump: 1, shift: .init(-0.5, 2.5)).integerShift == Size2D(0, 2), "int() truncates toward zero")
        var generator = SeededGenerator(seed: 0)
        let tooLarge = Conv2d(1, 1, kernelSize: 5, using: &generator)
        #expect(throws: SpatialGeometryError.inputTooSmall(path: "", layer: "Conv2d with \(tooLarge.window)", input: 4)) {
            try tooLarge.spatialGeometry(forInput: 4)
        }
    }

    // MARK: Up-sampling

    @Test("receptive-field Gaussian up-sampling against the reference", arguments: MapsFixtures.names(\.upsampling, \.name))
    func upsampling(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.upsampling, \.name, name)
        let field = try MapsFixtures.field(size: testCase.size, jump: testCase.jump, shift: testCase.shift)
        let upsampler = try ReceptiveFieldUpsampler(receptiveField: field, inputSize: size2D(testCase.input), sigma: testCase.sigma)
        let maps = try testCase.maps.tensor()
        let output = try upsampler.upsample(maps)
        expectMapsClose(output, testCase.expected, Self.tolerance, "\(name) [N, 1, h, w]")

        // [N, h, w] in, [N, H, W] out, same values.
        let squeezed = try upsampler.upsample(maps.squeezed(axis: 1))
        #expect(squeezed.shape == [maps.shape[0]] + testCase.input)
        #expect(squeezed.scalars == output.scalars)

        // The enum gives the same result.
        let viaEnum = try HeatmapUpsampling.receptiveFieldGaussian(sigma: testCase.sigma)
            .upsample(maps, to: size2D(testCase.input), receptiveField: field)
        #expect(viaEnum.scalars == output.scalars)
    }

    @Test("several channels are up-sampled one by one")
    func channels() throws {
        let upsampler = try MapsFixtures.cnn28Upsampler()
        var generator = SeededGenerator(seed: 7)
        let maps = Tensor.randomUniform(shape: [2, 3, 7, 7], low: 0, high: 1, using: &generator)
        let together = try upsampler.upsample(maps)
        #expect(together.shape == [2, 3, 28, 28])
        for channel in 0..<3 {
            let alone = try upsampler.upsample(maps.slice(alongAxis: 1, channel..<(channel + 1)))
            #expect(together.slice(alongAxis: 1, channel..<(channel + 1)).scalars == alone.scalars)
        }
    }

    @Test("mean of an up-sampled all-ones map (the gains of the official receptive_upsample)", arguments: MapsFixtures.names(\.gains, \.name))
    func gain(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.gains, \.name, name)
        let field = try MapsFixtures.field(size: testCase.size, jump: testCase.jump, shift: testCase.shift)
        let upsampler = try ReceptiveFieldUpsampler(receptiveField: field, inputSize: size2D(testCase.input), sigma: testCase.sigma)
        let ones = Tensor.ones(shape: [1, 1] + testCase.map)
        let mean = try Double(upsampler.upsample(ones).mean().item())
        #expect(Swift.abs(mean - testCase.mean) <= 1e-5 * Swift.max(1, testCase.mean), "\(name): \(mean) vs \(testCase.mean)")
    }

    @Test(
        "gradients through the up-sampling match finite differences",
        arguments: ["FCDD_CNN28_sigma1.2", "rectangular_20x24_sigma2.0", "valid_stride1_12_sigma1.0", "odd_small_20_sigma1.5"])
    func gradients(_ name: String) throws {
        let testCase = try MapsFixtures.lookup(\.upsampling, \.name, name)
        let field = try MapsFixtures.field(size: testCase.size, jump: testCase.jump, shift: testCase.shift)
        let upsampler = try ReceptiveFieldUpsampler(receptiveField: field, inputSize: size2D(testCase.input), sigma: testCase.sigma)
        let maps = try testCase.maps.tensor()
        try expectMapsGradientMatchesFiniteDifferences(name, maps) { try upsampler.upsample($0) }
        // The pixel-wise FCDD loss (`__gt_loss` in `training/fcdd.py`; mean of the
        // up-sampled pseudo-Huber map) trains through the up-sampling too.
        try expectMapsGradientMatchesFiniteDifferences("\(name) pseudo-Huber loss", maps - 0.7) { phi in
            let anomaly = (phi.squared() + 1).sqrt() - 1
            return try upsampler.upsample(anomaly).mean()
        }
    }

    @Test("nearest and bilinear are TensorCore's interpolation, in both layouts")
    func interpolation() throws {
        var generator = SeededGenerator(seed: 11)
        let maps = Tensor.randomUniform(shape: [2, 1, 7, 9], low: 0, high: 2, using: &generator)
        for (method, mode) in [(HeatmapUpsampling.nearest, InterpolationMode.nearest), (.bilinear, .bilinear)] {
            let up = try method.upsample(maps, to: Size2D(28, 36), receptiveField: nil)
            #expect(up.shape == [2, 1, 28, 36])
            #expect(up.scalars == (maps.resized(to: Size2D(28, 36), mode: mode)).scalars, "\(method)")
            let flat = try method.upsample(maps.squeezed(axis: 1), to: Size2D(28, 36), receptiveField: nil)
            #expect(flat.shape == [2, 28, 36] && flat.scalars == up.scalars)
        }
        #expect(throws: ExplainError.self) {
            try HeatmapUpsampling.receptiveFieldGaussian(sigma: 1.2).upsample(maps, to: 28, receptiveField: nil)
        }
    }

    @Test("invalid maps and settings are rejected")
    func errors() throws {
        let upsampler = try MapsFixtures.cnn28Upsampler()
        #expect(throws: ExplainError.self) { try upsampler.upsample(Tensor.zeros(shape: [7, 7])) }
        #expect(throws: ExplainError.self) { try upsampler.upsample(Tensor.zeros(shape: [0, 1, 7, 7])) }
        #expect(throws: ExplainError.self) {
            try ReceptiveFieldUpsampler(receptiveField: MapsFixtures.cnn28Upsampler().receptiveField, inputSize: 28, sigma: -1)
        }
        #expect(throws: ExplainError.self) {
            try ReceptiveFieldUpsampler(receptiveField: ReceptiveField(size: 3, jump: 0, shift: .init(0, 0)), inputSize: 28, sigma: 1)
        }
    }
}
