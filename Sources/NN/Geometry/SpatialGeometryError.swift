import TensorCore

/// Why a net's ``SpatialGeometry`` cannot be computed. Each case names the offending module
/// by its dotted path in the net (`""` for the net itself), as parameters are named.
public enum SpatialGeometryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A module on the path from input to output does not conform to ``SpatialModule``, so
    /// its effect on the receptive field is unknown.
    case notSpatial(path: String, type: String)
    /// The input is smaller than a layer's window (after padding).
    case inputTooSmall(path: String, layer: String, input: Size2D)
    /// An upsampling whose factor is not whole, or that would put the map's pixels less
    /// than one input pixel apart.
    case unsupportedScale(path: String, reason: String)
    /// Two branches that are added together produce maps of different sizes or jumps.
    case branchMismatch(path: String, first: SpatialGeometry, second: SpatialGeometry)

    /// The dotted path of the module the error is about.
    public var path: String {
        switch self {
        case let .notSpatial(path, _), let .inputTooSmall(path, _, _), let .unsupportedScale(path, _),
            let .branchMismatch(path, _, _):
            path
        }
    }

    /// The same error seen from the module that contains the failing one as `name`.
    public func inside(_ name: String) -> SpatialGeometryError {
        func join(_ path: String) -> String { name.isEmpty ? path : path.isEmpty ? name : name + "." + path }
        return switch self {
        case let .notSpatial(path, type): .notSpatial(path: join(path), type: type)
        case let .inputTooSmall(path, layer, input): .inputTooSmall(path: join(path), layer: layer, input: input)
        case let .unsupportedScale(path, reason): .unsupportedScale(path: join(path), reason: reason)
        case let .branchMismatch(path, first, second): .branchMismatch(path: join(path), first: first, second: second)
        }
    }

    public var description: String {
        let place = path.isEmpty ? "the net" : "module \(path)"
        switch self {
        case let .notSpatial(_, type):
            return "\(place) (\(type)) does not state its receptive field: expected a SpatialModule (convolution, pooling, upsampling, "
                + "activation, normalisation, identity, residual block, or a net conforming to SpatialChain), found a module that does not conform"
        case let .inputTooSmall(_, layer, input):
            return "\(place): expected an input at least as large as the window of \(layer), found \(input.height)×\(input.width)"
        case let .unsupportedScale(_, reason):
            return "\(place): \(reason)"
        case let .branchMismatch(_, first, second):
            return "\(place): expected branches with maps of the same size and jump, found \(first) and \(second)"
        }
    }
}
