import Foundation
import Testing

@testable import TensorCore

/// The float error of each Winograd tile on every Winograd layer of the FCDD nets, against a
/// float64 reference of the forward pass, the input gradient and the weight gradient, and the
/// bound that ``ConvolutionAlgorithm/winograd`` states for the tile each layer runs on.
///
/// Errors are the largest difference at sampled elements relative to the result's largest
/// magnitude, over two kinds of operands: seeded values in [-1, 1] and the same with the
/// input in [0, 1] (activations after ReLU and pooling, whose non-zero mean the transforms
/// cancel less well). `FCDD_WINOGRAD_ERROR_TABLE=1` prints one line per layer and tile.
@Suite struct WinogradAccuracyTests {
    /// One Winograd layer of the FCDD nets: its net and the shape of its input.
    struct Layer: CustomTestStringConvertible, Sendable {
        let net: String
        let batch, inputs, outputs, kernel, size: Int

        var testDescription: String { "\(net) \(inputs)→\(outputs) k\(kernel) on \(size)²" }

        var geometry: ConvolutionGeometry {
            ConvolutionGeometry.stride1(
                batch: batch, inputs: inputs, outputs: outputs, height: size, width: size,
                kernel: Size2D(kernel, kernel), padding: Padding2D(height: kernel / 2, width: kernel / 2))
        }
    }

    /// Every 3×3 and 5×5 layer of the FCDD nets with at least 16 channels on both sides (the
    /// ones Winograd takes), batches of two (one for the VGG layers); the VGG's second layer
    /// at 56² in debug builds, whose unoptimised transforms would take seconds at 112².
    static let layers: [Layer] = [
        Layer(net: "CNN28_W", batch: 2, inputs: 128, outputs: 128, kernel: 5, size: 14),
        Layer(net: "CNN32", batch: 2, inputs: 32, outputs: 64, kernel: 5, size: 16),
        Layer(net: "CNN32", batch: 2, inputs: 64, outputs: 128, kernel: 5, size: 8),
        Layer(net: "CNN32_S", batch: 2, inputs: 32, outputs: 64, kernel: 3, size: 16),
        Layer(net: "CNN32_S", batch: 2, inputs: 64, outputs: 128, kernel: 3, size: 8),
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 128, outputs: 256, kernel: 3, size: 16),
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 256, outputs: 256, kernel: 3, size: 16),
        Layer(net: "CNN32_LW3K", batch: 2, inputs: 256, outputs: 128, kernel: 3, size: 8),
        Layer(net: "VGG", batch: 1, inputs: 64, outputs: 128, kernel: 3, size: ConvolutionAlgorithmTests.vggSecondLayerSize),
        Layer(net: "VGG", batch: 1, inputs: 128, outputs: 256, kernel: 3, size: 56),
        Layer(net: "VGG", batch: 1, inputs: 256, outputs: 256, kernel: 3, size: 56),
        Layer(net: "VGG", batch: 1, inputs: 256, outputs: 512, kernel: 3, size: 28),
        Layer(net: "VGG", batch: 1, inputs: 512, outputs: 512, kernel: 3, size: 28),
    ]

    /// The bounds ``ConvolutionAlgorithm/winograd`` states for the tiles that ship, relative to
    /// the largest magnitude of each result, for 3×3 and 5×5 kernels (measured: up to 2.8e-6
    /// and 4.9e-6 on an AMD EPYC with AVX-512; see the documentation).
    static func shippedBound(kernel: Int) -> Double { kernel == 3 ? 4e-6 : 6e-6 }

    /// The tiles the table measures: the ones the library chooses from, and F(4×4, r×r) on
    /// other interpolation points than the library's 0, ±1, 2, −½ (and ½, −2 for 5×5).
    static let measuredTiles =
        WinogradTile.candidates + [
            WinogradTile(outputTile: 4, kernel: 3, points: [0, 1, -1, 0.5, -0.5]),
            WinogradTile(outputTile: 4, kernel: 3, points: [0, 1, -1, 2, -2]),
            WinogradTile(outputTile: 4, kernel: 5, points: [0, 1, -1, 0.5, -0.5, 0.25, -4]),
        ]

    /// Largest relative errors of the forward pass, the input gradient and the weight gradient
    /// of `tile` on `geometry` over both kinds of operands.
    static func errors(_ tile: WinogradTile, on geometry: ConvolutionGeometry) -> [Double] {
        largestErrors(on: geometry) { operands in
            let run = WinogradRun(geometry, tile: tile, operands: operands)
            return (run.output, run.inputGradient, run.weightGradient)
        }
    }

    /// The lowering's errors on the same operands, for comparison.
    static func loweringErrors(on geometry: ConvolutionGeometry) -> [Double] {
        largestErrors(on: geometry) { operands in
            let run = ConvolutionRun(geometry, operands: operands, bias: true, algorithm: .lowering)
            return (run.output, run.inputGradient, run.weightGradient)
        }
    }

    /// The largest relative errors of what `compute` gives (output, input gradient, weight
    /// gradient) over the signed and the non-negative operands of `geometry`.
    static func largestErrors(
        on geometry: ConvolutionGeometry, _ compute: (ConvolutionOperands) -> ([Float], [Float], [Float])
    ) -> [Double] {
        let signed = ConvolutionOperands(geometry)
        let nonNegative = ConvolutionOperands(
            input: signed.input.map { ($0 + 1) / 2 }, weight: signed.weight, bias: signed.bias,
            outputGradient: signed.outputGradient)
        return [signed, nonNegative].map { operands in
            let (output, inputGradient, weightGradient) = compute(operands)
            let reference = Float64Convolution(geometry, operands: operands)
            return [
                relativeError(output, sampled: reference.output),
                relativeError(inputGradient, sampled: reference.inputGradient),
                relativeError(weightGradient, sampled: reference.weightGradient),
            ]
        }.reduce([0, 0, 0]) { zip($0, $1).map(Swift.max) }
    }

    /// The largest difference at the sampled elements relative to the largest magnitude of `values`.
    static func relativeError(_ values: [Float], sampled: (Int) -> Double) -> Double {
        let count = values.count
        let step = Swift.max(1, count / 1500)
        var largest = 0.0
        for index in Swift.stride(from: 0, to: count, by: step) {
            largest = Swift.max(largest, Swift.abs(Double(values[index]) - sampled(index)))
        }
        return largest / Double(maxMagnitude(values))
    }

    @Test(arguments: layers)
    func shippedTilesStayWithinTheStatedBound(layer: Layer) throws {
        let geometry = layer.geometry
        let forward = try #require(geometry.winogradTile(under: .automatic, for: .forward))
        let gradients = try #require(geometry.winogradTile(under: .automatic, for: .gradients))
        #expect(geometry.winogradTile(under: .winograd, for: .forward) == forward)
        #expect(geometry.winogradTile(under: .winograd, for: .gradients) == gradients)
        #expect(forward.outputTile == (layer.size <= 8 ? 2 : 4) && gradients.outputTile == 4)
        let table = ProcessInfo.processInfo.environment["FCDD_WINOGRAD_ERROR_TABLE"] == "1"
        var measured: [WinogradTile: [Double]] = [:]
        for tile in table ? Self.measuredTiles.filter({ $0.kernel == layer.kernel }) : Array(Set([forward, gradients])) {
            let errors = Self.errors(tile, on: geometry)
            measured[tile] = errors
            if table {
                print(
                    "winograd-error layer=\"\(layer.testDescription)\" tile=\"\(tile)\""
                        + " forward=\(String(format: "%.2e", errors[0])) input_gradient=\(String(format: "%.2e", errors[1]))"
                        + " weight_gradient=\(String(format: "%.2e", errors[2]))")
            }
        }
        let shipped = try [#require(measured[forward])[0], #require(measured[gradients])[1], #require(measured[gradients])[2]]
        let bound = Self.shippedBound(kernel: layer.kernel)
        #expect(shipped.allSatisfy { $0 <= bound }, "forward (\(forward)), input and weight gradient (\(gradients)): \(shipped)")
        if table {
            let lowering = Self.loweringErrors(on: geometry)
            print(
                "winograd-error layer=\"\(layer.testDescription)\" tile=\"lowering\""
                    + " forward=\(String(format: "%.2e", lowering[0])) input_gradient=\(String(format: "%.2e", lowering[1]))"
                    + " weight_gradient=\(String(format: "%.2e", lowering[2]))")
        }
    }
}

/// One element at a time, in double: the convolution (with bias), its input gradient and its
/// weight gradient of a stride-1, undilated, ungrouped convolution with symmetric padding.
private struct Float64Convolution {
    let geometry: ConvolutionGeometry
    let operands: ConvolutionOperands

    init(_ geometry: ConvolutionGeometry, operands: ConvolutionOperands) {
        self.geometry = geometry
        self.operands = operands
    }

    private var shape: (n: Int, ci: Int, co: Int, h: Int, w: Int, k: Int, p: Int) {
        (
            geometry.batch, geometry.inputChannels, geometry.outputChannels, geometry.height, geometry.width,
            geometry.kernel.height, geometry.padding.top
        )
    }

    /// y[n][co][y][x] at flat index `index`.
    func output(_ index: Int) -> Double {
        let (_, ci, co, h, w, k, p) = shape
        let (x, y, channel, image) = (index % w, index / w % h, index / (w * h) % co, index / (w * h * co))
        var sum = Double(operands.bias[channel])
        for c in 0..<ci {
            for i in 0..<k where (0..<h).contains(y + i - p) {
                for j in 0..<k where (0..<w).contains(x + j - p) {
                    sum +=
                        Double(operands.input[((image * ci + c) * h + y + i - p) * w + x + j - p])
                        * Double(operands.weight[((channel * ci + c) * k + i) * k + j])
                }
            }
        }
        return sum
    }

    /// dx[n][ci][y][x] at flat index `index`.
    func inputGradient(_ index: Int) -> Double {
        let (_, ci, co, h, w, k, p) = shape
        let (x, y, channel, image) = (index % w, index / w % h, index / (w * h) % ci, index / (w * h * ci))
        var sum = 0.0
        for c in 0..<co {
            for i in 0..<k where (0..<h).contains(y - i + p) {
                for j in 0..<k where (0..<w).contains(x - j + p) {
                    sum +=
                        Double(operands.outputGradient[((image * co + c) * h + y - i + p) * w + x - j + p])
                        * Double(operands.weight[((c * ci + channel) * k + i) * k + j])
                }
            }
        }
        return sum
    }

    /// dw[co][ci][i][j] at flat index `index`.
    func weightGradient(_ index: Int) -> Double {
        let (n, ci, co, h, w, k, p) = shape
        let (j, i, input, output) = (index % k, index / k % k, index / (k * k) % ci, index / (k * k * ci))
        var sum = 0.0
        for image in 0..<n {
            for y in 0..<h where (0..<h).contains(y + i - p) {
                for x in 0..<w where (0..<w).contains(x + j - p) {
                    sum +=
                        Double(operands.outputGradient[((image * co + output) * h + y) * w + x])
                        * Double(operands.input[((image * ci + input) * h + y + i - p) * w + x + j - p])
                }
            }
        }
        return sum
    }
}
