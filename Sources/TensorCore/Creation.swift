extension Tensor {
    /// A tensor of `shape` with every element equal to `value`.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a negative dimension.
    public init(shape: [Int], repeating value: Float) {
        validateShape(shape, op: "Tensor(shape:repeating:)")
        self.init(shape: shape, storage: TensorStorage(count: shapeElementCount(shape), repeating: value))
    }

    /// A tensor of zeros.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a negative dimension.
    public static func zeros(shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A tensor of ones.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a negative dimension.
    public static func ones(shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// The values `start, start + step, …` below `end` (above it for a negative step), as in
    /// `torch.arange`.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a zero or non-finite step.
    public static func arange(from start: Float = 0, to end: Float, step: Float = 1) -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            stop(.invalidArgument(op: "arange", message: "expected finite bounds and a non-zero step, found start \(start), end \(end), step \(step)"))
        }
        var count = Swift.max(0, Int(((Double(end) - Double(start)) / Double(step)).rounded(.up)))
        func value(_ i: Int) -> Float { Float(Double(start) + Double(i) * Double(step)) }
        // Float bounds can make the quotient overshoot (0.3f / 0.1f > 3): drop values that
        // round onto or past `end`, so the range stays half-open as in PyTorch.
        while count > 0 && (step > 0 ? value(count - 1) >= end : value(count - 1) <= end) { count -= 1 }
        return Tensor(uninitializedShape: [count]) { output in
            for i in 0..<count { output[i] = value(i) }
        }
    }

    /// Uniform random values in `[low, high)` drawn from `generator`.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a negative dimension or
    ///   `low > high`.
    public static func randomUniform(
        shape: [Int], low: Float = 0, high: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        validateShape(shape, op: "randomUniform")
        guard low <= high else {
            stop(.invalidArgument(op: "randomUniform", message: "expected low ≤ high, found low \(low), high \(high)"))
        }
        let width = high - low
        // low + width·u can round up to `high`; the largest value below it keeps [low, high).
        let largest = low < high ? high.nextDown : low
        return Tensor(uninitializedShape: shape) { output in
            for i in 0..<shapeElementCount(shape) { output[i] = Swift.min(low + width * generator.nextUnitFloat(), largest) }
        }
    }

    /// Normally distributed random values with the given mean and standard deviation.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a negative dimension or
    ///   standard deviation.
    public static func randomNormal(
        shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        validateShape(shape, op: "randomNormal")
        guard standardDeviation >= 0 else {
            stop(.invalidArgument(op: "randomNormal", message: "expected a non-negative standard deviation, found \(standardDeviation)"))
        }
        let count = shapeElementCount(shape)
        return Tensor(uninitializedShape: shape) { output in
            var i = 0
            while i < count {
                let (first, second) = generator.nextNormalPair()
                output[i] = mean + standardDeviation * first
                if i + 1 < count { output[i + 1] = mean + standardDeviation * second }
                i += 2
            }
        }
    }
}
