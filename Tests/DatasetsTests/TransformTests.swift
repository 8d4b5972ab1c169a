import Datasets
import Foundation
import TensorCore
import Testing

// MARK: - Fixture (written by Scripts/make_transform_fixtures.py)

/// The torchvision / NumPy references for the transforms.
private struct TransformFixture: Decodable {
    struct Values: Decodable {
        let shape: [Int]
        let data: [Double]

        func tensor() throws -> Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }) }
    }
    struct ResizeCase: Decodable {
        let input: String
        let mode: String
        let size: [Int]?
        let shorterSide: Int?
        let output: Values
    }
    struct CropCase: Decodable {
        let input: String
        let size: [Int]
        let output: Values
    }
    struct ColorCase: Decodable {
        let adjustment: String
        let factor: Double
        let input: String
        let output: Values
    }
    struct JitterCase: Decodable {
        let order: [Int]
        let brightness: Double
        let contrast: Double
        let saturation: Double
        let hue: Double
        let input: String
        let output: Values
    }
    struct GrayscaleCase: Decodable {
        let input: String
        let channels: Int
        let output: Values
    }
    struct NormalizeCase: Decodable {
        let input: String
        let mean: [Double]
        let std: [Double]
        let output: Values
    }
    struct LCNCase: Decodable {
        let input: String
        let scale: String
        let output: Values
    }
    struct MinMaxCase: Decodable {
        let benchmark: String
        let normalClass: Int
        let input: String
        let output: Values
    }
    struct TableEntry: Decodable {
        let name: String
        let lcnMinimum: [Double]
        let lcnMaximum: [Double]
        let mean: [Double]
        let std: [Double]
    }

    let inputs: [String: Values]
    let resize: [ResizeCase]
    let centerCrop: [CropCase]
    let color: [ColorCase]
    let jitter: [JitterCase]
    let grayscale: [GrayscaleCase]
    let normalize: [NormalizeCase]
    let lcn: [LCNCase]
    let minMax: [MinMaxCase]
    let tables: [String: [TableEntry]]

    static let shared: Result<TransformFixture, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "transforms", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(TransformFixture.self, from: Data(contentsOf: url))
    }

    static func load() throws -> TransformFixture { try shared.get() }

    func input(_ name: String) throws -> Tensor { try #require(inputs[name]).tensor() }

    func sample(_ name: String, mask: String? = nil) throws -> DatasetSample {
        DatasetSample(image: try input(name), label: 3, mask: try mask.map { try input($0) }, name: "fixture[\(name)]")
    }
}

/// Checks shape and elements of `actual` against a reference, within `tolerance`.
private func expectClose(
    _ actual: Tensor, _ expected: TransformFixture.Values, tolerance: Float, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let values = actual.scalars
    var worst: Float = 0
    var worstIndex = 0
    for (i, value) in values.enumerated() {
        let difference = abs(value - Float(expected.data[i]))
        if !(difference <= worst) { (worst, worstIndex) = (difference, i) }
    }
    #expect(worst <= tolerance, "\(what): largest difference \(worst) at element \(worstIndex)", sourceLocation: sourceLocation)
}

/// A `[C, H, W]` image whose element `i` is `f(i)`.
private func image(_ shape: [Int], _ f: (Int) -> Float) throws -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(f))
}

/// A sample of a 3×5×7 ramp image and a checkerboard-like binary mask.
private func rampSample() throws -> DatasetSample {
    DatasetSample(
        image: try image([3, 5, 7]) { Float($0 + 1) / 105 },
        label: 1,
        mask: try image([1, 5, 7]) { ($0 % 3 == 0) ? 1 : 0 },
        name: "ramp")
}

/// The elements of plane `c` of a `[C, H, W]` tensor as rows.
private func rows(_ tensor: Tensor, channel c: Int = 0) -> [[Float]] {
    let (h, w) = (tensor.shape[1], tensor.shape[2])
    let values = tensor.scalars
    return (0..<h).map { i in Array(values[(c * h + i) * w..<(c * h + i + 1) * w]) }
}

// MARK: - Against torchvision / NumPy

@Suite("Transforms against torchvision and NumPy references")
struct TransformFixtureTests {
    @Test("Resize: exact and shorter-side sizes, bilinear (antialias=False), nearest and nearest-exact")
    func resize() throws {
        let fixture = try TransformFixture.load()
        #expect(fixture.resize.count >= 40)
        for item in fixture.resize {
            let mode: ResizeInterpolation =
                switch item.mode {
                case "bilinear": .bilinear
                case "nearest": .nearest
                default: .nearestExact
                }
            let transform =
                if let size = item.size {
                    try Resize(height: size[0], width: size[1], interpolation: mode)
                } else {
                    try Resize(shorterSide: try #require(item.shorterSide), interpolation: mode)
                }
            let output = try transform.apply(try fixture.sample(item.input), seed: 0)
            expectClose(
                output.image, item.output, tolerance: mode == .bilinear ? 1e-6 : 0,
                "\(item.input) \(item.mode) \(item.size ?? [item.shorterSide ?? 0])")
            let input = try fixture.input(item.input)
            let size = transform.outputSize(height: input.shape[1], width: input.shape[2])
            #expect([size.height, size.width] == Array(item.output.shape[1...]))
        }
    }

    @Test("Resize moves the mask with the image: nearest for the mask, which stays binary")
    func resizeMask() throws {
        let fixture = try TransformFixture.load()
        for (mode, maskMode) in [("bilinear", "nearest"), ("nearest", "nearest"), ("nearestExact", "nearestExact")] {
            for size in [[8, 11], [3, 4], [2, 9]] {
                let imageReference = try #require(fixture.resize.first { $0.input == "rgb" && $0.mode == mode && $0.size == size })
                let maskReference = try #require(fixture.resize.first { $0.input == "mask" && $0.mode == maskMode && $0.size == size })
                let interpolation: ResizeInterpolation = mode == "bilinear" ? .bilinear : mode == "nearest" ? .nearest : .nearestExact
                let output = try Resize(height: size[0], width: size[1], interpolation: interpolation)
                    .apply(try fixture.sample("rgb", mask: "mask"), seed: 0)
                expectClose(output.image, imageReference.output, tolerance: 1e-6, "image \(mode) \(size)")
                let mask = try #require(output.mask)
                expectClose(mask, maskReference.output, tolerance: 0, "mask \(mode) \(size)")
                #expect(mask.scalars.allSatisfy { $0 == 0 || $0 == 1 })
                #expect(output.label == 3 && output.name == "fixture[rgb]")
            }
        }
    }

    @Test("CenterCrop: odd and even margins rounded half to even, larger crops zero-padded")
    func centerCrop() throws {
        let fixture = try TransformFixture.load()
        for item in fixture.centerCrop {
            let output = try CenterCrop(height: item.size[0], width: item.size[1]).apply(try fixture.sample(item.input), seed: 0)
            expectClose(output.image, item.output, tolerance: 0, "center crop \(item.size)")
        }
        // 5×7 → 4×4: margins 1 and 3 round to 0 (half to even) and 2.
        #expect(try CenterCrop(size: 4).origin(inputHeight: 5, inputWidth: 7) == (0, 2))
        #expect(try CenterCrop(size: 8).origin(inputHeight: 5, inputWidth: 7) == (-1, 0))
    }

    @Test("adjust_brightness, adjust_contrast, adjust_saturation and adjust_hue with fixed factors")
    func colorAdjustments() throws {
        let fixture = try TransformFixture.load()
        #expect(fixture.color.count >= 40)
        for item in fixture.color {
            let input = try fixture.input(item.input)
            let factor = Float(item.factor)
            let output =
                switch item.adjustment {
                case "brightness": try ColorAdjustment.adjustBrightness(input, factor: factor)
                case "contrast": try ColorAdjustment.adjustContrast(input, factor: factor)
                case "saturation": try ColorAdjustment.adjustSaturation(input, factor: factor)
                default: try ColorAdjustment.adjustHue(input, shift: factor)
                }
            expectClose(
                output, item.output, tolerance: 1e-6,
                "\(item.adjustment) \(item.factor) on \(item.input)")
        }
    }

    @Test("ColorJitter applies its factors in the drawn order, as torchvision chains them")
    func jitterOrder() throws {
        let fixture = try TransformFixture.load()
        let jitter = try ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 1, hue: 0.5)
        for item in fixture.jitter {
            let order = SIMD4<Int32>(item.order.map { Int32($0) })
            let parameters = ColorJitter.Parameters(
                order: order, brightness: Float(item.brightness), contrast: Float(item.contrast),
                saturation: Float(item.saturation), hue: Float(item.hue))
            let output = try jitter.apply(try fixture.sample(item.input), parameters: parameters)
            expectClose(output.image, item.output, tolerance: 1e-6, "jitter \(item.order) on \(item.input)")
        }
    }

    @Test("Grayscale with BT.601 weights, 1 or 3 output channels")
    func grayscale() throws {
        let fixture = try TransformFixture.load()
        for item in fixture.grayscale {
            let transform = Grayscale(outputChannels: item.channels == 1 ? .one : .three)
            let output = try transform.apply(try fixture.sample(item.input), seed: 0)
            expectClose(output.image, item.output, tolerance: 1e-7, "grayscale \(item.channels) of \(item.input)")
            let same = try Grayscale(outputChannels: .sameAsInput).apply(try fixture.sample(item.input), seed: 0)
            #expect(same.image.shape == (try fixture.input(item.input)).shape)
        }
        #expect(ColorAdjustment.lumaWeights == (0.299, 0.587, 0.114))
    }

    @Test("Normalize per channel and with one value for all channels")
    func normalize() throws {
        let fixture = try TransformFixture.load()
        for item in fixture.normalize {
            let output = try Normalize(mean: item.mean, standardDeviation: item.std).apply(try fixture.sample(item.input), seed: 0)
            expectClose(output.image, item.output, tolerance: 1e-6, "normalize \(item.mean)")
        }
        let imageNet = try Normalize.imageNet.apply(try fixture.sample("rgb"), seed: 0)
        expectClose(imageNet.image, fixture.normalize[0].output, tolerance: 1e-6, "Normalize.imageNet")
    }

    @Test("FCDD's local contrast normalisation (L1 and L2) against a NumPy re-implementation of the official code")
    func localContrastNormalization() throws {
        let fixture = try TransformFixture.load()
        for item in fixture.lcn {
            let output = try LocalContrastNormalization(scale: item.scale == "l1" ? .l1 : .l2).apply(try fixture.sample(item.input), seed: 0)
            expectClose(output.image, item.output, tolerance: 1e-6, "LCN \(item.scale) of \(item.input)")
        }
        // L1: the result has mean 0 and mean absolute value 1.
        let output = try LocalContrastNormalization().apply(try fixture.sample("rgb"), seed: 0).image.scalars
        let count = Double(output.count)
        #expect(abs(output.reduce(0.0) { $0 + Double($1) } / count) < 1e-6)
        #expect(abs(output.reduce(0.0) { $0 + abs(Double($1)) } / count - 1) < 1e-5)
    }

    @Test("LCN-L1 then min-max scaling with FCDD's per-class constants (taken from the fixture's tables)")
    func minMaxScaling() throws {
        let fixture = try TransformFixture.load()
        for item in fixture.minMax {
            let entry = try #require(fixture.tables[item.benchmark]?[item.normalClass])
            let pipeline = Compose(
                LocalContrastNormalization(),
                try MinMaxScaling(minimum: entry.lcnMinimum, maximum: entry.lcnMaximum))
            let output = try pipeline.apply(try fixture.sample(item.input), seed: 0)
            expectClose(output.image, item.output, tolerance: 1e-6, "min-max \(item.benchmark) class \(item.normalClass)")
        }
    }
}

// MARK: - Random transforms

@Suite("Random transforms: determinism and properties")
struct TransformRandomTests {
    @Test("RandomCrop with padding: output size, a window of the zero-padded image, mask cropped alike")
    func randomCropWindow() throws {
        let sample = try rampSample()
        let crop = try RandomCrop(size: 5, padding: 2)
        let padded = sample.image.padded([(0, 0), (2, 2), (2, 2)])
        let paddedMask = try #require(sample.mask).padded([(0, 0), (2, 2), (2, 2)])
        var origins = Set<[Int]>()
        for seed in UInt64(0)..<40 {
            let output = try crop.apply(sample, seed: seed)
            #expect(output.image.shape == [3, 5, 5])
            let mask = try #require(output.mask)
            #expect(mask.shape == [1, 5, 5])
            // Find the window of the padded image that the crop equals.
            var found: [Int]?
            for top in 0...(9 - 5) {
                for left in 0...(11 - 5) {
                    let window = padded.slice(alongAxis: 1, top..<(top + 5)).slice(alongAxis: 2, left..<(left + 5))
                    if window.scalars == output.image.scalars { found = [top, left] }
                }
            }
            let origin = try #require(found, "seed \(seed): the crop is no window of the padded image")
            let maskWindow = paddedMask.slice(alongAxis: 1, origin[0]..<(origin[0] + 5)).slice(alongAxis: 2, origin[1]..<(origin[1] + 5))
            #expect(maskWindow.scalars == mask.scalars, "seed \(seed): mask window differs from the image's")
            origins.insert(origin)
            #expect(try crop.apply(sample, seed: seed).image.scalars == output.image.scalars, "same seed, same crop")
        }
        #expect(origins.count >= 15, "40 seeds hit only \(origins.count) of 35 windows")
    }

    @Test("RandomCrop of the padded image's own size draws nothing and returns the padded image")
    func randomCropFullSize() throws {
        let sample = try rampSample()
        var generator = SeededGenerator(seed: 7)
        let before = generator
        let output = try RandomCrop(height: 7, width: 9, padding: Padding2D(height: 1, width: 1)).apply(sample, using: &generator)
        #expect(generator == before)
        #expect(output.image.scalars == (sample.image.padded([(0, 0), (1, 1), (1, 1)])).scalars)
    }

    @Test("RandomHorizontalFlip mirrors image and mask together, with probability p")
    func flip() throws {
        let sample = try rampSample()
        let always = try RandomHorizontalFlip(p: 1).apply(sample, seed: 3)
        for channel in 0..<3 {
            #expect(rows(always.image, channel: channel) == rows(sample.image, channel: channel).map { Array($0.reversed()) })
        }
        #expect(rows(try #require(always.mask)) == rows(try #require(sample.mask)).map { Array($0.reversed()) })
        let never = try RandomHorizontalFlip(p: 0).apply(sample, seed: 3)
        #expect(never.image.scalars == sample.image.scalars)

        let half = try RandomHorizontalFlip()
        var flipped = 0
        for seed in UInt64(0)..<400 {
            let output = try half.apply(sample, seed: seed)
            let imageFlipped = output.image.scalars != sample.image.scalars
            let maskFlipped = try #require(output.mask).scalars != (try #require(sample.mask)).scalars
            #expect(imageFlipped == maskFlipped, "seed \(seed): image and mask must flip together")
            if imageFlipped { flipped += 1 }
            #expect((try half.apply(sample, seed: seed)).image.scalars == output.image.scalars)
        }
        #expect((160...240).contains(flipped), "flipped \(flipped) of 400")
    }

    @Test("ColorJitter: same seed same image, different seeds differ, factors within their ranges")
    func colorJitter() throws {
        let sample = try rampSample()
        let jitter = try ColorJitter(brightness: 0.1, contrast: 0.1, saturation: 0.1, hue: 0.1)
        let first = try jitter.apply(sample, seed: 11)
        #expect(try jitter.apply(sample, seed: 11).image.scalars == first.image.scalars)
        #expect(try jitter.apply(sample, seed: 12).image.scalars != first.image.scalars)
        #expect(first.mask?.scalars == sample.mask?.scalars)

        var orders = Set<[Int32]>()
        for seed in UInt64(0)..<200 {
            var generator = SeededGenerator(seed: seed)
            var replay = generator
            let parameters = jitter.drawParameters(using: &generator)
            #expect(Set([0, 1, 2, 3].map { parameters.order[$0] }) == [0, 1, 2, 3])
            orders.insert([0, 1, 2, 3].map { parameters.order[$0] })
            #expect((0.9...1.1).contains(try #require(parameters.brightness)))
            #expect((0.9...1.1).contains(try #require(parameters.contrast)))
            #expect((0.9...1.1).contains(try #require(parameters.saturation)))
            #expect((-0.1...0.1).contains(try #require(parameters.hue)))
            // apply(using:) is drawParameters followed by apply(parameters:).
            let applied = try jitter.apply(sample, using: &replay)
            #expect(applied.image.scalars == (try jitter.apply(sample, parameters: parameters)).image.scalars)
            #expect(replay == generator)
        }
        #expect(orders.count >= 20, "200 draws gave only \(orders.count) of 24 orders")

        // Everything disabled: nothing drawn but the order, image unchanged.
        let none = try ColorJitter()
        #expect(none.brightness == nil && none.contrast == nil && none.saturation == nil && none.hue == nil)
        #expect(try none.apply(sample, seed: 1).image.scalars == sample.image.scalars)
        // torchvision's ranges: [max(0, 1 − b), 1 + b] and [−h, h].
        let wide = try ColorJitter(brightness: 1.5, hue: 0.5)
        #expect(wide.brightness == 0...2.5)
        #expect(wide.hue == -0.5...0.5)
    }

    @Test("GaussianNoise: statistics, clamping, relative scale, determinism")
    func noise() throws {
        let count = 3 * 64 * 64
        let flat = DatasetSample(image: Tensor(shape: [3, 64, 64], repeating: 0.5), label: 0, name: "flat")
        let noise = try GaussianNoise(standardDeviation: 0.1)
        let output = try noise.apply(flat, seed: 5)
        let differences = output.image.scalars.map { Double($0) - 0.5 }
        let mean = differences.reduce(0, +) / Double(count)
        let deviation = (differences.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count - 1)).squareRoot()
        #expect(abs(mean) < 4 * 0.1 / Double(count).squareRoot())
        #expect(abs(deviation - 0.1) < 0.004)
        #expect(try noise.apply(flat, seed: 5).image.scalars == output.image.scalars)
        #expect(try noise.apply(flat, seed: 6).image.scalars != output.image.scalars)

        let clamped = try GaussianNoise(standardDeviation: 1, clampsToUnitRange: true).apply(flat, seed: 5).image.scalars
        #expect(clamped.allSatisfy { (0...1).contains($0) })
        #expect(clamped.contains(0) && clamped.contains(1))

        // Relative: 0.1 × the image's own standard deviation (here 0.25 exactly: ±0.25 checkerboard).
        let checker = DatasetSample(image: try image([1, 64, 64]) { $0 % 2 == 0 ? 0.25 : 0.75 }, label: 0, name: "checker")
        let relative = try GaussianNoise(.relativeToImageStandardDeviation(0.1)).apply(checker, seed: 9)
        let base = checker.image.scalars
        let added = zip(relative.image.scalars, base).map { Double($0) - Double($1) }
        let addedDeviation = (added.map { $0 * $0 }.reduce(0, +) / Double(added.count)).squareRoot()
        let imageDeviation = (Double(base.count) / Double(base.count - 1)).squareRoot() * 0.25
        #expect(abs(addedDeviation - 0.1 * imageDeviation) < 0.002)
    }

    @Test("RandomApply, RandomChoice and Compose draw from one generator deterministically")
    func combinators() throws {
        let sample = try rampSample()
        let mvtecNoise = try RandomApply(try GaussianNoise(.relativeToImageStandardDeviation(0.1), clampsToUnitRange: true), p: 0.5)
        var applied = 0
        for seed in UInt64(0)..<400 where try mvtecNoise.apply(sample, seed: seed).image.scalars != sample.image.scalars {
            applied += 1
        }
        #expect((160...240).contains(applied), "applied \(applied) of 400")

        let choice = try RandomChoice(try RandomCrop(size: 4), try Resize(height: 4, width: 4, interpolation: .nearestExact))
        let resized = try Resize(height: 4, width: 4, interpolation: .nearestExact).apply(sample, seed: 0).image.scalars
        var picks = Set<Bool>()
        for seed in UInt64(0)..<40 {
            let output = try choice.apply(sample, seed: seed)
            #expect(output.image.shape == [3, 4, 4] && output.mask?.shape == [1, 4, 4])
            picks.insert(output.image.scalars == resized)
        }
        #expect(picks == [true, false])

        let pipeline = Compose(
            try RandomCrop(size: 5, padding: 2), try RandomHorizontalFlip(),
            try ColorJitter(brightness: 0.04, contrast: 0.04, saturation: 0.04, hue: 0.04),
            try GaussianNoise(standardDeviation: 0.001), LocalContrastNormalization(),
            try MinMaxScaling(minimum: [-1.3, -1.2, -1.1], maximum: [12.5, 12.6, 12.7]))
        let a = try pipeline.apply(sample, seed: 42)
        #expect(a.image.shape == [3, 5, 5] && a.mask?.shape == [1, 5, 5] && a.label == 1 && a.name == "ramp")
        #expect(try pipeline.apply(sample, seed: 42).image.scalars == a.image.scalars)
        #expect(try pipeline.apply(sample, seed: 43).image.scalars != a.image.scalars)
    }
}

// MARK: - Errors

@Suite("Transform errors name what was expected and found")
struct TransformErrorTests {
    private func twoChannels() throws -> DatasetSample {
        DatasetSample(image: Tensor(shape: [2, 5, 7], repeating: 0.5), label: 0, name: "two[0]")
    }

    @Test("wrong channel counts")
    func channels() throws {
        let error = caughtError { try ColorJitter(brightness: 0.1).apply(try twoChannels(), seed: 0) }
        #expect(error == .transformInputMismatch(transform: "ColorJitter", sample: "two[0]", expected: "an image with 1 or 3 channels", found: [2, 5, 7]))
        #expect(error?.description == "two[0]: ColorJitter expected an image with 1 or 3 channels, found shape [2, 5, 7]")
        #expect(caughtError { try Grayscale().apply(try twoChannels(), seed: 0) }?.caseName == "transformInputMismatch")
        #expect(caughtError { try ColorAdjustment.adjustHue(Tensor(shape: [4, 2, 2], repeating: 0), shift: 0) }?.caseName == "transformInputMismatch")
        let normalize = caughtError { try Normalize.imageNet.apply(try twoChannels(), seed: 0) }
        #expect(normalize == .transformInputMismatch(transform: "Normalize", sample: "two[0]", expected: "an image with 3 channels", found: [2, 5, 7]))
        let minMax = caughtError { try MinMaxScaling(minimum: [0, 0, 0], maximum: [1, 2, 3]).apply(try twoChannels(), seed: 0) }
        #expect(minMax?.description.contains("MinMaxScaling expected an image with 3 channels") == true)
    }

    @Test("crop larger than the image, mask of another size, image of the wrong rank")
    func shapes() throws {
        let sample = try rampSample()
        let crop = caughtError { try RandomCrop(size: 8, padding: 0).apply(sample, seed: 0) }
        #expect(crop?.caseName == "transformInputMismatch")
        #expect(crop?.description.contains("at least 8×8 pixels after padding") == true)
        #expect(crop?.description.contains("found shape [3, 5, 7]") == true)
        #expect(caughtError { try RandomCrop(size: 8, padding: 2).apply(sample, seed: 0) } == nil)

        var wrongMask = sample
        wrongMask.mask = Tensor(shape: [1, 4, 7], repeating: 0)
        let mask = caughtError { try RandomHorizontalFlip().apply(wrongMask, seed: 0) }
        #expect(
            mask
                == .transformInputMismatch(
                    transform: "RandomHorizontalFlip", sample: "ramp", expected: "a mask of the image's size [1, 5, 7]", found: [1, 4, 7]))

        let flat = DatasetSample(image: Tensor(shape: [5, 7], repeating: 0), label: 0, name: "flat")
        let rank = caughtError { try Resize(shorterSide: 3).apply(flat, seed: 0) }
        #expect(rank == .transformInputMismatch(transform: "Resize", sample: "flat", expected: "a non-empty image of rank 3 [C, H, W]", found: [5, 7]))
    }

    @Test("invalid parameters")
    func parameters() throws {
        let cases: [(String, () throws -> Any)] = [
            ("RandomHorizontalFlip", { try RandomHorizontalFlip(p: 1.5) }),
            ("RandomApply", { try RandomApply(LocalContrastNormalization(), p: -0.1) }),
            ("ColorJitter", { try ColorJitter(hue: 0.6) }),
            ("ColorJitter", { try ColorJitter(brightness: -1) }),
            ("ColorJitter", { try ColorJitter(brightnessRange: -0.5...1, contrastRange: nil, saturationRange: nil, hueRange: nil) }),
            ("Resize", { try Resize(height: 0, width: 4) }),
            ("Resize", { try Resize(shorterSide: 0) }),
            ("CenterCrop", { try CenterCrop(size: 0) }),
            ("RandomCrop", { try RandomCrop(height: 4, width: 4, padding: Padding2D(top: -1, bottom: 0, left: 0, right: 0)) }),
            ("GaussianNoise", { try GaussianNoise(standardDeviation: -0.1) }),
            ("Normalize", { try Normalize(mean: [0.5, 0.5], standardDeviation: [0.1, 0.2, 0.3] as [Float]) }),
            ("Normalize", { try Normalize(mean: [0.5] as [Float], standardDeviation: [0]) }),
            ("MinMaxScaling", { try MinMaxScaling(minimum: [1], maximum: [0]) }),
            ("MinMaxScaling", { try MinMaxScaling(minimum: [0, 0], maximum: [1, 1, 1]) }),
            ("RandomChoice", { try RandomChoice([]) }),
            ("adjustBrightness", { try ColorAdjustment.adjustBrightness(Tensor(shape: [1, 2, 2], repeating: 0), factor: -1) }),
            ("adjustHue", { try ColorAdjustment.adjustHue(Tensor(shape: [3, 2, 2], repeating: 0), shift: 0.75) }),
        ]
        for (transform, body) in cases {
            let error = caughtError(body)
            guard case let .invalidTransformParameter(name, _, expected, found)? = error else {
                Issue.record("\(transform): expected invalidTransformParameter, got \(String(describing: error))")
                continue
            }
            #expect(name == transform)
            #expect(!expected.isEmpty && !found.isEmpty)
        }
    }
}
