import TensorCore

/// Batch normalisation over the channel axis (axis 1), the shared implementation of
/// ``BatchNorm1d`` and ``BatchNorm2d`` with PyTorch's semantics.
///
/// In training mode it normalises with the batch statistics and, when it tracks running
/// statistics, updates `running_mean`, `running_var` (unbiased) and `num_batches_tracked`;
/// in evaluation mode it uses the running statistics. A `momentum` of `nil` gives the
/// cumulative moving average (factor `1 / num_batches_tracked`), as in PyTorch. The
/// statistics update whether or not the parameters are trainable, so a frozen backbone
/// still adapts its statistics, as in the official FCDD code.
public class BatchNorm: Module {
    public var isTraining = true
    /// Number of channels.
    public let features: Int
    /// Added to the variance for numerical stability.
    public let epsilon: Float
    /// Weight of the newest batch in the running statistics; `nil` for a cumulative average.
    public let momentum: Float?
    /// The scale `[C]` (initialised to 1), if the layer is affine.
    public let weight: Parameter?
    /// The shift `[C]` (initialised to 0), if the layer is affine.
    public let bias: Parameter?
    /// Running mean `[C]`, if the layer tracks running statistics.
    public let runningMean: Buffer?
    /// Running unbiased variance `[C]`, if the layer tracks running statistics.
    public let runningVariance: Buffer?
    /// How many training batches updated the running statistics (a scalar), if tracked.
    public let batchesTracked: Buffer?
    private let acceptedRanks: ClosedRange<Int>

    init(
        features: Int, epsilon: Float, momentum: Float?, affine: Bool, tracksRunningStatistics: Bool,
        acceptedRanks: ClosedRange<Int>
    ) {
        let layer = String(describing: Self.self)
        guard features > 0, epsilon >= 0 else {
            TensorError.invalidArgument(op: layer, message: "expected features > 0 and eps ≥ 0, found \(features) and \(epsilon)").trap()
        }
        if let momentum, !(0...1).contains(momentum) {
            TensorError.invalidArgument(op: layer, message: "expected a momentum in [0, 1] or nil, found \(momentum)").trap()
        }
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        self.acceptedRanks = acceptedRanks
        weight = affine ? Parameter(Tensor.ones(shape: [features])) : nil
        bias = affine ? Parameter(Tensor.zeros(shape: [features])) : nil
        runningMean = tracksRunningStatistics ? Buffer(Tensor.zeros(shape: [features])) : nil
        runningVariance = tracksRunningStatistics ? Buffer(Tensor.ones(shape: [features])) : nil
        batchesTracked = tracksRunningStatistics ? Buffer(Tensor(0)) : nil
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        [weight.map { ("weight", $0) }, bias.map { ("bias", $0) }].compactMap { $0 }
    }

    public var localBuffers: [(name: String, buffer: Buffer)] {
        [
            runningMean.map { ("running_mean", $0) }, runningVariance.map { ("running_var", $0) },
            batchesTracked.map { ("num_batches_tracked", $0) },
        ].compactMap { $0 }
    }

    /// As recent PyTorch prints it, including `bias=` (PyTorch's separate flag for the shift,
    /// which here is present exactly when the layer is affine).
    public var settingsDescription: String {
        "\(features), eps=\(epsilon), momentum=\(momentum.map { "\($0)" } ?? "None"), "
            + "affine=\(weight != nil ? "True" : "False"), bias=\(bias != nil ? "True" : "False"), "
            + "track_running_stats=\(runningMean != nil ? "True" : "False")"
    }

    /// Normalises `[N, C, …]` per channel.
    ///
    /// - Precondition: Stops with `TensorError` for an input of the wrong rank or channel count, or a
    ///   training batch with a single value per channel.
    public func forward(_ input: Tensor) -> Tensor { forward(input, activation: .identity) }

    /// `activation(forward(input))` in the layer's own passes over the data: the activation is
    /// applied as the output is written and its gradient as the batch norm's is computed, so
    /// that neither takes a pass of its own nor keeps the activation's output for the backward
    /// pass (see `Tensor.batchNorm`); the results are those of the separate activation.
    ///
    /// - Precondition: Stops with `TensorError` where ``forward(_:)`` does.
    public func forward(_ input: Tensor, activation: FusedActivation) -> Tensor {
        let layer = String(describing: type(of: self))
        guard acceptedRanks.contains(input.rank), input.shape[1] == features else {
            TensorError.shapeMismatch(
                op: layer,
                expected:
                    "an input of rank \(acceptedRanks.lowerBound == acceptedRanks.upperBound ? "\(acceptedRanks.lowerBound)" : "\(acceptedRanks.lowerBound) or \(acceptedRanks.upperBound)") with \(features) channels on axis 1",
                found: [input.shape]
            ).trap()
        }
        let usesBatchStatistics = isTraining || runningMean == nil
        var factor = momentum ?? 0
        if usesBatchStatistics, let batchesTracked {
            let count = batchesTracked.value.item() + 1
            batchesTracked.value = Tensor(count)
            if momentum == nil { factor = 1 / count }
        }
        let result = Tensor.batchNorm(
            input, runningMean: runningMean?.value, runningVariance: runningVariance?.value, weight: weight?.value,
            bias: bias?.value, training: usesBatchStatistics, momentum: factor, epsilon: epsilon, activation: activation)
        if usesBatchStatistics, let runningMean, let runningVariance, let mean = result.runningMean,
            let variance = result.runningVariance
        {
            runningMean.value = mean
            runningVariance.value = variance
        }
        return result.output
    }
}

/// Batch normalisation of `[N, C, H, W]` feature maps, PyTorch's `nn.BatchNorm2d`.
public final class BatchNorm2d: BatchNorm, PointwiseModule {
    /// A layer for `features` channels with PyTorch's defaults (eps 1e-5, momentum 0.1,
    /// affine, tracking running statistics).
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for `features ≤ 0`, a
    ///   negative eps or a momentum outside `[0, 1]`.
    public init(
        _ features: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
        tracksRunningStatistics: Bool = true
    ) {
        super.init(
            features: features, epsilon: epsilon, momentum: momentum, affine: affine,
            tracksRunningStatistics: tracksRunningStatistics, acceptedRanks: 4...4)
    }
}

/// Batch normalisation of `[N, C]` features or `[N, C, L]` sequences, PyTorch's
/// `nn.BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    /// A layer for `features` channels with PyTorch's defaults (eps 1e-5, momentum 0.1,
    /// affine, tracking running statistics).
    ///
    /// - Precondition: Stops with `TensorError.invalidArgument(op:message:)` for `features ≤ 0`, a
    ///   negative eps or a momentum outside `[0, 1]`.
    public init(
        _ features: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
        tracksRunningStatistics: Bool = true
    ) {
        super.init(
            features: features, epsilon: epsilon, momentum: momentum, affine: affine,
            tracksRunningStatistics: tracksRunningStatistics, acceptedRanks: 2...3)
    }
}
