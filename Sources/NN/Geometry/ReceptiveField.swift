import TensorCore

/// The receptive field of a feature map's pixels, per axis (height, width): its size r
/// (how many input pixels one pixel's window spans), its jump j (neighbouring pixels look at
/// windows j input pixels apart) and its shift s (the centre of the first pixel's window,
/// in input pixels; a multiple of ½). Pixel `i` of the map looks at the input window of r
/// pixels centred at `s + i·j`.
///
/// The reference tracks (n, j, r, s) while a net is built (`RecConv2d`, `RecMaxPool2d` in
/// the official FCDD code's `models/bases.py`), starting from (input width, 1, 1, 0); a
/// window of span k (the kernel, dilated) with leading padding p and stride t gives
///
/// * `j' = j·t`
/// * `r' = r + (k − 1)·j`
/// * `s' = s + ((k − 1)/2 − p)·j`
///
/// This type keeps one value per axis, so rectangular kernels and non-square inputs work,
/// and also knows upsampling (``upsampled(by:mode:)``) and branches that are added
/// together (``union(_:)``). Every rule keeps the window's first pixel `s − (r − 1)/2` a
/// whole number, and every window contains all input pixels that the map's pixel depends
/// on. ``SpatialModule`` layers apply these rules; `Module.spatialGeometry(forInput:)`
/// folds them over a net.
///
/// | net | r | j | s |
/// |---|---|---|---|
/// | FCDD_CNN28(_W) | 16 | 4 | 1.5 |
/// | FCDD_CNN32 / _S / _LW3K | 32 / 18 / 22 | 4 | 1.5 |
/// | FCDD_CNN224_VGG(_F/_NOPT) | 62 | 8 | 3.5 |
public struct ReceptiveField: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The shift per axis, in input pixels (a multiple of ½ for the usual layers).
    public struct Shift: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Along the height axis.
        public var height: Double
        /// Along the width axis.
        public var width: Double

        /// A shift per axis.
        public init(_ height: Double, _ width: Double) {
            self.height = height
            self.width = width
        }

        /// A short, readable summary.
        public var description: String { "(\(height), \(width))" }
    }

    /// The receptive-field size r per axis.
    public var size: Size2D
    /// The jump j (product of the strides) per axis.
    public var jump: Size2D
    /// The shift s per axis.
    public var shift: Shift

    /// A field with the given size, jump and shift.
    public init(size: Size2D, jump: Size2D, shift: Shift) {
        self.size = size
        self.jump = jump
        self.shift = shift
    }

    /// The field of the input itself: r = 1, j = 1, s = 0.
    public static let identity = ReceptiveField(size: 1, jump: 1, shift: Shift(0, 0))

    /// The shift the heatmap up-sampling crops by: `int(s)` per axis, truncated toward zero
    /// as Python's `int` does ("if between pixels, pick the first").
    public var integerShift: Size2D {
        Size2D(Int(shift.height), Int(shift.width))
    }

    /// The field after a convolution or pooling `window` (the reference's rule above; the
    /// leading padding moves the centre, the trailing padding only the output size).
    public func sliding(_ window: SlidingWindow) -> ReceptiveField {
        let span = window.span
        return ReceptiveField(
            size: Size2D(size.height + (span.height - 1) * jump.height, size.width + (span.width - 1) * jump.width),
            jump: Size2D(jump.height * window.stride.height, jump.width * window.stride.width),
            shift: Shift(
                shift.height + (Double(span.height - 1) / 2 - Double(window.padding.top)) * Double(jump.height),
                shift.width + (Double(span.width - 1) / 2 - Double(window.padding.left)) * Double(jump.width)))
    }

    /// The field after upsampling by `factor` per axis with `mode` (PyTorch's
    /// `F.interpolate` with an integer `scale_factor`, `align_corners=False`), or `nil`
    /// when the jump is not divisible by the factor (the pixels would be less than one input
    /// pixel apart, which no heatmap up-sampler can place).
    ///
    /// Output pixel o reads input pixel ⌊o/f⌋ (nearest) or the two input pixels around
    /// `(o + ½)/f − ½` (bilinear, both with non-zero weight except where that is whole).
    /// The new jump is j/f and the centre the best affine fit `s − (f − 1)/2·j/f + o·j/f`;
    /// the size grows until the window covers the true dependencies of every o:
    /// `r + (f − 1)·j/f` (nearest), `r + (2f − 1)·j/f` (bilinear, even f) or
    /// `r + 2(f − 1)·j/f` (bilinear, odd f).
    public func upsampled(by factor: Size2D, mode: InterpolationMode) -> ReceptiveField? {
        func axis(_ r: Int, _ j: Int, _ s: Double, _ f: Int) -> (size: Int, jump: Int, shift: Double)? {
            guard f >= 1, j % f == 0 else { return nil }
            let newJump = j / f
            let growth: Int =
                switch mode {
                case .nearest: (f - 1) * newJump
                case .bilinear: (f % 2 == 0 ? 2 * f - 1 : 2 * (f - 1)) * newJump
                }
            return (r + growth, newJump, s - Double(f - 1) / 2 * Double(newJump))
        }
        guard let height = axis(size.height, jump.height, shift.height, factor.height),
            let width = axis(size.width, jump.width, shift.width, factor.width)
        else { return nil }
        return ReceptiveField(
            size: Size2D(height.size, width.size), jump: Size2D(height.jump, width.jump),
            shift: Shift(height.shift, width.shift))
    }

    /// The field of a sum of two branches over the same pixels (a residual block): the
    /// smallest window that contains both windows, or `nil` when the jumps differ (the
    /// branches' pixels do not line up).
    public func union(_ other: ReceptiveField) -> ReceptiveField? {
        guard jump == other.jump else { return nil }
        func axis(_ r1: Int, _ s1: Double, _ r2: Int, _ s2: Double) -> (size: Int, shift: Double) {
            let low = Swift.min(s1 - Double(r1 - 1) / 2, s2 - Double(r2 - 1) / 2)
            let high = Swift.max(s1 + Double(r1 - 1) / 2, s2 + Double(r2 - 1) / 2)
            return (Int((high - low).rounded()) + 1, (low + high) / 2)
        }
        let height = axis(size.height, shift.height, other.size.height, other.shift.height)
        let width = axis(size.width, shift.width, other.size.width, other.shift.width)
        return ReceptiveField(size: Size2D(height.size, width.size), jump: jump, shift: Shift(height.shift, width.shift))
    }

    /// A short, readable summary.
    public var description: String { "ReceptiveField(size \(size), jump \(jump), shift \(shift))" }
}
