import Foundation

/// A chart of one or more lines as a standalone SVG document: axes with "nice" ticks
/// (steps of 1, 2 or 5 times a power of ten), a light grid, axis labels, an optional title,
/// and a legend under the axes naming each line; lines of few points get a dot per point. The report pages draw their ROC, PRO,
/// loss and score curves with it.
///
/// Lines are clipped to the axes box, so a range narrower than the data (the PRO curve up to
/// FPR 0.3) shows that part only. Non-finite points are left out, and points closer than
/// half a pixel to the previous one are thinned away, which draws the same line.
///
/// ```swift
/// let chart = LineChart(
///     series: [.init(name: "loss", xs: epochs, ys: losses, color: LineChart.palette[0])],
///     title: "Training loss", xLabel: "epoch", yLabel: "loss")
/// try chart.writeSVG(to: URL(fileURLWithPath: "loss.svg"))
/// ```
public struct LineChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable, Equatable {
        /// The name in the legend.
        public var name: String
        /// The horizontal coordinates of the points.
        public var xs: [Double]
        /// The vertical coordinates of the points (as many as ``xs``; extra ones are ignored).
        public var ys: [Double]
        /// The colour of the line.
        public var color: RGBColor
        /// Whether the line is dashed (for references such as the chance diagonal).
        public var dashed: Bool

        /// A line through the points (`xs[i]`, `ys[i]`).
        public init(name: String, xs: [Double], ys: [Double], color: RGBColor, dashed: Bool = false) {
            self.name = name
            self.xs = xs
            self.ys = ys
            self.color = color
            self.dashed = dashed
        }
    }

    /// The lines, drawn in this order.
    public var series: [Series]
    /// A title above the axes, or `nil`.
    public var title: String?
    /// The label under the horizontal axis.
    public var xLabel: String
    /// The label left of the vertical axis.
    public var yLabel: String
    /// The horizontal range; `nil` spans the data, widened to whole ticks.
    public var xRange: ClosedRange<Double>?
    /// The vertical range; `nil` spans the data, widened to whole ticks.
    public var yRange: ClosedRange<Double>?
    /// Whether the horizontal ticks are whole numbers only (for counts such as epochs).
    public var wholeNumberXTicks: Bool
    /// Width of the chart in pixels (SVG user units).
    public var width: Int
    /// Height of the chart in pixels (SVG user units).
    public var height: Int

    /// Distinct line colours: matplotlib's first five (blue, orange, green, red, purple).
    public static let palette: [RGBColor] = [
        RGBColor(red8: 31, green8: 119, blue8: 180), RGBColor(red8: 255, green8: 127, blue8: 14),
        RGBColor(red8: 44, green8: 160, blue8: 44), RGBColor(red8: 214, green8: 39, blue8: 40),
        RGBColor(red8: 148, green8: 103, blue8: 189),
    ]

    /// A chart; see the properties.
    public init(
        series: [Series], title: String? = nil, xLabel: String, yLabel: String,
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, wholeNumberXTicks: Bool = false,
        width: Int = 480, height: Int = 400
    ) {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.wholeNumberXTicks = wholeNumberXTicks
        self.width = width
        self.height = height
    }

    /// One axis: its range, tick step and the ticks inside the range.
    struct Axis: Equatable {
        let lower: Double, upper: Double, step: Double

        /// An axis over `range`, or over the finite `values` widened to whole ticks (a single
        /// value, or none, gets a unit-wide range around it), with a tick step of at least
        /// `minimumStep`, made coarser until the tick labels fit into `room` pixels
        /// (`horizontal`: side by side, about 7 pixels per character; else 18 pixels per tick).
        init(range: ClosedRange<Double>?, values: [Double], minimumStep: Double = 0, room: Double = .infinity, horizontal: Bool = true) {
            let fixed = range.flatMap { $0.lowerBound.isFinite && $0.upperBound.isFinite && $0.upperBound > $0.lowerBound ? $0 : nil }
            var (low, high) =
                fixed.map { ($0.lowerBound, $0.upperBound) }
                ?? {
                    let finite = values.filter(\.isFinite)
                    return (finite.min() ?? 0, finite.max() ?? 1)
                }()
            if fixed == nil, high - low <= max(abs(high), abs(low)) * 1e-9 {
                (low, high) = (low - 0.5, high + 0.5)
            }
            var step = max(Self.niceStep(for: high - low), minimumStep)
            while true {
                let axis =
                    fixed == nil
                    ? Axis(lower: (low / step).rounded(.down) * step, upper: (high / step).rounded(.up) * step, step: step)
                    : Axis(lower: low, upper: high, step: step)
                let ticks = axis.ticks
                let space = horizontal ? 7 * Double(ticks.map { axis.label($0).count }.max() ?? 0) + 10 : 18
                guard ticks.count > 2, Double(ticks.count) * space > room else {
                    self = axis
                    return
                }
                step = Self.coarser(step)
            }
        }

        /// An axis with the given bounds and step.
        private init(lower: Double, upper: Double, step: Double) {
            self.lower = lower
            self.upper = upper
            self.step = step
        }

        /// The next step of the 1, 2, 5 sequence above `step`.
        static func coarser(_ step: Double) -> Double {
            let magnitude = pow(10, log10(step).rounded(.down))
            let fraction = (step / magnitude).rounded()
            return magnitude * (fraction < 2 ? 2 : fraction < 5 ? 5 : 10)
        }

        /// 1, 2 or 5 times a power of ten, giving about five intervals over `span`.
        static func niceStep(for span: Double) -> Double {
            let raw = span / 5
            let magnitude = pow(10, (log10(raw)).rounded(.down))
            let fraction = raw / magnitude
            return magnitude * (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10)
        }

        /// The multiples of the step inside the range (with a little slack for rounding).
        var ticks: [Double] {
            let first = (lower / step - 1e-9).rounded(.up)
            let last = (upper / step + 1e-9).rounded(.down)
            guard first <= last else { return [] }
            return stride(from: first, through: last, by: 1).map { $0 * step }
        }

        /// A tick's label with as many decimals as the step needs.
        func label(_ value: Double) -> String {
            let decimals = max(0, Int((-log10(step)).rounded(.up)))
            let text = String(format: "%.\(decimals)f", value)
            return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
        }
    }

    /// Left, top, right and bottom space around the axes box.
    private var insets: (left: Int, top: Int, right: Int, bottom: Int) {
        (72, title == nil ? 16 : 40, 20, 64 + 22 * ((legendLayout().map(\.row).max() ?? -1) + 1))
    }

    /// Where each legend entry goes: its left edge and its row, entries flowing left to right
    /// and wrapping at the chart's width (text widths estimated for a 12-pixel sans-serif font).
    private func legendLayout() -> [(x: Double, row: Int)] {
        let (left, right) = (20.0, Double(width) - 20)
        var (x, row) = (left, 0)
        return series.map { line in
            let entryWidth = 30 + 7 * Double(line.name.count) + 18
            if x > left, x + entryWidth > right { (x, row) = (left, row + 1) }
            defer { x += entryWidth }
            return (x, row)
        }
    }

    /// Lines with at most this many points get a dot at each point, so that a short run
    /// (one or two epochs) still shows.
    static let markedPointLimit = 40

    /// The axes box in pixels.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` when ``width`` or
    ///   ``height`` leaves less than 60 × 60 pixels for it.
    public func plotArea() throws(ExplainError) -> PixelRect {
        let insets = insets
        let area = PixelRect(x: insets.left, y: insets.top, width: width - insets.left - insets.right, height: height - insets.top - insets.bottom)
        guard area.width >= 60, area.height >= 60 else {
            throw .invalidArgument(
                operation: "LineChart", message: "expected a chart with at least 60 × 60 pixels inside the axes, found \(width) × \(height) in all")
        }
        return area
    }

    /// The chart as a standalone SVG 1.1 document (UTF-8 text); every text is escaped.
    ///
    /// - Throws: the errors of ``plotArea()``.
    public func svg() throws(ExplainError) -> String {
        let area = try plotArea()
        let xAxis = Axis(range: xRange, values: series.flatMap(\.xs), minimumStep: wholeNumberXTicks ? 1 : 0, room: Double(area.width), horizontal: true)
        let yAxis = Axis(range: yRange, values: series.flatMap(\.ys), room: Double(area.height), horizontal: false)
        let (left, right) = (Double(area.x), Double(area.maxX))
        let (top, bottom) = (Double(area.y), Double(area.maxY))
        func x(_ value: Double) -> Double { left + (value - xAxis.lower) / (xAxis.upper - xAxis.lower) * (right - left) }
        func y(_ value: Double) -> Double { bottom - (value - yAxis.lower) / (yAxis.upper - yAxis.lower) * (bottom - top) }
        func n(_ value: Double) -> String { String(format: "%.2f", value) }
        let text = XMLEscaping.escaped
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <title>\(text(title ?? "\(yLabel) against \(xLabel)"))</title>
            <defs><clipPath id="axes"><rect x="\(n(left))" y="\(n(top))" width="\(n(right - left))" height="\(n(bottom - top))"/></clipPath></defs>
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="white"/>

            """
        svg += "<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
        for tick in xAxis.ticks { svg += "<line x1=\"\(n(x(tick)))\" y1=\"\(n(top))\" x2=\"\(n(x(tick)))\" y2=\"\(n(bottom))\"/>\n" }
        for tick in yAxis.ticks { svg += "<line x1=\"\(n(left))\" y1=\"\(n(y(tick)))\" x2=\"\(n(right))\" y2=\"\(n(y(tick)))\"/>\n" }
        svg += "</g>\n<g font-size=\"12\" fill=\"black\">\n"
        for tick in xAxis.ticks {
            svg += "<line x1=\"\(n(x(tick)))\" y1=\"\(n(bottom))\" x2=\"\(n(x(tick)))\" y2=\"\(n(bottom + 5))\" stroke=\"black\"/>\n"
            svg += "<text x=\"\(n(x(tick)))\" y=\"\(n(bottom + 19))\" text-anchor=\"middle\">\(xAxis.label(tick))</text>\n"
        }
        for tick in yAxis.ticks {
            svg += "<line x1=\"\(n(left - 5))\" y1=\"\(n(y(tick)))\" x2=\"\(n(left))\" y2=\"\(n(y(tick)))\" stroke=\"black\"/>\n"
            svg += "<text x=\"\(n(left - 8))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(yAxis.label(tick))</text>\n"
        }
        svg += "</g>\n"
        let centreX = (left + right) / 2, centreY = (top + bottom) / 2
        svg += "<text x=\"\(n(centreX))\" y=\"\(n(bottom + 42))\" font-size=\"14\" text-anchor=\"middle\">\(text(xLabel))</text>\n"
        svg += "<text x=\"18\" y=\"\(n(centreY))\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(n(centreY)))\">\(text(yLabel))</text>\n"
        if let title {
            svg += "<text x=\"\(n(Double(width) / 2))\" y=\"26\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">\(text(title))</text>\n"
        }
        svg += "<g clip-path=\"url(#axes)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n"
        for line in series {
            var points: [(x: Double, y: Double)] = []
            let count = min(line.xs.count, line.ys.count)
            for index in 0..<count where line.xs[index].isFinite && line.ys[index].isFinite {
                let point = (x: x(line.xs[index]), y: y(line.ys[index]))
                if let last = points.last, index != count - 1,
                    (point.x - last.x) * (point.x - last.x) + (point.y - last.y) * (point.y - last.y) < 0.25
                {
                    continue
                }
                points.append(point)
            }
            let dash = line.dashed ? " stroke-dasharray=\"6 4\" stroke-width=\"1.5\"" : ""
            svg += "<polyline stroke=\"\(line.color)\"\(dash) points=\"\(points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " "))\"/>\n"
            if !line.dashed, points.count <= Self.markedPointLimit {
                for point in points { svg += "<circle cx=\"\(n(point.x))\" cy=\"\(n(point.y))\" r=\"3\" fill=\"\(line.color)\" stroke=\"none\"/>\n" }
            }
        }
        svg += "</g>\n"
        svg +=
            "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(bottom - top))\" fill=\"none\" stroke=\"black\" stroke-width=\"1\"/>\n"
        // The legend: entries flowing in rows under the axis label.
        for (line, place) in zip(series, legendLayout()) {
            let legendX = place.x, legendY = bottom + 62 + Double(place.row) * 22
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            svg +=
                "<line x1=\"\(n(legendX))\" y1=\"\(n(legendY - 4))\" x2=\"\(n(legendX + 24))\" y2=\"\(n(legendY - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>\n"
            svg += "<text x=\"\(n(legendX + 30))\" y=\"\(n(legendY))\" font-size=\"12\">\(text(line.name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// Writes ``svg()`` to `url` as UTF-8, atomically.
    ///
    /// - Throws: the errors of ``plotArea()``, and ``ExplainError/fileWriteFailed(path:reason:)``.
    public func writeSVG(to url: URL) throws(ExplainError) {
        try RenderingSupport.writeAtomically(Data(svg().utf8), to: url)
    }
}
