import TensorCore

/// Where a feature map's pixels are: the map's height and width and the
/// ``ReceptiveField`` of its pixels in the input image. A net's geometry for an input size
/// (`Module.spatialGeometry(forInput:)`) gives FCDD its output size and the heatmap
/// up-sampler its field.
public struct SpatialGeometry: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The map's height and width.
    public var size: Size2D
    /// The receptive field of the map's pixels.
    public var field: ReceptiveField

    /// A geometry with both parts given.
    public init(size: Size2D, field: ReceptiveField) {
        self.size = size
        self.field = field
    }

    /// The input image itself: every pixel sees itself.
    public static func input(_ size: Size2D) -> SpatialGeometry {
        SpatialGeometry(size: size, field: .identity)
    }

    /// The geometry after `module`, which must be a ``SpatialModule``; `name` names it in
    /// errors (the dotted path of every enclosing module is prepended as the error passes
    /// through them).
    ///
    /// - Throws: ``SpatialGeometryError/notSpatial(path:type:)`` when `module` does not
    ///   conform, and whatever its rule throws.
    public func through(_ module: any Module, named name: String) throws(SpatialGeometryError) -> SpatialGeometry {
        guard let spatial = module as? any SpatialModule else {
            throw .notSpatial(path: name, type: String(describing: type(of: module)))
        }
        do {
            return try spatial.spatialGeometry(after: self)
        } catch {
            throw error.inside(name)
        }
    }

    /// The geometry after `window` (a convolution or pooling layer called `layer`).
    ///
    /// - Throws: ``SpatialGeometryError/inputTooSmall(path:layer:input:)`` when no window fits.
    public func sliding(_ window: SlidingWindow, layer: String) throws(SpatialGeometryError) -> SpatialGeometry {
        let output = window.outputSize(forInput: size)
        guard output.height >= 1, output.width >= 1 else {
            throw .inputTooSmall(path: "", layer: "\(layer) with \(window)", input: size)
        }
        return SpatialGeometry(size: output, field: field.sliding(window))
    }

    /// The geometry after upsampling to `output` pixels with `mode`.
    ///
    /// - Throws: ``SpatialGeometryError/unsupportedScale(path:reason:)`` when `output` is not a
    ///   whole multiple of the size, or the jump is not divisible by the factor.
    public func upsampled(to output: Size2D, mode: InterpolationMode) throws(SpatialGeometryError) -> SpatialGeometry {
        guard output.height >= size.height, output.width >= size.width,
            output.height % size.height == 0, output.width % size.width == 0
        else {
            throw .unsupportedScale(path: "", reason: "resizing \(size) to \(output) is not a whole scale factor per axis")
        }
        let factor = Size2D(output.height / size.height, output.width / size.width)
        guard let upsampled = field.upsampled(by: factor, mode: mode) else {
            throw .unsupportedScale(
                path: "",
                reason:
                    "upsampling by \(factor) after a jump of \(field.jump) would put pixels less than one input pixel apart; the jump must be divisible by the factor"
            )
        }
        return SpatialGeometry(size: output, field: upsampled)
    }

    /// The geometry of the sum of two branches that each map the same input: the maps must
    /// have the same size and jump; the field is the union of both.
    ///
    /// - Throws: ``SpatialGeometryError/branchMismatch(path:first:second:)`` otherwise.
    public func union(_ other: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        guard size == other.size, let field = field.union(other.field) else {
            throw .branchMismatch(path: "", first: self, second: other)
        }
        return SpatialGeometry(size: size, field: field)
    }

    public var description: String { "SpatialGeometry(size \(size), \(field))" }
}
