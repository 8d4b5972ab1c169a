extension Tensor {
    /// `log(softmax(x))` along `axis`, computed stably: the maximum along the axis is
    /// subtracted first (as a constant, since it only shifts the values), then
    /// `shifted − log Σ exp(shifted)`. The gradient is exact, including for very large logits.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range.
    public func logSoftmax(alongAxis axis: Int) -> Tensor {
        let shifted = self - detached().max(alongAxes: [axis], keepingDimensions: true)
        return shifted - shifted.exp().sum(alongAxes: [axis], keepingDimensions: true).log()
    }

    /// `softmax(x)` along `axis`: `exp(logSoftmax(x))`, stable for large values.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for an axis out of range.
    public func softmax(alongAxis axis: Int) -> Tensor {
        logSoftmax(alongAxis: axis).exp()
    }
}
