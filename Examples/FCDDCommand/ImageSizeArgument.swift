import ArgumentParser
import TensorCore

/// `--image-size`: `224` for a square, or `HEIGHT×WIDTH` (also `HEIGHTxWIDTH`), e.g. `256×512`.
struct ImageSizeArgument: ExpressibleByArgument, CustomStringConvertible {
    /// The height and width.
    let size: Size2D

    init?(argument: String) {
        let sides = argument.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "×" || $0 == "x" || $0 == "X" })
        guard (1...2).contains(sides.count), let height = Int(sides[0]), let width = Int(sides[sides.count - 1]) else { return nil }
        size = Size2D(height, width)
    }

    /// `224` for a square, `256×512` otherwise: what `init(argument:)` reads back.
    var description: String { size.height == size.width ? "\(size.height)" : "\(size.height)×\(size.width)" }
}
