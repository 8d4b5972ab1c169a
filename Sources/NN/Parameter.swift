import TensorCore

/// A learnable tensor of a module (a weight or a bias), shared by reference so that a
/// module, an optimiser and a state-dict loader all see the same value.
///
/// A trainable parameter holds its value as a gradient-tracking leaf, so a forward pass
/// records the operations that use it and ``Module/gradients(of:retainingGraph:)`` can differentiate a
/// loss with respect to it. Whether a parameter is trainable is independent of the
/// module's training mode: a frozen layer still updates its batch-norm statistics.
public final class Parameter {
    /// The current value. Assigning a new value makes it a fresh leaf: it keeps no
    /// history of how it was computed.
    public var value: Tensor {
        didSet { value = Parameter.leaf(value, trainable: isTrainable) }
    }

    /// Whether optimisers update this parameter and gradients are taken with respect to it.
    public var isTrainable: Bool {
        didSet { value = Parameter.leaf(value, trainable: isTrainable) }
    }

    /// A parameter with an initial value, trainable unless stated otherwise.
    public init(_ value: Tensor, trainable: Bool = true) {
        self.value = Parameter.leaf(value, trainable: trainable)
        self.isTrainable = trainable
    }

    private static func leaf(_ value: Tensor, trainable: Bool) -> Tensor {
        trainable ? value.detached().trackingGradients() : value.detached()
    }
}

/// A tensor of a module's state that is not learnt by gradient descent but saved with the
/// model, such as batch normalisation's running statistics.
public final class Buffer {
    /// The current value; never tracks gradients.
    public var value: Tensor {
        didSet { if value.isTrackingGradients { value = value.detached() } }
    }

    /// A buffer with an initial value.
    public init(_ value: Tensor) {
        self.value = value.detached()
    }
}
