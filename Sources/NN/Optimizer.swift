import TensorCore

/// An optimiser: a value that updates trainable parameters along their gradients, with
/// per-parameter state (momentum, moment estimates) keyed by the parameter's dotted name so
/// it can be saved in a checkpoint and restored into a freshly built model.
///
/// Use it with ``Module/gradients(of:retainingGraph:)``:
/// ```swift
/// let loss = Loss.crossEntropy(model(x), labels: y)
/// try optimizer.step(model, gradients: model.gradients(of: loss))
/// ```
public protocol Optimizer: Sendable {
    /// The step size; a ``LearningRateSchedule`` sets it once per epoch.
    var learningRate: Float { get set }

    /// Updates every trainable parameter that has a gradient; frozen parameters and
    /// parameters without a gradient are left alone (as PyTorch skips `grad is None`).
    ///
    /// - Throws: ``OptimizerError`` for a gradient whose name is not a trainable parameter,
    ///   a gradient or state tensor of the wrong shape.
    mutating func step(_ parameters: [(name: String, parameter: Parameter)], gradients: [String: Tensor]) throws(OptimizerError)

    /// The per-parameter state as named tensors (`<parameter>.<slot>`), for checkpoints.
    var state: [String: Tensor] { get }

    /// Replaces the per-parameter state with one saved from ``state``.
    ///
    /// - Throws: ``OptimizerError/unknownStateKey(_:)`` for a key with a slot this
    ///   optimiser does not use.
    mutating func loadState(_ state: [String: Tensor]) throws(OptimizerError)
}

extension Optimizer {
    /// Updates the module's trainable parameters along `gradients` (from
    /// ``Module/gradients(of:retainingGraph:)``).
    public mutating func step(_ model: any Module, gradients: [String: Tensor]) throws(OptimizerError) {
        try step(model.namedParameters, gradients: gradients)
    }
}

/// Why an optimiser could not take a step or load its state.
public enum OptimizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A gradient was given for a name that is not a trainable parameter.
    case unknownGradient(String)
    /// A gradient's shape differs from its parameter's.
    case gradientShapeMismatch(name: String, expected: [Int], found: [Int])
    /// A saved state tensor's shape differs from its parameter's.
    case stateShapeMismatch(key: String, expected: [Int], found: [Int])
    /// A saved state key is not `<parameter>.<slot>` with a slot this optimiser uses.
    case unknownStateKey(String)
    /// A hyperparameter is out of range.
    case invalidHyperparameter(String)

    public var description: String {
        switch self {
        case let .unknownGradient(name):
            "optimizer: got a gradient for \(name), which is not a trainable parameter"
        case let .gradientShapeMismatch(name, expected, found):
            "optimizer: gradient of \(name) has shape \(found), expected the parameter's shape \(expected)"
        case let .stateShapeMismatch(key, expected, found):
            "optimizer: saved state \(key) has shape \(found), expected the parameter's shape \(expected)"
        case let .unknownStateKey(key):
            "optimizer: saved state key \(key) is not <parameter>.<slot> with a slot this optimizer uses"
        case let .invalidHyperparameter(message):
            "optimizer: \(message)"
        }
    }
}

/// A trainable parameter paired with its gradient, validated.
struct ParameterUpdate {
    let name: String
    let parameter: Parameter
    let gradient: Tensor
}

/// Pairs trainable parameters with their gradients, rejecting unknown names and wrong shapes.
func pairGradients(
    _ parameters: [(name: String, parameter: Parameter)], _ gradients: [String: Tensor]
) throws(OptimizerError) -> [ParameterUpdate] {
    let trainable = parameters.filter { $0.parameter.isTrainable }
    let names = Set(trainable.map(\.name))
    if let unknown = gradients.keys.sorted().first(where: { !names.contains($0) }) { throw .unknownGradient(unknown) }
    var updates: [ParameterUpdate] = []
    for (name, parameter) in trainable {
        guard let gradient = gradients[name] else { continue }
        guard gradient.shape == parameter.value.shape else {
            throw .gradientShapeMismatch(name: name, expected: parameter.value.shape, found: gradient.shape)
        }
        updates.append(ParameterUpdate(name: name, parameter: parameter, gradient: gradient))
    }
    return updates
}

/// Checks that every saved state key is `<parameter>.<slot>` with a known slot.
func validateStateKeys(_ state: [String: Tensor], slots: Set<String>) throws(OptimizerError) {
    for key in state.keys.sorted() {
        guard let dot = key.lastIndex(of: "."), slots.contains(String(key[key.index(after: dot)...])) else {
            throw .unknownStateKey(key)
        }
    }
}

/// A saved state tensor for `name`, checked against the parameter's shape.
func stateTensor(_ state: [String: Tensor], _ name: String, _ slot: String, shape: [Int]) throws(OptimizerError) -> Tensor? {
    let key = name + "." + slot
    guard let tensor = state[key] else { return nil }
    guard tensor.shape == shape else { throw .stateShapeMismatch(key: key, expected: shape, found: tensor.shape) }
    return tensor
}
