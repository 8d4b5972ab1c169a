import TensorCore

/// Merges a range of axes into one (PyTorch's `nn.Flatten`); by default every axis after
/// the batch axis, turning `[N, C, H, W]` into `[N, C·H·W]`.
public final class Flatten: Module {
    public var isTraining = true
    /// First axis merged.
    public let startAxis: Int
    /// Last axis merged (negative counts from the end).
    public let endAxis: Int

    /// A flattening layer; the axes are checked when it is applied.
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
    }

    public var settingsDescription: String { "start_dim=\(startAxis), end_dim=\(endAxis)" }

    /// Flattens the configured axes.
    public func forward(_ input: Tensor) -> Tensor {
        input.flattened(startAxis: startAxis, endAxis: endAxis)
    }
}
