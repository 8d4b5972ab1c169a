import TensorCore

/// A module that maps a feature map to a feature map position by position, and so can say
/// where each of its output pixels looks: its rule turns the ``SpatialGeometry`` of its
/// input into that of its output. Convolutions, pooling, upsampling, activations, batch
/// norm, dropout, ``Identity``, ``Residual`` and ``Sequential`` conform; a net written as
/// plain Swift conforms through ``SpatialChain`` by listing its layers in the order its
/// forward pass applies them.
///
/// A net's receptive field, output size and heatmap up-sampler follow from these rules
/// (`Module.spatialGeometry(forInput:)`); a module on the way that does not conform is an
/// error (``SpatialGeometryError/notSpatial(path:type:)``), never skipped.
public protocol SpatialModule: Module {
    /// The geometry of the output when the input has `input`.
    ///
    /// - Throws: ``SpatialGeometryError`` when the input is too small, a scale is not
    ///   supported, or a part of the module is not spatial.
    func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry
}

/// A module whose forward pass applies a list of modules one after the other, as far as
/// geometry goes: its rule is theirs in order. Layers that leave geometry unchanged
/// (activations, normalisation) may be listed or left out; every layer that pools,
/// strides, pads, upsamples or branches must be listed.
///
/// ```swift
/// extension MyNet: SpatialChain {
///     var spatialLayers: [any Module] { [stem, block, pool, head] }
/// }
/// ```
public protocol SpatialChain: SpatialModule {
    /// The modules in the order the forward pass applies them.
    var spatialLayers: [any Module] { get }
}

extension SpatialChain {
    /// The layers' rules in order; errors name each layer by its child name.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        let children = childModules
        var geometry = input
        for layer in spatialLayers {
            let name = children.first { $0.module === layer }?.name ?? String(describing: type(of: layer))
            geometry = try geometry.through(layer, named: name)
        }
        return geometry
    }
}

/// A module that leaves geometry as it is: the output pixel at each position depends on the
/// input pixel at the same position only (activations, normalisation, dropout).
public protocol PointwiseModule: SpatialModule {}

extension PointwiseModule {
    /// The input's geometry, unchanged.
    public func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry { input }
}

extension Module {
    /// The size and receptive field of this module's output for an input image of `size`.
    ///
    /// - Throws: ``SpatialGeometryError`` naming the module, by its dotted path, that does
    ///   not conform to ``SpatialModule``, whose window does not fit, or whose scale or
    ///   branches are unsupported.
    public func spatialGeometry(forInput size: Size2D) throws(SpatialGeometryError) -> SpatialGeometry {
        try SpatialGeometry.input(size).through(self, named: "")
    }
}
