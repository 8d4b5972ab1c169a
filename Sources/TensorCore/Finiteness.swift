extension Tensor {
    /// Whether every element is finite (no NaN, no ±∞); `true` for an empty tensor. One pass
    /// without branches: `x · 0` is 0 for finite `x` and NaN otherwise, so the sum of those
    /// products is 0 exactly when all are finite.
    public var isFinite: Bool {
        withUnsafeBufferPointer { values in
            var sum: Float = 0
            for value in values { sum += value * 0 }
            return sum == 0
        }
    }
}
