import TensorCore

/// Dropout (PyTorch's `nn.Dropout`): in training mode each element is zeroed with
/// probability `p` and the rest are scaled by `1 / (1 − p)`; in evaluation mode it is the
/// identity. The masks come from the layer's own seeded generator, so a run is
/// reproducible from its seed.
public final class Dropout: PointwiseModule {
    public var isTraining = true
    /// Probability of zeroing an element.
    public let probability: Float
    /// The generator the masks are drawn from; it advances with every training pass.
    public var generator: SeededGenerator

    /// A dropout layer drawing its masks from a generator seeded with `seed`.
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for a probability outside `[0, 1]`.
    public init(probability: Float = 0.5, seed: UInt64) {
        guard (0...1).contains(probability) else {
            TensorError.invalidArgument(op: "Dropout", message: "expected a probability in [0, 1], found \(probability)").trap()
        }
        self.probability = probability
        generator = SeededGenerator(seed: seed)
    }

    public var settingsDescription: String { "p=\(probability), inplace=False" }

    /// Drops elements in training mode; returns the input unchanged in evaluation mode.
    public func forward(_ input: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return input }
        if probability == 1 { return input * 0 }
        let keep = 1 - probability
        let scale = 1 / keep
        let mask = Tensor(shape: input.shape) { mask in
            for i in mask.indices { mask[i] = generator.nextUnitFloat() < keep ? scale : 0 }
        }
        return input * mask
    }
}
