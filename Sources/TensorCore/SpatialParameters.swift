/// A size or step along the two spatial axes (height, width) of an NCHW tensor. An integer
/// literal means the same value on both axes: `stride: 2`.
public struct Size2D: Sendable, Equatable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Along the height axis.
    public var height: Int
    /// Along the width axis.
    public var width: Int

    /// A value per axis.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value on both axes.
    public init(integerLiteral value: Int) { self.init(value, value) }

    public var description: String { "(\(height), \(width))" }
}

/// Zero padding on the four sides of an image. An integer literal pads every side equally:
/// `padding: 2`.
public struct Padding2D: Sendable, Equatable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Rows added above.
    public var top: Int
    /// Rows added below.
    public var bottom: Int
    /// Columns added on the left.
    public var left: Int
    /// Columns added on the right.
    public var right: Int

    /// Padding per side.
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    /// The same padding above and below, and the same on the left and right (PyTorch's
    /// `padding=(h, w)`).
    public init(height: Int, width: Int) { self.init(top: height, bottom: height, left: width, right: width) }

    /// The same padding on every side.
    public init(integerLiteral value: Int) { self.init(height: value, width: value) }

    /// Whether no side is negative.
    public var isNonNegative: Bool { top >= 0 && bottom >= 0 && left >= 0 && right >= 0 }

    public var description: String { "(top \(top), bottom \(bottom), left \(left), right \(right))" }
}
