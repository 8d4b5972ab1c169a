// swift-format-ignore-file: AlwaysUseLowerCamelCase

// Fixture fields keep the snake_case keys of the JSON that the reference scripts write.
import Explain
import FixtureSupport
import Foundation
import NN
import TensorCore
import Testing

// The references in Fixtures/upsampling.json, written by Scripts/make_upsampling_fixtures.py
// (NumPy / SciPy / PyTorch re-implementations of the official gkern, receptive_upsample,
// __local_norm / __global_norm, get_grad_heatmap and kornia's gaussian_blur2d), and a
// finite-difference check shared by the map tests.

// MARK: - Fixture file

struct MapsGkernCase: Decodable, Sendable {
    let name: String
    let size: Int
    let sigma: Double?
    let window: [Double]
    let kernel: FixtureTensor
}

struct MapsLayer: Decodable, Sendable {
    let kind: String
    let kernel: [Int]
    let stride: [Int]
    let padding: [Int]
    let dilation: [Int]

    /// The layer as a module (one channel in and out), for its geometry rule.
    func layer() throws -> any Module {
        let padding = try size2D(padding)
        switch kind {
        case "conv":
            var generator = SeededGenerator(seed: 0)
            return Conv2d(
                1, 1, kernelSize: try size2D(kernel), stride: try size2D(stride),
                padding: Padding2D(height: padding.height, width: padding.width), dilation: try size2D(dilation),
                using: &generator)
        case "maxpool":
            return MaxPool2d(kernelSize: try size2D(kernel), stride: try size2D(stride), padding: padding, dilation: try size2D(dilation))
        default:
            throw FixtureError("unknown layer kind \(kind)")
        }
    }
}

struct MapsReceptiveFieldCase: Decodable, Sendable {
    let name: String
    let input: [Int]
    let layers: [MapsLayer]
    let size: [Int]
    let jump: [Int]
    let shift: [Double]
    let output: [Int]
}

struct MapsUpsamplingCase: Decodable, Sendable {
    let name: String
    let input: [Int]
    let size: [Int]
    let jump: [Int]
    let shift: [Double]
    let sigma: Double
    let reference_path: Bool
    let maps: FixtureTensor
    let expected: FixtureTensor
}

struct MapsGainCase: Decodable, Sendable {
    let name: String
    let input: [Int]
    let size: [Int]
    let jump: [Int]
    let shift: [Double]
    let sigma: Double
    let map: [Int]
    let mean: Double
}

struct MapsNormalizationCase: Decodable, Sendable {
    let name: String
    let mode: String
    let quantile: Double
    let maps: FixtureTensor
    let reference: FixtureTensor?
    let expected: FixtureTensor
}

struct MapsQuirkCase: Decodable, Sendable {
    let name: String
    let quantile: Double
    let sigma: Double
    let input: [Int]
    let size: [Int]
    let jump: [Int]
    let shift: [Double]
    let low_resolution: FixtureTensor
    let labels: [Int]
    let reference_indices: [Int]
    let picture_indices: [Int]
    let quirk: FixtureTensor
    let consistent: FixtureTensor
    let local: FixtureTensor
}

struct MapsBlurCase: Decodable, Sendable {
    let name: String
    let kernel_size: Int
    let sigma: Double?
    let padding: String
    let weights: [Double]
    let maps: FixtureTensor
    let expected: FixtureTensor
}

struct MapsBlurredHeatmaps: Decodable, Sendable {
    let kernel_size: Int
    let sigma: Double
    let padding: String
    let expected: FixtureTensor
}

struct MapsGradientCase: Decodable, Sendable {
    let name: String
    let weights: [String: FixtureTensor]
    let inputs: FixtureTensor
    let scores: FixtureTensor
    let heatmaps: FixtureTensor
    let blurred: [MapsBlurredHeatmaps]
}

struct MapsFixtureFile: Decodable, Sendable {
    let version: Int
    let gkern: [MapsGkernCase]
    let receptive_fields: [MapsReceptiveFieldCase]
    let upsampling: [MapsUpsamplingCase]
    let gains: [MapsGainCase]
    let normalization: [MapsNormalizationCase]
    let quirk: [MapsQuirkCase]
    let blur: [MapsBlurCase]
    let gradient: [MapsGradientCase]
}

enum MapsFixtures: SectionedFixtures {
    static let sections = FixtureSections<MapsFixtureFile>(resource: "upsampling", generator: "Scripts/make_upsampling_fixtures.py", bundle: .module)

    /// The up-sampler of FCDD_CNN28's maps (layers from the fixture) to 28×28 with σ 1.2.
    static func cnn28Upsampler() throws -> ReceptiveFieldUpsampler {
        let layers = try lookup(\.receptive_fields, \.name, "FCDD_CNN28").layers.map { try $0.layer() }
        return try ReceptiveFieldUpsampler(net: Sequential(layers), inputSize: 28, sigma: 1.2)
    }

    /// The receptive field a case describes.
    static func field(size: [Int], jump: [Int], shift: [Double]) throws -> ReceptiveField {
        guard shift.count == 2 else { throw FixtureError("a shift needs two values, found \(shift)") }
        return ReceptiveField(size: try size2D(size), jump: try size2D(jump), shift: .init(shift[0], shift[1]))
    }
}

/// `[height, width]` as a `Size2D`.
func size2D(_ values: [Int]) throws -> Size2D {
    guard values.count == 2 else { throw FixtureError("expected [height, width], found \(values)") }
    return Size2D(values[0], values[1])
}

/// Records an issue listing the first mismatches of `actual` against `expected`.
func expectMapsClose(
    _ actual: Tensor, _ expected: FixtureTensor, _ tolerance: FixtureTolerance, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let mismatches = tolerance.mismatches(actual, expected)
    let count = mismatches.count
    #expect(
        count == 0, "\(what) (\(tolerance)): \(count) mismatches; first: \(mismatches.prefix(4).joined(separator: "; "))",
        sourceLocation: sourceLocation)
}

// MARK: - Finite differences

/// Checks the recorded gradient of `sum(function(x) · R)` (R a fixed random projection)
/// against central differences in double precision over the float32 forward pass, for
/// every element of `input`.
func expectMapsGradientMatchesFiniteDifferences(
    _ label: String, _ input: Tensor, eps: Float = 1e-2, rtol: Double = 2e-3, atol: Double = 2e-4,
    seed: UInt64 = 0x5EED, sourceLocation: SourceLocation = #_sourceLocation, _ function: (Tensor) throws -> Tensor
) throws {
    let leaf = input.detached().trackingGradients()
    let output = try function(leaf)
    var generator = SeededGenerator(seed: seed)
    let projection = Tensor.randomNormal(shape: output.shape, using: &generator)
    let weights = projection.scalars.map(Double.init)
    let analytic = (output * projection).sum().gradient(wrt: leaf).scalars
    #expect(analytic.count == input.scalarCount, "\(label): gradient size", sourceLocation: sourceLocation)

    func projected(_ values: [Float]) throws -> Double {
        let y = try withoutGradients { try function(Tensor(shape: input.shape, scalars: values)) }.scalars
        return zip(y, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
    }
    var values = input.scalars
    var failures: [String] = []
    for index in values.indices {
        let original = values[index]
        values[index] = original + eps
        let plus = try projected(values)
        values[index] = original - eps
        let minus = try projected(values)
        values[index] = original
        let numeric = (plus - minus) / (Double(original + eps) - Double(original - eps))
        let exact = Double(analytic[index])
        if !(Swift.abs(exact - numeric) <= atol + rtol * Swift.abs(numeric)) {
            failures.append("element \(index): analytic \(exact), numeric \(numeric)")
        }
    }
    let count = failures.count
    #expect(
        count == 0, "\(label): \(count) of \(values.count) elements differ; \(failures.prefix(3).joined(separator: "; "))",
        sourceLocation: sourceLocation)
}
