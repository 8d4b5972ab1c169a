import TensorCore

/// A chain of modules applied one after another (PyTorch's `nn.Sequential`). Children are
/// named by position, so parameters are addressed as `0.weight`, `3.running_mean`, ….
public final class Sequential: SpatialChain {
    public var isTraining = true
    /// The modules, in the order they are applied.
    public private(set) var layers: [any Module]

    /// A chain of the given modules.
    public init(_ layers: [any Module]) { self.layers = layers }

    /// A chain of the given modules.
    public convenience init(_ layers: any Module...) { self.init(layers) }

    /// Appends a module at the end of the chain.
    public func append(_ layer: any Module) { layers.append(layer) }

    /// The module at a position.
    public subscript(index: Int) -> any Module { layers[index] }

    /// The number of modules.
    public var count: Int { layers.count }

    /// The layers, for the geometry rule of ``SpatialChain``.
    public var spatialLayers: [any Module] { layers }

    public var childModules: [(name: String, module: any Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Applies every module in order. A ``Conv2d`` followed by a ``BatchNorm2d``, a ``ReLU`` or
    /// ``LeakyReLU``, or both, runs as ``Conv2d/callAsFunction(_:batchNorm:activation:)`` (in
    /// evaluation mode one fused convolution), and a ``BatchNorm2d`` followed by an activation
    /// as ``BatchNorm/forward(_:activation:)``: the same result up to float rounding, in fewer
    /// passes over the data.
    public func forward(_ input: Tensor) -> Tensor {
        var output = input
        var index = 0
        while index < layers.count {
            if let fused = fusedRun(at: index, input: output) {
                (output, index) = fused
            } else {
                output = layers[index](output)
                index += 1
            }
        }
        return output
    }
}
