import TensorCore

/// Spatial upsampling or downsampling of `[N, C, H, W]` to a fixed size or by an integer
/// factor (PyTorch's `nn.Upsample`, `align_corners=False` for bilinear).
public final class Upsample: SpatialModule {
    /// How the output size is chosen.
    public enum Target: Sendable, Equatable {
        /// A fixed output height and width.
        case size(Size2D)
        /// Multiply height and width by a positive integer factor.
        case scaleFactor(Int)
    }

    public var isTraining = true
    /// The output size or scale factor.
    public let target: Target
    /// Nearest or bilinear interpolation.
    public let mode: InterpolationMode

    /// An upsampling layer.
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for a non-positive size or factor.
    public init(_ target: Target, mode: InterpolationMode = .nearest) {
        let isPositive =
            switch target {
            case let .size(size): size.height >= 1 && size.width >= 1
            case let .scaleFactor(factor): factor >= 1
            }
        guard isPositive else {
            TensorError.invalidArgument(op: "Upsample", message: "expected a positive size or scale factor, found \(target)").trap()
        }
        self.target = target
        self.mode = mode
    }

    public var settingsDescription: String {
        let modeName = mode == .nearest ? "nearest" : "bilinear"
        switch target {
        case let .size(size): return "size=\(size), mode='\(modeName)'"
        case let .scaleFactor(factor): return "scale_factor=\(factor).0, mode='\(modeName)'"
        }
    }

    /// Resizes `[N, C, H, W]`.
    public func forward(_ input: Tensor) -> Tensor {
        guard input.rank == 4 else {
            TensorError.shapeMismatch(op: "Upsample", expected: "an input [N, C, H, W]", found: [input.shape]).trap()
        }
        switch target {
        case let .size(size):
            return input.resized(to: size, mode: mode)
        case let .scaleFactor(factor):
            return input.resized(to: Size2D(input.shape[2] * factor, input.shape[3] * factor), mode: mode)
        }
    }
}

extension Upsample {
    /// The upsampling rule of ``ReceptiveField/upsampled(by:mode:)``; a target size must be a
    /// whole multiple of the input size.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        switch target {
        case let .size(size):
            try input.upsampled(to: size, mode: mode)
        case let .scaleFactor(factor):
            try input.upsampled(to: Size2D(input.size.height * factor, input.size.width * factor), mode: mode)
        }
    }
}
