import Foundation
import TensorCore

/// A Gaussian blur of maps, as the reference applies to its baseline heatmaps with
/// `--blur-heatmaps` (kornia's `gaussian_blur2d`, called in
/// `BaseADTrainer._image_processing` of the official `training/bases.py`).
///
/// The 1-D weights are kornia's: `x = n − ⌊k/2⌋` for `n = 0..<k`, `exp(−x²/(2σ²))`,
/// normalised to sum 1 (unlike ``FCDDGaussianKernel``, which is not normalised). The 2-D
/// filter is their outer product, applied as two 1-D passes. The kernel size is odd, so
/// the output has the input's size.
///
/// Border: kornia's default, and so the reference's, is `reflect` (PyTorch's reflect
/// padding, the edge pixel not repeated); ``Border/zero`` pads with zeros instead.
/// The reference's blur for a baseline uses the receptive-field size r of the matching
/// FCDD net (r − 1 when r is even) and σ = `--gauss-std`, or
/// ``FCDDGaussianKernel/defaultSigma(kernelSize:)`` of that size when none is set; see
/// ``reference(receptiveFieldSize:sigma:)``.
///
/// Built from TensorCore operations, so it is differentiable.
public struct GaussianBlur: Sendable, Equatable, CustomStringConvertible {
    /// How the border is extended.
    public enum Border: String, Sendable, Equatable {
        /// Zeros outside the map.
        case zero
        /// The mirror image without repeating the edge (kornia's default, the reference's).
        case reflect
    }

    /// The kernel size (odd).
    public let kernelSize: Int
    /// The standard deviation of the Gaussian, in pixels.
    public let sigma: Double
    /// How the border is extended.
    public let border: Border

    /// A blur with an odd `kernelSize` and a positive `sigma`.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for an even or
    ///   non-positive size, or a σ that is not positive and finite.
    public init(kernelSize: Int, sigma: Double, border: Border = .reflect) throws(ExplainError) {
        guard kernelSize >= 1, kernelSize % 2 == 1 else {
            throw .invalidArgument(operation: "GaussianBlur", message: "expected an odd kernel size ≥ 1, found \(kernelSize)")
        }
        guard sigma > 0, sigma.isFinite else {
            throw .invalidArgument(operation: "GaussianBlur", message: "expected a positive, finite σ, found \(sigma)")
        }
        self.kernelSize = kernelSize
        self.sigma = sigma
        self.border = border
    }

    /// The reference's baseline blur for a net with receptive-field size `receptiveFieldSize`:
    /// kernel size r, made odd by subtracting 1, and σ = `sigma`, or
    /// ``FCDDGaussianKernel/defaultSigma(kernelSize:)`` of the odd size when `sigma` is nil;
    /// reflect border.
    ///
    /// - Throws: The errors of ``init(kernelSize:sigma:border:)`` (r below 1).
    public static func reference(receptiveFieldSize: Int, sigma: Double?) throws(ExplainError) -> GaussianBlur {
        let size = receptiveFieldSize % 2 == 0 ? receptiveFieldSize - 1 : receptiveFieldSize
        return try GaussianBlur(kernelSize: size, sigma: sigma ?? FCDDGaussianKernel.defaultSigma(kernelSize: size), border: .reflect)
    }

    /// The normalised 1-D weights (sum 1).
    public var weights: [Float] {
        let half = kernelSize / 2
        let values = (0..<kernelSize).map { n -> Double in
            let x = Double(n - half)
            return exp(-(x * x) / (2 * sigma * sigma))
        }
        let total = values.reduce(0, +)
        return values.map { Float($0 / total) }
    }

    /// Blurs every channel of every map.
    ///
    /// - Parameter maps: `[N, C, H, W]` or `[N, H, W]`.
    /// - Returns: The blurred maps, same shape; recorded for differentiation when `maps`
    ///   tracks gradients.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for another rank
    ///   or an empty map, ``ExplainError/invalidArgument(operation:message:)`` when a
    ///   reflect border is not smaller than the map (`⌊k/2⌋ ≥ H` or `≥ W`, as in PyTorch).
    public func apply(_ maps: Tensor) throws(ExplainError) -> Tensor {
        let operation = "GaussianBlur.apply"
        guard maps.rank == 3 || maps.rank == 4, maps.shape.allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch(operation: operation, expected: "non-empty maps [N, C, H, W] or [N, H, W]", found: [maps.shape])
        }
        let (height, width) = (maps.shape[maps.rank - 2], maps.shape[maps.rank - 1])
        let half = kernelSize / 2
        if border == .reflect, half >= height || half >= width {
            throw .invalidArgument(
                operation: operation,
                message: "a reflect border of \(half) needs maps larger than \(half)×\(half), found \(height)×\(width)")
        }
        let planes = maps.scalarCount / (height * width)
        let weights = Tensor(self.weights)
        let mode: PaddingMode = border == .reflect ? .reflect : .zero
        let size = kernelSize
        let flat = maps.reshaped(to: [planes, 1, height, width])
        let padded = flat.padded([(0, 0), (0, 0), (half, half), (half, half)], mode: mode)
        let vertical = Tensor.conv2d(padded, weight: weights.reshaped(to: [1, 1, size, 1]))
        let blurred = Tensor.conv2d(vertical, weight: weights.reshaped(to: [1, 1, 1, size]))
        return blurred.reshaped(to: maps.shape)
    }

    /// A short, readable summary.
    public var description: String { "GaussianBlur(kernel \(kernelSize), σ \(sigma), \(border.rawValue) border)" }
}
