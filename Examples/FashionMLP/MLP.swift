import TensorCore

/// A two-layer perceptron: `relu(x·W₁ + b₁)·W₂ + b₂`, returning logits.
struct MLP {
    /// `[W₁, b₁, W₂, b₂]`, each tracking gradients.
    var parameters: [Tensor]

    /// He-initialised weights (normal, standard deviation √(2 / fan-in), suited to ReLU) and
    /// zero biases.
    init(inputs: Int, hidden: Int, classes: Int, using generator: inout SeededGenerator) throws {
        let w1 = try Tensor.randomNormal(shape: [inputs, hidden], standardDeviation: (2 / Float(inputs)).squareRoot(), using: &generator)
        let w2 = try Tensor.randomNormal(shape: [hidden, classes], standardDeviation: (2 / Float(hidden)).squareRoot(), using: &generator)
        parameters = [w1, try Tensor.zeros(shape: [hidden]), w2, try Tensor.zeros(shape: [classes])].map { $0.trackingGradients() }
    }

    /// The number of trainable scalars.
    var parameterCount: Int { parameters.reduce(0) { $0 + $1.scalarCount } }

    /// Logits `[n, classes]` for a batch of flattened images `[n, inputs]`.
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let hidden = try (Tensor.matmul(x, parameters[0]) + parameters[1]).relu()
        return try Tensor.matmul(hidden, parameters[2]) + parameters[3]
    }
}

/// Mean cross-entropy of `logits` `[n, classes]` against integer `labels`, computed stably:
/// the row maximum is subtracted first (detached, since it only shifts the logits), then
/// log-softmax = shifted − log Σ exp(shifted), and each row's label is picked with a one-hot
/// mask.
func crossEntropy(logits: Tensor, labels: [Int]) throws -> Tensor {
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    var oneHot = [Float](repeating: 0, count: rows * classes)
    for (row, label) in labels.enumerated() { oneHot[row * classes + label] = 1 }
    let shifted = try logits - logits.detached().max(alongAxes: [1], keepingDimensions: true)
    let logProbabilities = try shifted - shifted.exp().sum(alongAxes: [1], keepingDimensions: true).log()
    return -(try (logProbabilities * Tensor(shape: [rows, classes], scalars: oneHot)).sum()) / Float(rows)
}

/// Stochastic gradient descent with momentum, PyTorch's form: `v ← μ·v + g`, `p ← p − η·v`.
struct MomentumSGD {
    let learningRate: Float
    let momentum: Float
    private var velocities: [Tensor]

    init(learningRate: Float, momentum: Float, parameters: [Tensor]) throws {
        self.learningRate = learningRate
        self.momentum = momentum
        velocities = try parameters.map { try Tensor.zeros(shape: $0.shape) }
    }

    /// The updated parameters, tracking gradients again, after one step along `gradients`.
    mutating func step(_ parameters: [Tensor], gradients: [Tensor]) throws -> [Tensor] {
        try withoutGradients { () throws -> [Tensor] in
            var updated: [Tensor] = []
            for index in parameters.indices {
                velocities[index] = try velocities[index] * momentum + gradients[index]
                updated.append(try (parameters[index] - velocities[index] * learningRate).trackingGradients())
            }
            return updated
        }
    }
}
