import Datasets
import Foundation

/// An RGB drawing surface for figures: a `width × height` buffer of colours that can be
/// filled, outlined, drawn on with lines and text, and have images copied in at integer
/// scales, then turned into an `Image` or written as a PNG.
///
/// Coordinates are pixels from the top-left corner, `x` to the right and `y` down. Every
/// operation clips to the canvas: drawing partly or wholly outside it is not an error.
///
/// ```swift
/// var canvas = try Canvas(width: 240, height: 120)
/// try canvas.blit(input, atX: 4, y: 4, scale: 4)
/// canvas.drawText("Anomalous", atX: 124, y: 10, color: .black, scale: 2)
/// try canvas.writePNG(to: url)
/// ```
public struct Canvas: Sendable {
    /// How text runs: left to right, or rotated a quarter turn counter-clockwise to read
    /// from bottom to top (as the label of a vertical axis).
    public enum TextOrientation: Sendable, Equatable {
        /// Left to right, lines going down.
        case horizontal
        /// Bottom to top, the tops of the letters facing left.
        case upward
    }

    /// Columns of the canvas.
    public let width: Int
    /// Rows of the canvas.
    public let height: Int
    /// `height × width × 3` samples: R, G, B of each pixel, rows from the top (the layout
    /// of an RGB `Image`).
    public private(set) var pixels: [Float]

    /// A canvas of the given size filled with `background`.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` when `width` or
    ///   `height` is below 1, or the canvas would hold more than `Image.maximumSampleCount`
    ///   samples.
    public init(width: Int, height: Int, background: RGBColor = .white) throws(ExplainError) {
        guard width >= 1, height >= 1,
            case let (area, false) = width.multipliedReportingOverflow(by: height),
            area <= Image.maximumSampleCount / 3
        else {
            throw .invalidArgument(
                operation: "Canvas",
                message: "expected a width and height of at least 1 and at most \(Image.maximumSampleCount / 3) pixels, found \(width) × \(height)")
        }
        self.init(validatedWidth: width, height: height, background: background)
    }

    /// A canvas whose size the caller has checked as ``init(width:height:background:)`` does.
    init(validatedWidth width: Int, height: Int, background: RGBColor) {
        self.width = width
        self.height = height
        pixels = [Float](repeating: 0, count: 3 * width * height)
        fill(background)
    }

    /// The whole canvas as a rectangle, `(0, 0)` to `(width, height)`.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// The colour of pixel `(x, y)`, or `nil` outside the canvas.
    public func color(atX x: Int, y: Int) -> RGBColor? {
        guard bounds.contains(x: x, y: y) else { return nil }
        let offset = 3 * (y * width + x)
        return RGBColor(r: pixels[offset], g: pixels[offset + 1], b: pixels[offset + 2])
    }

    /// The canvas as an RGB `Image` of the same size.
    public var image: Image { Image(validatedWidth: width, height: height, channels: 3, pixels: pixels) }

    /// The canvas encoded as an 8-bit RGB PNG.
    ///
    /// - Throws: ``ExplainError/fileWriteFailed(path:reason:)`` (path `<PNG in memory>`)
    ///   when encoding fails.
    public func pngData() throws(ExplainError) -> Data {
        do {
            return try image.pngData(bitDepth: 8)
        } catch {
            throw .fileWriteFailed(path: "<PNG in memory>", reason: error.description)
        }
    }

    /// Writes the canvas as an 8-bit RGB PNG to `url`, atomically (`AtomicFile`): readers
    /// see the old file or the complete new one.
    ///
    /// - Throws: ``ExplainError/fileWriteFailed(path:reason:)`` when the file cannot be
    ///   encoded or written (a missing directory, a full disk, ...).
    public func writePNG(to url: URL) throws(ExplainError) {
        try RenderingSupport.writePNG(image, to: url)
    }

    // MARK: Filling

    /// Fills the whole canvas with `color`.
    public mutating func fill(_ color: RGBColor) {
        fill(bounds, with: color)
    }

    /// Fills the part of `rect` that lies on the canvas with `color`.
    public mutating func fill(_ rect: PixelRect, with color: RGBColor) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        let width = width
        let (r, g, b) = (color.r, color.g, color.b)
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for row in area.y..<area.maxY {
                var pixel = base + 3 * (row * width + area.x)
                for _ in 0..<area.width {
                    pixel[0] = r
                    pixel[1] = g
                    pixel[2] = b
                    pixel += 3
                }
            }
        }
    }

    /// Outlines `rect` with lines `lineWidth` pixels wide drawn inside it (a width below 1
    /// counts as 1).
    public mutating func strokeRectangle(_ rect: PixelRect, color: RGBColor, lineWidth: Int = 1) {
        guard !rect.isEmpty else { return }
        let line = max(lineWidth, 1)
        fill(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: min(line, rect.height)), with: color)
        fill(PixelRect(x: rect.x, y: rect.maxY - line, width: rect.width, height: min(line, rect.height)), with: color)
        fill(PixelRect(x: rect.x, y: rect.y, width: min(line, rect.width), height: rect.height), with: color)
        fill(PixelRect(x: rect.maxX - line, y: rect.y, width: min(line, rect.width), height: rect.height), with: color)
    }

    // MARK: Lines

    /// Draws a straight line from `(x0, y0)` to `(x1, y1)` in pixel coordinates (pixel
    /// `(i, j)` covers `[i, i + 1) × [j, j + 1)`, so `(i + 0.5, j + 0.5)` is its centre).
    ///
    /// The line is `lineWidth` pixels thick (at least 1, at most the canvas's longer side
    /// plus 2): every pixel whose centre lies in a
    /// `lineWidth`-sided square centred on a point of the segment is painted. With `dash`
    /// it is drawn in dashes of `on` pixels separated by gaps of `off` pixels, measured along
    /// the line from its start.
    public mutating func drawLine(
        fromX x0: Double, y y0: Double, toX x1: Double, y y1: Double,
        color: RGBColor, lineWidth: Double = 1, dash: (on: Double, off: Double)? = nil
    ) {
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { return }
        let thickness = min(max(lineWidth.isFinite ? lineWidth : 1, 1), Double(max(width, height) + 2))
        let length = ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).squareRoot()
        // Clip the segment to the canvas (widened by the line's reach), Liang–Barsky style,
        // so that far-away endpoints cost no steps.
        let reach = thickness + 1
        var (start, end) = (0.0, 1.0)
        for (origin, delta, low, high) in [(x0, x1 - x0, -reach, Double(width) + reach), (y0, y1 - y0, -reach, Double(height) + reach)] {
            if delta == 0 {
                if origin < low || origin > high { return }
                continue
            }
            let (a, b) = ((low - origin) / delta, (high - origin) / delta)
            start = max(start, min(a, b))
            end = min(end, max(a, b))
        }
        guard start <= end else { return }
        let steps = max(Int(((end - start) * length * 4).rounded(.up)), 1)
        let side = Int(thickness.rounded())
        let period = dash.map { max($0.on, 0) + max($0.off, 0) } ?? 0
        var lastStamp: (Int, Int)?
        for step in 0...steps {
            let t = start + (end - start) * Double(step) / Double(steps)
            if let dash, period > 0, (t * length).truncatingRemainder(dividingBy: period) >= max(dash.on, 0) { continue }
            let x = x0 + (x1 - x0) * t, y = y0 + (y1 - y0) * t
            let left = Int((x - thickness / 2).rounded()), top = Int((y - thickness / 2).rounded())
            if let lastStamp, lastStamp == (left, top) { continue }
            lastStamp = (left, top)
            fill(PixelRect(x: left, y: top, width: side, height: side), with: color)
        }
    }

    // MARK: Images

    /// Copies `image` onto the canvas with its top-left corner at `(x, y)`, each pixel
    /// enlarged to a `scale × scale` block (nearest neighbour). Grey images are shown grey;
    /// images with alpha are blended over the canvas (`a · image + (1 − a) · canvas`).
    /// Parts that fall outside the canvas are left out.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` when `scale` is below 1.
    public mutating func blit(_ image: Image, atX x: Int, y: Int, scale: Int = 1) throws(ExplainError) {
        guard scale >= 1 else {
            throw .invalidArgument(operation: "Canvas.blit", message: "expected a scale of at least 1, found \(scale)")
        }
        blit(image, atX: x, y: y, validatedScale: scale)
    }

    /// ``blit(_:atX:y:scale:)`` with a scale the caller has checked to be at least 1.
    mutating func blit(_ image: Image, atX x: Int, y: Int, validatedScale scale: Int) {
        let (scaledWidth, overflowW) = image.width.multipliedReportingOverflow(by: scale)
        let (scaledHeight, overflowH) = image.height.multipliedReportingOverflow(by: scale)
        guard !overflowW, !overflowH else { return }
        let area = PixelRect(x: x, y: y, width: scaledWidth, height: scaledHeight).intersection(bounds)
        guard !area.isEmpty else { return }
        let (canvasWidth, channels, sourceWidth) = (width, image.channels, image.width)
        let isColour = channels >= 3, hasAlpha = channels % 2 == 0
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                for row in area.y..<area.maxY {
                    let sourceRow = from + ((row - y) / scale) * sourceWidth * channels
                    var pixel = to + 3 * (row * canvasWidth + area.x)
                    for column in area.x..<area.maxX {
                        let sample = sourceRow + ((column - x) / scale) * channels
                        let r = sample[0]
                        let (g, b) = isColour ? (sample[1], sample[2]) : (r, r)
                        if hasAlpha {
                            let alpha = sample[channels - 1]
                            pixel[0] = alpha * r + (1 - alpha) * pixel[0]
                            pixel[1] = alpha * g + (1 - alpha) * pixel[1]
                            pixel[2] = alpha * b + (1 - alpha) * pixel[2]
                        } else {
                            pixel[0] = r
                            pixel[1] = g
                            pixel[2] = b
                        }
                        pixel += 3
                    }
                }
            }
        }
    }

    // MARK: Text

    /// Draws `text` with ``BitmapFont`` at `scale` (each font pixel a `scale × scale`
    /// block; below 1 counts as 1). `(x, y)` is the top-left corner of the text's box, whose
    /// size is ``BitmapFont/size(of:scale:)`` (width and height swapped for
    /// ``TextOrientation/upward``). Newlines start new lines; only glyph pixels are painted.
    public mutating func drawText(
        _ text: String, atX x: Int, y: Int, color: RGBColor, scale: Int = 1,
        orientation: TextOrientation = .horizontal
    ) {
        let scale = max(scale, 1)
        let boxWidth = BitmapFont.size(of: text, scale: scale).width
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for (characterIndex, character) in line.enumerated() {
                let rows = BitmapFont.rows(of: character)
                for (glyphRow, bits) in rows.enumerated() where bits != 0 {
                    for glyphColumn in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - glyphColumn)) != 0 {
                        // Position in the unrotated text box.
                        let u = (characterIndex * BitmapFont.advance + glyphColumn) * scale
                        let v = (lineIndex * BitmapFont.lineHeight + glyphRow) * scale
                        let block: PixelRect
                        switch orientation {
                        case .horizontal:
                            block = PixelRect(x: x + u, y: y + v, width: scale, height: scale)
                        case .upward:
                            block = PixelRect(x: x + v, y: y + boxWidth - u - scale, width: scale, height: scale)
                        }
                        fill(block, with: color)
                    }
                }
            }
        }
    }
}
