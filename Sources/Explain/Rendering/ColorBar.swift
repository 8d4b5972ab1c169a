import Foundation

/// A vertical colour bar: the colours of a ``ColorMap`` from 1 at the top to 0 at the
/// bottom, outlined, with tick marks and labels on its right.
///
/// ``size`` is the box the bar and its labels take; ``draw(on:atX:y:)`` draws into that
/// box, with the bar itself at ``barFrame(atX:y:)``. The box extends half a label's height
/// above and below the bar so that the end labels fit.
public struct ColorBar: Sendable, Equatable {
    /// The colours shown.
    public var colorMap: ColorMap
    /// Width of the coloured bar in pixels.
    public var barWidth: Int
    /// Height of the coloured bar in pixels (at least 2).
    public var barHeight: Int
    /// Values in `[0, 1]` that get a tick mark and a label; others are left out.
    public var ticks: [Float]
    /// Digits after the decimal point in the tick labels (`0.5` with 1, `0.50` with 2).
    public var fractionDigits: Int
    /// Scale of the label text (``BitmapFont`` pixels to canvas pixels).
    public var textScale: Int
    /// Colour of the outline, ticks and labels.
    public var textColor: RGBColor

    /// Length of a tick mark, and the gap between a tick and its label.
    static let tickLength = 4

    /// A colour bar for `colorMap` of the given bar size, with ticks at 0, 0.5 and 1.
    public init(
        colorMap: ColorMap, barWidth: Int = 14, barHeight: Int = 112, ticks: [Float] = [0, 0.5, 1],
        fractionDigits: Int = 1, textScale: Int = 1, textColor: RGBColor = .black
    ) {
        self.colorMap = colorMap
        self.barWidth = barWidth
        self.barHeight = barHeight
        self.ticks = ticks
        self.fractionDigits = fractionDigits
        self.textScale = textScale
        self.textColor = textColor
    }

    /// The ticks that are drawn: those in `[0, 1]`.
    private var shownTicks: [Float] { ticks.filter { $0 >= 0 && $0 <= 1 } }

    /// The label of tick value `value`, such as `0.5`: `fractionDigits` decimals.
    public func label(for value: Float) -> String {
        let text = String(format: "%.\(max(fractionDigits, 0))f", Double(value))
        // "-0.0" for tiny negative values reads oddly on a bar that starts at 0.
        return text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(text.dropFirst()) : text
    }

    /// The size of the box that ``draw(on:atX:y:)`` fills: the bar, its ticks and labels.
    public var size: (width: Int, height: Int) {
        let labels = shownTicks.map { BitmapFont.size(of: label(for: $0), scale: textScale) }
        let labelWidth = labels.map(\.width).max() ?? 0
        let labelHeight = BitmapFont.capitalHeight * max(textScale, 1)
        let ticksWidth = labels.isEmpty ? 0 : 2 * Self.tickLength + labelWidth
        return (max(barWidth, 1) + ticksWidth, max(barHeight, 2) + 2 * (labelHeight / 2 + 1))
    }

    /// Where the coloured bar lands when the bar's box has its top-left corner at `(x, y)`.
    public func barFrame(atX x: Int, y: Int) -> PixelRect {
        let labelHeight = BitmapFont.capitalHeight * max(textScale, 1)
        return PixelRect(x: x, y: y + labelHeight / 2 + 1, width: max(barWidth, 1), height: max(barHeight, 2))
    }

    /// The row of the bar (relative to its top) that shows `value`: 0 for 1, `barHeight − 1` for 0.
    public func row(for value: Float) -> Int {
        let height = max(barHeight, 2)
        let clamped = value > 0 ? min(value, 1) : 0
        return height - 1 - Int((clamped * Float(height - 1)).rounded())
    }

    /// Draws the bar, its outline, ticks and labels into the box at `(x, y)` of ``size``.
    public func draw(on canvas: inout Canvas, atX x: Int, y: Int) {
        let bar = barFrame(atX: x, y: y)
        for row in 0..<bar.height {
            let value = Float(bar.height - 1 - row) / Float(bar.height - 1)
            canvas.fill(PixelRect(x: bar.x, y: bar.y + row, width: bar.width, height: 1), with: colorMap.color(at: value))
        }
        canvas.strokeRectangle(PixelRect(x: bar.x - 1, y: bar.y - 1, width: bar.width + 2, height: bar.height + 2), color: textColor)
        let scale = max(textScale, 1)
        let capital = BitmapFont.capitalHeight * scale
        for tick in shownTicks {
            let tickY = bar.y + row(for: tick)
            canvas.fill(PixelRect(x: bar.maxX, y: tickY, width: Self.tickLength, height: 1), with: textColor)
            canvas.drawText(label(for: tick), atX: bar.maxX + 2 * Self.tickLength, y: tickY - capital / 2, color: textColor, scale: scale)
        }
    }
}
