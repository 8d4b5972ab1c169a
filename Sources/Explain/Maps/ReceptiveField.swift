import TensorCore

/// The receptive field of a fully convolutional network's output pixels, per axis
/// (height, width): its size r, its jump j (the product of the strides: neighbouring
/// output pixels look at windows j input pixels apart) and its shift s (the centre of the
/// first output pixel's window, in input pixels; a multiple of ½).
///
/// The reference tracks (n, j, r, s) while a net is built (`RecConv2d`, `RecMaxPool2d` in
/// `models/bases.py`; fcdd-reference.md §1.1), starting from (input width, 1, 1, 0):
///
/// * `j' = j·stride`
/// * `r' = r + (k − 1)·j`
/// * `s' = s + ((k − 1)/2 − p)·j`
///
/// It asserts square inputs and keeps one value per quantity; this type keeps one per
/// axis, so rectangular kernels and non-square inputs work. With a dilation d the window
/// spans `k = d·(k − 1) + 1` input positions (the reference ignores dilation; every FCDD
/// net has d = 1).
///
/// | net | r | j | s |
/// |---|---|---|---|
/// | FCDD_CNN28(_W) | 16 | 4 | 1.5 |
/// | FCDD_CNN32 / _S / _LW3K | 32 / 18 / 22 | 4 | 1.5 |
/// | FCDD_CNN224_VGG(_F/_NOPT) | 62 | 8 | 3.5 |
/// | FCDD_CNN224(_W) | 59 | 8 | 0 |
///
/// (The FCDD module's `FCDDNet.receptiveField` composes a net's own layers.)
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

    /// The shift the up-sampling crops by: `int(s)` per axis, truncated toward zero as
    /// Python's `int` does ("if between pixels, pick the first").
    public var integerShift: Size2D {
        Size2D(Int(shift.height), Int(shift.width))
    }

    /// The field after one more layer.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for an invalid layer.
    public func appending(_ layer: ReceptiveFieldLayer) throws(ExplainError) -> ReceptiveField {
        try layer.validate(operation: "ReceptiveField.appending")
        return appendingValidLayer(layer)
    }

    /// The field of a network made of `layers`, in order, from the input's field.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for an invalid layer.
    public static func compose(_ layers: [ReceptiveFieldLayer]) throws(ExplainError) -> ReceptiveField {
        for layer in layers { try layer.validate(operation: "ReceptiveField.compose") }
        return composeValidLayers(layers)
    }

    /// The output size of a network made of `layers` for an input of `input` pixels (the
    /// reference's n, per axis).
    ///
    /// - Throws: The errors of ``ReceptiveFieldLayer/outputSize(forInput:)``.
    public static func outputSize(of layers: [ReceptiveFieldLayer], input: Size2D) throws(ExplainError) -> Size2D {
        var size = input
        for layer in layers { size = try layer.outputSize(forInput: size) }
        return size
    }

    /// ``compose(_:)`` for layers already known to be valid.
    static func composeValidLayers(_ layers: [ReceptiveFieldLayer]) -> ReceptiveField {
        layers.reduce(identity) { $0.appendingValidLayer($1) }
    }

    private func appendingValidLayer(_ layer: ReceptiveFieldLayer) -> ReceptiveField {
        let window = layer.effectiveKernel
        return ReceptiveField(
            size: Size2D(size.height + (window.height - 1) * jump.height, size.width + (window.width - 1) * jump.width),
            jump: Size2D(jump.height * layer.stride.height, jump.width * layer.stride.width),
            shift: Shift(
                shift.height + (Double(window.height - 1) / 2 - Double(layer.padding.height)) * Double(jump.height),
                shift.width + (Double(window.width - 1) / 2 - Double(layer.padding.width)) * Double(jump.width)))
    }

    /// A short, readable summary.
    public var description: String { "ReceptiveField(size \(size), jump \(jump), shift \(shift))" }
}
