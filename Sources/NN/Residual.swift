import TensorCore

/// A residual block: `body(x) + shortcut(x)` (He et al., 2016), the shortcut an
/// ``Identity`` unless a projection (such as a strided 1×1 convolution) is given. Children
/// are named `body` and `shortcut`, so parameters read `body.0.weight`, `shortcut.weight`.
///
/// Its receptive field is the union of both branches' fields
/// (``SpatialGeometry/union(_:)``); both must produce maps of the same size and jump.
public final class Residual: SpatialModule {
    public var isTraining = true
    /// The main branch.
    public let body: any Module
    /// The branch added to the body's output.
    public let shortcut: any Module

    /// A block adding `body(x)` and `shortcut(x)`.
    public init(_ body: any Module, shortcut: any Module = Identity()) {
        self.body = body
        self.shortcut = shortcut
    }

    public var childModules: [(name: String, module: any Module)] { [("body", body), ("shortcut", shortcut)] }

    /// `body(x) + shortcut(x)`.
    ///
    /// - Precondition: Stops with `TensorError` when the branches' outputs do not broadcast together.
    public func forward(_ input: Tensor) -> Tensor {
        body(input) + shortcut(input)
    }

    /// The union of both branches' geometries.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        try input.through(body, named: "body").union(input.through(shortcut, named: "shortcut"))
    }
}
