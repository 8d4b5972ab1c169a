/// A window sliding over the two spatial axes of an NCHW tensor, as convolutions and
/// pooling layers slide theirs: kernel, stride, padding per side, dilation and PyTorch's
/// `ceil_mode`. The one place that knows how many windows fit an input
/// (``outputSize(forInput:)``); convolutions, pooling and receptive-field bookkeeping all
/// use it.
public struct SlidingWindow: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The kernel size per axis.
    public var kernel: Size2D
    /// The step between windows per axis.
    public var stride: Size2D
    /// The padding on each side.
    public var padding: Padding2D
    /// The spacing between kernel taps per axis.
    public var dilation: Size2D
    /// Whether a last partial window that starts inside the input (or its leading padding)
    /// still produces an output (PyTorch's pooling `ceil_mode`).
    public var ceilMode: Bool

    /// A window with every parameter given; the stride defaults to 1.
    public init(kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0, dilation: Size2D = 1, ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    /// The input positions one window spans per axis, `dilation·(kernel − 1) + 1`.
    public var span: Size2D {
        Size2D(dilation.height * (kernel.height - 1) + 1, dilation.width * (kernel.width - 1) + 1)
    }

    /// Whether kernel, stride and dilation are ≥ 1 and no padding is negative.
    public var isValid: Bool {
        kernel.height >= 1 && kernel.width >= 1 && stride.height >= 1 && stride.width >= 1
            && dilation.height >= 1 && dilation.width >= 1 && padding.isNonNegative
    }

    /// The number of windows per axis for an input of `input` positions: PyTorch's
    /// `(n + p_before + p_after − span) // stride + 1`, rounded up instead in ``ceilMode``
    /// as long as the last window starts inside the input or its leading padding. A
    /// component is 0 where the padded input is smaller than the window.
    public func outputSize(forInput input: Size2D) -> Size2D {
        Size2D(
            Self.count(input.height, span.height, stride.height, padding.top, padding.bottom, ceilMode),
            Self.count(input.width, span.width, stride.width, padding.left, padding.right, ceilMode))
    }

    /// Windows along one axis.
    static func count(_ input: Int, _ span: Int, _ stride: Int, _ before: Int, _ after: Int, _ ceilMode: Bool) -> Int {
        let room = input + before + after - span
        guard room >= 0 else { return 0 }
        var windows = (ceilMode ? ceilDivide(room, stride) : room / stride) + 1
        if ceilMode && (windows - 1) * stride >= input + before { windows -= 1 }
        return windows
    }

    public var description: String {
        "window(kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation)\(ceilMode ? ", ceil mode" : ""))"
    }
}
