/// A colour as three samples in `[0, 1]`: red, green and blue, as `Image` stores them.
///
/// The colour maps return it (``ColorMap/color(at:)``) and the drawing operations of
/// ``Canvas`` take it. Values are kept as given; encoding an image clamps them to `[0, 1]`.
public struct RGBColor: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Red, in `[0, 1]`.
    public var r: Float
    /// Green, in `[0, 1]`.
    public var g: Float
    /// Blue, in `[0, 1]`.
    public var b: Float

    /// The colour with samples `r`, `g` and `b` in `[0, 1]`.
    public init(r: Float, g: Float, b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// The grey of brightness `value` (the same sample in R, G and B).
    public init(grey value: Float) {
        self.init(r: value, g: value, b: value)
    }

    /// The colour of 8-bit samples (0 to 255), such as `RGBColor(red8: 255, green8: 128, blue8: 0)`.
    public init(red8: UInt8, green8: UInt8, blue8: UInt8) {
        self.init(r: Float(red8) / 255, g: Float(green8) / 255, b: Float(blue8) / 255)
    }

    /// Black, `(0, 0, 0)`.
    public static let black = RGBColor(r: 0, g: 0, b: 0)
    /// White, `(1, 1, 1)`.
    public static let white = RGBColor(r: 1, g: 1, b: 1)
    /// Pure red, `(1, 0, 0)`.
    public static let red = RGBColor(r: 1, g: 0, b: 0)
    /// Pure green, `(0, 1, 0)`.
    public static let green = RGBColor(r: 0, g: 1, b: 0)
    /// Pure blue, `(0, 0, 1)`.
    public static let blue = RGBColor(r: 0, g: 0, b: 1)
    /// Yellow, `(1, 1, 0)`.
    public static let yellow = RGBColor(r: 1, g: 1, b: 0)
    /// Cyan, `(0, 1, 1)`.
    public static let cyan = RGBColor(r: 0, g: 1, b: 1)
    /// Magenta, `(1, 0, 1)`.
    public static let magenta = RGBColor(r: 1, g: 0, b: 1)

    /// The colour as `rgb(R, G, B)` with 8-bit samples (clamped to `[0, 1]` first, NaN as 0),
    /// as SVG and CSS write it.
    public var description: String {
        // `value > 0` is false for NaN, which prints as 0.
        func level(_ value: Float) -> Int { value > 0 ? Int((min(value, 1) * 255).rounded()) : 0 }
        return "rgb(\(level(r)), \(level(g)), \(level(b)))"
    }
}
