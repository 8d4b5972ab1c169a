import NN
import TensorCore

/// How low-resolution anomaly maps are brought to the input resolution.
///
/// The reference uses the receptive-field Gaussian for FCDD heatmaps, the training loss
/// with ground-truth maps and the pixel-level AUC (`receptive_upsample` in
/// `models/bases.py`, called from `training/fcdd.py` and `training/bases.py` of the
/// official code), and falls back to nearest-neighbour interpolation only when a net has no
/// receptive-field information. Nearest and bilinear interpolation are offered for
/// comparison.
public enum HeatmapUpsampling: Sendable, Equatable, CustomStringConvertible {
    /// The reference's up-sampling with `gkern(r, σ)` over each pixel's receptive field
    /// (``ReceptiveFieldUpsampler``); σ per benchmark in the FCDD module's `FCDDHeatmapPreset.gaussianSigma`.
    case receptiveFieldGaussian(sigma: Double)
    /// PyTorch's `interpolate(mode='nearest')`: output pixel i reads input ⌊i·h/H⌋.
    case nearest
    /// PyTorch's `interpolate(mode='bilinear', align_corners=False)`.
    case bilinear

    /// Up-samples `maps` to `inputSize`.
    ///
    /// - Parameters:
    ///   - maps: `[N, 1, h, w]` or `[N, h, w]` (`[N, C, h, w]` channel by channel).
    ///   - inputSize: The size to up-sample to.
    ///   - receptiveField: The field of the maps' pixels; required by
    ///     ``receptiveFieldGaussian(sigma:)``, ignored otherwise.
    /// - Returns: The maps at `inputSize`, in the input's layout; differentiable.
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for the Gaussian
    ///   without a receptive field (the reference would silently fall back to nearest; ask
    ///   for ``nearest`` to get that), and the errors of the chosen method.
    public func upsample(_ maps: Tensor, to inputSize: Size2D, receptiveField: ReceptiveField?) throws(ExplainError) -> Tensor {
        let operation = "HeatmapUpsampling.upsample"
        switch self {
        case let .receptiveFieldGaussian(sigma):
            guard let receptiveField else {
                throw .invalidArgument(
                    operation: operation,
                    message: "the receptive-field Gaussian needs the maps' receptive field; none was given")
            }
            let upsampler = try ReceptiveFieldUpsampler(receptiveField: receptiveField, inputSize: inputSize, sigma: sigma)
            return try upsampler.upsample(maps)
        case .nearest, .bilinear:
            let mode: InterpolationMode = self == .nearest ? .nearest : .bilinear
            guard maps.rank == 3 || maps.rank == 4 else {
                throw .shapeMismatch(operation: operation, expected: "maps [N, 1, h, w] or [N, h, w]", found: [maps.shape])
            }
            if maps.rank == 4 { return maps.resized(to: inputSize, mode: mode) }
            return maps.unsqueezed(axis: 1).resized(to: inputSize, mode: mode).squeezed(axis: 1)
        }
    }

    /// A short, readable summary.
    public var description: String {
        switch self {
        case let .receptiveFieldGaussian(sigma): "receptive-field Gaussian (σ \(sigma))"
        case .nearest: "nearest"
        case .bilinear: "bilinear"
        }
    }
}
