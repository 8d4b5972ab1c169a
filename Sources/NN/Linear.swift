import TensorCore

/// A fully connected layer, PyTorch's `nn.Linear`: `y = x·Wᵀ + b` with weight
/// `[out, in]` and optional bias `[out]`, initialised as PyTorch does.
public final class Linear: Module {
    public var isTraining = true
    /// Features of the input (its last axis).
    public let inputFeatures: Int
    /// Features of the output.
    public let outputFeatures: Int
    /// The weight, `[out, in]`.
    public let weight: Parameter
    /// The offset, `[out]`, if the layer has one.
    public let bias: Parameter?

    /// A linear layer with PyTorch's default initialisation drawn from `generator`.
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for a negative feature count.
    public init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true, using generator: inout SeededGenerator) {
        guard inputFeatures >= 0, outputFeatures >= 0 else {
            TensorError.invalidArgument(op: "Linear", message: "expected non-negative feature counts, found in \(inputFeatures), out \(outputFeatures)").trap()
        }
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        let initial = Initialization.pytorchDefault(
            weightShape: [outputFeatures, inputFeatures], bias: bias ? outputFeatures : nil, using: &generator)
        weight = Parameter(initial.weight)
        self.bias = initial.bias.map { Parameter($0) }
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var settingsDescription: String {
        "in_features=\(inputFeatures), out_features=\(outputFeatures), bias=\(bias != nil ? "True" : "False")"
    }

    /// Maps `[..., in]` to `[..., out]`.
    public func forward(_ input: Tensor) -> Tensor {
        Tensor.linear(input, weight: weight.value, bias: bias?.value)
    }
}
