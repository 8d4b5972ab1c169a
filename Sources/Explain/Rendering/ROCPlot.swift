import Foundation

/// A plot of an ROC curve: false positive rate on the horizontal axis, true positive rate
/// on the vertical one, both from 0 to 1 with ticks every 0.2, the chance diagonal dashed,
/// the curve, and a legend with the area under the curve, such as `AUC = 0.912`.
///
/// The same layout is available as SVG text (``svg()``, ``writeSVG(to:)``) and as a PNG
/// drawn on a ``Canvas`` with the bitmap font (``render()``, ``writePNG(to:)``). Curves with
/// many points (pixel-level ROC curves have one per distinct score) are thinned to the
/// points at least half a pixel apart, which draws the same line.
public struct ROCPlot: Sendable {
    /// False positive rates of the curve's points, in `[0, 1]`.
    public let falsePositiveRates: [Double]
    /// True positive rates of the curve's points, in `[0, 1]`.
    public let truePositiveRates: [Double]
    /// The area under the curve, shown in the legend.
    public let areaUnderCurve: Double
    /// A title above the plot, or `nil`.
    public var title: String?
    /// Width of the plot in pixels (SVG user units).
    public var width: Int
    /// Height of the plot in pixels (SVG user units).
    public var height: Int
    /// Colour of the curve; matplotlib's first colour (`#1f77b4`) by default.
    public var curveColor: RGBColor

    /// A plot of `curve` (its points and area), `width × height` pixels.
    public init(curve: ROCCurve, title: String? = nil, width: Int = 480, height: Int = 480) {
        let count = min(curve.falsePositiveRates.count, curve.truePositiveRates.count)
        self.falsePositiveRates = Array(curve.falsePositiveRates.prefix(count))
        self.truePositiveRates = Array(curve.truePositiveRates.prefix(count))
        self.areaUnderCurve = curve.areaUnderCurve
        self.title = title
        self.width = width
        self.height = height
        self.curveColor = RGBColor(red8: 31, green8: 119, blue8: 180)
    }

    /// The legend's text: `AUC = ` and the area with three decimals, such as `AUC = 0.912`.
    public var legendText: String { "AUC = " + String(format: "%.3f", areaUnderCurve) }

    /// Left, top, right and bottom space around the axes box.
    private var insets: (left: Int, top: Int, right: Int, bottom: Int) {
        (80, title == nil ? 20 : 44, 24, 72)
    }

    /// The axes box: the square from (0, 0) at its bottom-left to (1, 1) at its top-right,
    /// in pixels (its outline is the box's outermost pixels).
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` when ``width`` or
    ///   ``height`` leaves no room for it (below 160 pixels).
    public func plotArea() throws(ExplainError) -> PixelRect {
        let insets = insets
        let area = PixelRect(x: insets.left, y: insets.top, width: width - insets.left - insets.right, height: height - insets.top - insets.bottom)
        guard area.width >= 60, area.height >= 60 else {
            throw .invalidArgument(operation: "ROCPlot", message: "expected a plot of at least 160 × 160 pixels, found \(width) × \(height)")
        }
        return area
    }

    /// The tick values of both axes.
    private static let ticks: [Double] = [0, 0.2, 0.4, 0.6, 0.8, 1]

    /// Maps rates to continuous pixel coordinates of the axes box (pixel centres on its outline).
    private struct Mapping {
        let left, right, top, bottom: Double
        init(_ area: PixelRect) {
            left = Double(area.x) + 0.5
            right = Double(area.maxX) - 0.5
            top = Double(area.y) + 0.5
            bottom = Double(area.maxY) - 0.5
        }
        func x(_ rate: Double) -> Double { left + min(max(rate, 0), 1) * (right - left) }
        func y(_ rate: Double) -> Double { bottom - min(max(rate, 0), 1) * (bottom - top) }
    }

    /// The curve's points in pixel coordinates, keeping the first, the last and those at
    /// least half a pixel from the previous kept point. Non-finite rates are skipped.
    private func curvePoints(_ mapping: Mapping) -> [(x: Double, y: Double)] {
        var points = [(x: Double, y: Double)]()
        let count = falsePositiveRates.count
        for index in 0..<count {
            let (fpr, tpr) = (falsePositiveRates[index], truePositiveRates[index])
            guard fpr.isFinite, tpr.isFinite else { continue }
            let point = (x: mapping.x(fpr), y: mapping.y(tpr))
            if let last = points.last, index != count - 1,
                (point.x - last.x) * (point.x - last.x) + (point.y - last.y) * (point.y - last.y) < 0.25
            {
                continue
            }
            points.append(point)
        }
        return points
    }

    // MARK: SVG

    /// The plot as a standalone SVG 1.1 document (UTF-8 text).
    ///
    /// - Throws: the errors of ``plotArea()``.
    public func svg() throws(ExplainError) -> String {
        let area = try plotArea()
        let map = Mapping(area)
        func n(_ value: Double) -> String { String(format: "%.2f", value) }
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <title>\(XMLEscaping.escaped(title ?? "ROC curve"))</title>
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="white"/>

            """
        // Grid, ticks and tick labels.
        svg += "<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
        for tick in Self.ticks.dropFirst().dropLast() {
            svg += "<line x1=\"\(n(map.x(tick)))\" y1=\"\(n(map.top))\" x2=\"\(n(map.x(tick)))\" y2=\"\(n(map.bottom))\"/>\n"
            svg += "<line x1=\"\(n(map.left))\" y1=\"\(n(map.y(tick)))\" x2=\"\(n(map.right))\" y2=\"\(n(map.y(tick)))\"/>\n"
        }
        svg += "</g>\n<g stroke=\"black\" stroke-width=\"1\">\n"
        for tick in Self.ticks {
            svg += "<line x1=\"\(n(map.x(tick)))\" y1=\"\(n(map.bottom))\" x2=\"\(n(map.x(tick)))\" y2=\"\(n(map.bottom + 6))\"/>\n"
            svg += "<line x1=\"\(n(map.left - 6))\" y1=\"\(n(map.y(tick)))\" x2=\"\(n(map.left))\" y2=\"\(n(map.y(tick)))\"/>\n"
        }
        svg += "</g>\n<g font-size=\"13\" fill=\"black\">\n"
        for tick in Self.ticks {
            let label = String(format: "%.1f", tick)
            svg += "<text x=\"\(n(map.x(tick)))\" y=\"\(n(map.bottom + 22))\" text-anchor=\"middle\">\(label)</text>\n"
            svg += "<text x=\"\(n(map.left - 10))\" y=\"\(n(map.y(tick) + 4.5))\" text-anchor=\"end\">\(label)</text>\n"
        }
        svg += "</g>\n"
        // Axis labels and title.
        let centreX = (map.left + map.right) / 2, centreY = (map.top + map.bottom) / 2
        svg += "<text x=\"\(n(centreX))\" y=\"\(n(map.bottom + 50))\" font-size=\"15\" text-anchor=\"middle\">False positive rate</text>\n"
        svg +=
            "<text x=\"\(n(22))\" y=\"\(n(centreY))\" font-size=\"15\" text-anchor=\"middle\" transform=\"rotate(-90 22 \(n(centreY)))\">True positive rate</text>\n"
        if let title {
            svg += "<text x=\"\(n(centreX))\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">\(XMLEscaping.escaped(title))</text>\n"
        }
        // Diagonal, curve, axes box.
        svg +=
            "<line x1=\"\(n(map.left))\" y1=\"\(n(map.bottom))\" x2=\"\(n(map.right))\" y2=\"\(n(map.top))\" stroke=\"#808080\" stroke-width=\"1\" stroke-dasharray=\"6 4\"/>\n"
        let points = curvePoints(map).map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"\(curveColor)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(points)\"/>\n"
        svg +=
            "<rect x=\"\(n(map.left))\" y=\"\(n(map.top))\" width=\"\(n(map.right - map.left))\" height=\"\(n(map.bottom - map.top))\" fill=\"none\" stroke=\"black\" stroke-width=\"1\"/>\n"
        // Legend, lower right inside the axes.
        let legendWidth = 150.0, legendHeight = 28.0
        let legendX = map.right - legendWidth - 10, legendY = map.bottom - legendHeight - 10
        svg +=
            "<g>\n<rect x=\"\(n(legendX))\" y=\"\(n(legendY))\" width=\"\(n(legendWidth))\" height=\"\(n(legendHeight))\" fill=\"white\" stroke=\"#b0b0b0\" stroke-width=\"1\"/>\n"
        svg +=
            "<line x1=\"\(n(legendX + 8))\" y1=\"\(n(legendY + legendHeight / 2))\" x2=\"\(n(legendX + 32))\" y2=\"\(n(legendY + legendHeight / 2))\" stroke=\"\(curveColor)\" stroke-width=\"2\"/>\n"
        svg += "<text x=\"\(n(legendX + 40))\" y=\"\(n(legendY + legendHeight / 2 + 5))\" font-size=\"14\">\(XMLEscaping.escaped(legendText))</text>\n</g>\n"
        svg += "</svg>\n"
        return svg
    }

    /// Writes ``svg()`` to `url` as UTF-8, atomically.
    ///
    /// - Throws: the errors of ``plotArea()``, and ``ExplainError/fileWriteFailed(path:reason:)``.
    public func writeSVG(to url: URL) throws(ExplainError) {
        try RenderingSupport.writeAtomically(Data(svg().utf8), to: url)
    }

    // MARK: PNG

    /// The plot drawn on a white canvas of ``width`` × ``height`` pixels, with the bitmap font.
    /// A title too wide for the canvas is drawn smaller, and cut short with `...` if needed.
    ///
    /// - Throws: the errors of ``plotArea()``.
    public func render() throws(ExplainError) -> Canvas {
        let area = try plotArea()
        let map = Mapping(area)
        var canvas = try Canvas(width: width, height: height)
        let textScale = 2, grid = RGBColor(grey: 0.9), black = RGBColor.black
        let capital = BitmapFont.capitalHeight * textScale
        for tick in Self.ticks.dropFirst().dropLast() {
            canvas.drawLine(fromX: map.x(tick), y: map.top, toX: map.x(tick), y: map.bottom, color: grid)
            canvas.drawLine(fromX: map.left, y: map.y(tick), toX: map.right, y: map.y(tick), color: grid)
        }
        for tick in Self.ticks {
            let label = String(format: "%.1f", tick)
            let labelSize = BitmapFont.size(of: label, scale: textScale)
            canvas.drawLine(fromX: map.x(tick), y: map.bottom, toX: map.x(tick), y: map.bottom + 6, color: black)
            canvas.drawLine(fromX: map.left - 6, y: map.y(tick), toX: map.left, y: map.y(tick), color: black)
            canvas.drawText(label, atX: Int(map.x(tick)) - labelSize.width / 2, y: area.maxY + 10, color: black, scale: textScale)
            canvas.drawText(label, atX: area.x - 10 - labelSize.width, y: Int(map.y(tick)) - capital / 2, color: black, scale: textScale)
        }
        let xLabel = "False positive rate", yLabel = "True positive rate"
        let xLabelSize = BitmapFont.size(of: xLabel, scale: textScale), yLabelSize = BitmapFont.size(of: yLabel, scale: textScale)
        canvas.drawText(xLabel, atX: area.x + (area.width - xLabelSize.width) / 2, y: area.maxY + 36, color: black, scale: textScale)
        canvas.drawText(yLabel, atX: 8, y: area.y + (area.height - yLabelSize.width) / 2, color: black, scale: textScale, orientation: .upward)
        if let title {
            // Scale 2 when it fits, else scale 1, else cut short with "...".
            let room = width - 16
            var (text, scale) = (title, BitmapFont.size(of: title, scale: textScale).width <= room ? textScale : 1)
            while BitmapFont.size(of: text, scale: scale).width > room, text.count > 3 {
                text = String(text.dropLast(text.hasSuffix("...") ? 4 : 1)) + "..."
            }
            let titleWidth = BitmapFont.size(of: text, scale: scale).width
            let x = min(max(area.x + (area.width - titleWidth) / 2, 8), width - 8 - titleWidth)
            canvas.drawText(text, atX: x, y: scale == textScale ? 14 : 18, color: black, scale: scale)
        }
        canvas.drawLine(fromX: map.left, y: map.bottom, toX: map.right, y: map.top, color: RGBColor(grey: 0.5), dash: (on: 6, off: 4))
        let points = curvePoints(map)
        for (from, to) in zip(points, points.dropFirst()) {
            canvas.drawLine(fromX: from.x, y: from.y, toX: to.x, y: to.y, color: curveColor, lineWidth: 2)
        }
        canvas.strokeRectangle(area, color: black)
        // Legend, lower right inside the axes.
        let legendText = legendText
        let textSize = BitmapFont.size(of: legendText, scale: textScale)
        let legend = PixelRect(
            x: area.maxX - textSize.width - 60, y: area.maxY - textSize.height - 26, width: textSize.width + 48, height: textSize.height + 14)
        canvas.fill(legend, with: .white)
        canvas.strokeRectangle(legend, color: RGBColor(grey: 0.7))
        let middle = Double(legend.y) + 7 + Double(capital) / 2
        canvas.drawLine(fromX: Double(legend.x) + 8, y: middle, toX: Double(legend.x) + 32, y: middle, color: curveColor, lineWidth: 2)
        canvas.drawText(legendText, atX: legend.x + 40, y: legend.y + 7, color: black, scale: textScale)
        return canvas
    }

    /// Writes ``render()`` to `url` as an 8-bit RGB PNG, atomically.
    ///
    /// - Throws: the errors of ``plotArea()``, and ``ExplainError/fileWriteFailed(path:reason:)``.
    public func writePNG(to url: URL) throws(ExplainError) {
        try render().writePNG(to: url)
    }
}
