import Datasets
import Explain
import FixtureSupport
import Foundation
import TensorCore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

// The rendering part of Explain: colour maps against matplotlib (Fixtures/colormaps.json,
// written by Scripts/make_colormap_fixtures.py), then canvas, font, overlays, contours,
// colour bar, figure layouts and the ROC plot. Pixel checks go through a PNG round trip
// (encode, decode with `Image(pngData:)`) and compare exactly at 8 bits.

// MARK: - Helpers

/// The 8-bit level a sample is written as, back as a float (what decoding gives).
private func quantised(_ value: Float) -> Float {
    (value > 0 ? min(value, 1) * 255 : 0).rounded() / 255
}

/// The samples of pixel `(x, y)`.
private func samples(_ image: Image, x: Int, y: Int) -> [Float] {
    let offset = (y * image.width + x) * image.channels
    return Array(image.pixels[offset..<(offset + image.channels)])
}

/// The canvas encoded as a PNG and decoded again.
private func roundTrip(_ canvas: Canvas) throws -> Image {
    try Image(pngData: canvas.pngData())
}

/// The image encoded as a PNG and decoded again.
private func roundTrip(_ image: Image) throws -> Image {
    try Image(pngData: image.pngData())
}

/// Whether decoded RGB pixel `(x, y)` is exactly `color` at 8 bits.
private func hasColor(_ image: Image, x: Int, y: Int, _ color: RGBColor) -> Bool {
    samples(image, x: x, y: y) == [quantised(color.r), quantised(color.g), quantised(color.b)]
}

/// A constant grey or RGB image.
private func constantImage(width: Int, height: Int, _ values: [Float]) throws -> Image {
    try Image(width: width, height: height, channels: values.count, pixels: Array((0..<(width * height)).map { _ in values }.joined()))
}

/// A temporary directory, removed by the caller.
private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rendering-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

// MARK: - Colour maps

struct RenderingColormapFixture: Decodable {
    struct Sample: Decodable {
        let x: String
        let rgb: [Double]
    }
    struct Map: Decodable {
        let lut: [[Double]]
        let samples: [Sample]
    }
    let matplotlib: String
    let maps: [String: Map]
}

@Suite("Rendering: colour maps")
struct RenderingColorMapTests {
    let fixture = loadFixture(RenderingColormapFixture.self, resource: "colormaps", generator: "Scripts/make_colormap_fixtures.py", bundle: .module)

    @Test("jet and viridis tables equal matplotlib's 256 entries", arguments: ["jet", "viridis"])
    func tables(name: String) throws {
        let map = try #require(try fixture.get().maps[name])
        let colorMap = name == "jet" ? ColorMap.jet : ColorMap.viridis
        #expect(colorMap.entryCount == 256)
        #expect(map.lut.count == 256)
        for (index, (expected, found)) in zip(map.lut, colorMap.colors).enumerated() {
            let difference = max(abs(Double(found.r) - expected[0]), abs(Double(found.g) - expected[1]), abs(Double(found.b) - expected[2]))
            #expect(difference < 1e-6, "\(name) entry \(index): \(found) vs \(expected)")
        }
    }

    @Test("color(at:) gives matplotlib's colour at probe values, clamped outside [0, 1]", arguments: ["jet", "viridis"])
    func probes(name: String) throws {
        let map = try #require(try fixture.get().maps[name])
        let colorMap = name == "jet" ? ColorMap.jet : ColorMap.viridis
        #expect(map.samples.count > 60)
        for sample in map.samples {
            let x = try #require(Float(sample.x))
            let found = colorMap.color(at: x)
            let difference = max(abs(Double(found.r) - sample.rgb[0]), abs(Double(found.g) - sample.rgb[1]), abs(Double(found.b) - sample.rgb[2]))
            #expect(difference < 1e-6, "\(name)(\(sample.x)) = \(found), matplotlib \(sample.rgb)")
        }
    }

    @Test("known jet colours: dark blue at 0, green-yellow at the middle, dark red at 1")
    func knownJet() {
        #expect(ColorMap.jet.color(at: 0) == RGBColor(r: 0, g: 0, b: 0.5))
        #expect(ColorMap.jet.color(at: 1) == RGBColor(r: 0.5, g: 0, b: 0))
        #expect(ColorMap.jet.color(at: 0.5).g == 1)
        #expect(ColorMap.jet.color(at: -3) == ColorMap.jet.color(at: 0))
        #expect(ColorMap.jet.color(at: 7) == ColorMap.jet.color(at: 1))
        #expect(ColorMap.jet.color(at: .nan) == ColorMap.jet.color(at: 0))
        #expect(ColorMap.viridis.color(at: 0) == RGBColor(r: 0.267004, g: 0.004874, b: 0.329415))
        #expect(ColorMap.viridis.color(at: 1) == RGBColor(r: 0.993248, g: 0.906157, b: 0.143936))
    }

    @Test("grey is exact and clamped")
    func grey() {
        #expect(ColorMap.grey.color(at: 0.3) == RGBColor(grey: 0.3))
        #expect(ColorMap.grey.color(at: 0.75) == RGBColor(grey: 0.75))
        #expect(ColorMap.grey.color(at: -1) == .black)
        #expect(ColorMap.grey.color(at: 2) == .white)
        #expect(ColorMap.grey.color(at: .nan) == .black)
    }

    @Test("a map [H, W] becomes an RGB image of its size, pixel by pixel")
    func mapImage() throws {
        let values: [Float] = [0, 0.1, 0.2, 0.5, 0.9, 1]
        let image = try ColorMap.jet.image(of: Tensor(shape: [2, 3], scalars: values))
        #expect(image.width == 3 && image.height == 2 && image.channels == 3)
        for (index, value) in values.enumerated() {
            let colour = ColorMap.jet.color(at: value)
            #expect(samples(image, x: index % 3, y: index / 3) == [colour.r, colour.g, colour.b])
        }
        #expect(throws: ExplainError.self) { try ColorMap.jet.image(of: Tensor(shape: [1, 2, 3], repeating: 0)) }
    }

    @Test("custom maps: linear tables interpolate, nearest tables take bins; too few colours throw")
    func customMaps() throws {
        let linear = try ColorMap(name: "two", colors: [.black, .red], lookup: .linear)
        #expect(linear.color(at: 0.25) == RGBColor(r: 0.25, g: 0, b: 0))
        let bins = try ColorMap(name: "bins", colors: [.black, .red, .green, .blue], lookup: .nearest)
        #expect(bins.color(at: 0.24) == .black)
        #expect(bins.color(at: 0.25) == .red)
        #expect(bins.color(at: 1) == .blue)
        #expect(throws: ExplainError.self) { try ColorMap(name: "one", colors: [.red], lookup: .linear) }
        #expect(throws: ExplainError.self) { try ColorMap(name: "none", colors: [], lookup: .nearest) }
    }
}

// MARK: - Canvas and font

@Suite("Rendering: canvas and font")
struct RenderingCanvasTests {
    @Test("fill and strokeRectangle paint exactly the given pixels")
    func fillAndStroke() throws {
        var canvas = try Canvas(width: 7, height: 6, background: .white)
        canvas.fill(PixelRect(x: 1, y: 1, width: 2, height: 3), with: .red)
        canvas.fill(PixelRect(x: 5, y: 4, width: 10, height: 10), with: .blue)  // clipped
        canvas.strokeRectangle(PixelRect(x: 3, y: 0, width: 3, height: 3), color: .green)
        let image = try roundTrip(canvas)
        #expect(image.width == 7 && image.height == 6 && image.channels == 3)
        for y in 0..<6 {
            for x in 0..<7 {
                let expected: RGBColor
                if (1...2).contains(x) && (1...3).contains(y) {
                    expected = .red
                } else if x >= 5 && y >= 4 {
                    expected = .blue
                } else if (3...5).contains(x) && (0...2).contains(y) && !(x == 4 && y == 1) {
                    expected = .green
                } else {
                    expected = .white
                }
                #expect(hasColor(image, x: x, y: y, expected), "pixel (\(x), \(y))")
            }
        }
        #expect(throws: ExplainError.self) { try Canvas(width: 0, height: 3) }
    }

    @Test("blit copies grey and RGB images at integer scales, clips, and blends alpha")
    func blit() throws {
        var canvas = try Canvas(width: 9, height: 8, background: .black)
        let grey = try Image(width: 2, height: 2, channels: 1, pixels: [0.2, 0.4, 0.6, 0.8])
        try canvas.blit(grey, atX: 1, y: 1, scale: 3)
        let rgba = try Image(width: 1, height: 1, channels: 4, pixels: [1, 0, 0, 0.5])
        try canvas.blit(rgba, atX: 8, y: 7, scale: 2)  // one pixel left after clipping
        let image = try roundTrip(canvas)
        for y in 0..<8 {
            for x in 0..<9 {
                let inside = (1..<7).contains(x) && (1..<7).contains(y)
                if inside {
                    let value = grey.pixels[((y - 1) / 3) * 2 + (x - 1) / 3]
                    #expect(hasColor(image, x: x, y: y, RGBColor(grey: value)), "pixel (\(x), \(y))")
                } else if x == 8 && y == 7 {
                    #expect(hasColor(image, x: x, y: y, RGBColor(r: 0.5, g: 0, b: 0)))
                } else {
                    #expect(hasColor(image, x: x, y: y, .black), "pixel (\(x), \(y))")
                }
            }
        }
        #expect(throws: ExplainError.invalidArgument(operation: "Canvas.blit", message: "expected a scale of at least 1, found 0")) {
            try canvas.blit(grey, atX: 0, y: 0, scale: 0)
        }
    }

    @Test("lines cover the pixels whose centres they pass, dashes leave gaps")
    func lines() throws {
        var canvas = try Canvas(width: 10, height: 5, background: .white)
        canvas.drawLine(fromX: 0.5, y: 2.5, toX: 9.5, y: 2.5, color: .black)
        canvas.drawLine(fromX: 0.5, y: 0.5, toX: 9.5, y: 0.5, color: .red, dash: (on: 2, off: 2))
        let image = try roundTrip(canvas)
        for x in 0..<10 {
            #expect(hasColor(image, x: x, y: 2, .black))
            #expect(hasColor(image, x: x, y: 1, .white))
            #expect(hasColor(image, x: x, y: 3, .white))
        }
        var far = try Canvas(width: 10, height: 5, background: .white)
        far.drawLine(fromX: -1e12, y: 4.5, toX: 1e12, y: 4.5, color: .black, lineWidth: 1e300)
        far.drawLine(fromX: -1e12, y: 2.5, toX: 1e12, y: 2.5, color: .blue)
        #expect((0..<10).allSatisfy { far.color(atX: $0, y: 2) == .blue })
        let dashed = (0..<10).map { hasColor(image, x: $0, y: 0, .red) }
        #expect(dashed.contains(true) && dashed.contains(false))
        #expect(dashed[0])
    }

    @Test("every printable ASCII glyph is distinct and has ink (space excepted); others draw as ?")
    func font() {
        var seen = Set<[UInt8]>()
        for code in 33...126 {
            let rows = Array(BitmapFont.rows(of: Character(UnicodeScalar(UInt8(code)))))
            #expect(rows.count == BitmapFont.glyphHeight)
            #expect(rows.contains { $0 != 0 }, "glyph \(code) is blank")
            #expect(rows.allSatisfy { $0 < 32 })
            seen.insert(rows)
        }
        #expect(seen.count == 94)
        #expect(BitmapFont.rows(of: " ").allSatisfy { $0 == 0 })
        #expect(Array(BitmapFont.rows(of: "é")) == Array(BitmapFont.rows(of: "?")))
        #expect(BitmapFont.size(of: "AUC", scale: 1) == (17, 9))
        #expect(BitmapFont.size(of: "AUC", scale: 2) == (34, 18))
        #expect(BitmapFont.size(of: "ab\nc", scale: 1) == (11, 20))
        #expect(BitmapFont.size(of: "", scale: 3) == (0, 0))
    }

    @Test("text lands where the font says, horizontally and rotated upwards")
    func text() throws {
        var canvas = try Canvas(width: 20, height: 20, background: .white)
        canvas.drawText("L", atX: 2, y: 3, color: .black, scale: 2)
        var rotated = try Canvas(width: 20, height: 20, background: .white)
        rotated.drawText("L", atX: 2, y: 3, color: .black, scale: 1, orientation: .upward)
        let image = try roundTrip(canvas), turned = try roundTrip(rotated)
        // "L": column 0 of rows 0...6 and row 6 across, each font pixel a 2 × 2 block.
        for row in 0..<7 {
            #expect(hasColor(image, x: 2, y: 3 + 2 * row, .black) && hasColor(image, x: 3, y: 4 + 2 * row, .black))
        }
        for column in 0..<5 { #expect(hasColor(image, x: 2 + 2 * column, y: 3 + 12, .black)) }
        #expect(hasColor(image, x: 4, y: 3, .white))
        #expect(hasColor(image, x: 4, y: 3 + 10, .white))
        // Rotated a quarter turn counter-clockwise in a 9 × 5 box: the stem runs along the
        // box's bottom row (x 2...8, y 7), the foot up its right edge (x 8, y 3...7).
        for v in 0..<7 { #expect(hasColor(turned, x: 2 + v, y: 7, .black), "stem at x \(2 + v)") }
        for u in 0..<5 { #expect(hasColor(turned, x: 8, y: 7 - u, .black), "foot at y \(7 - u)") }
        #expect(hasColor(turned, x: 2, y: 6, .white))
    }
}

// MARK: - Overlays and contours

@Suite("Rendering: overlays and contours")
struct RenderingOverlayTests {
    @Test("overlay is (1 − α) · input + α · colour, for grey and RGB inputs")
    func overlay() throws {
        let greyInput = try Image(width: 3, height: 2, channels: 1, pixels: [0, 0.2, 0.4, 0.6, 0.8, 1])
        let heatmap = Tensor(shape: [2, 3], scalars: [1, 0.75, 0.5, 0.25, 0, 0.9])
        let opacity: Float = 0.4, keep: Float = 1 - opacity
        let blended = try roundTrip(greyInput.overlaying(heatmap: heatmap, colorMap: .jet, opacity: opacity))
        #expect(blended.channels == 3)
        for index in 0..<6 {
            let colour = ColorMap.jet.color(at: heatmap.scalars[index]), grey = greyInput.pixels[index]
            let expected = [colour.r, colour.g, colour.b].map { quantised(keep * grey + opacity * $0) }
            #expect(samples(blended, x: index % 3, y: index / 3) == expected, "pixel \(index)")
        }
        let rgb = try constantImage(width: 3, height: 2, [0.2, 0.4, 0.6])
        let full = try rgb.overlaying(heatmap: heatmap, colorMap: .viridis, opacity: 1)
        #expect(
            samples(full, x: 1, y: 0)
                == {
                    let c = ColorMap.viridis.color(at: 0.75); return [c.r, c.g, c.b]
                }())
        let none = try rgb.overlaying(heatmap: heatmap, opacity: 0)
        #expect(none.pixels == rgb.pixels)
        #expect(throws: ExplainError.self) { try rgb.overlaying(heatmap: Tensor(shape: [3, 2], repeating: 0)) }
        #expect(throws: ExplainError.self) { try rgb.overlaying(heatmap: heatmap, opacity: 1.5) }
    }

    @Test("the contour of a square mask is its border ring, drawn at those pixels only")
    func maskContour() throws {
        // A 3 × 3 square at x 1...3, y 2...4 of a 6 × 6 mask.
        var values = [Float](repeating: 0, count: 36)
        for y in 2...4 { for x in 1...3 { values[y * 6 + x] = 1 } }
        let contour = try Contour(mask: Tensor(shape: [6, 6], scalars: values))
        let ring = contour.points.map { [$0.x, $0.y] }
        #expect(ring == [[1, 2], [2, 2], [3, 2], [1, 3], [3, 3], [1, 4], [2, 4], [3, 4]])
        let input = try constantImage(width: 6, height: 6, [0.5])
        let drawn = try roundTrip(input.drawingContour(contour, color: .red))
        for y in 0..<6 {
            for x in 0..<6 {
                let expected = ring.contains([x, y]) ? RGBColor.red : RGBColor(grey: 0.5)
                #expect(hasColor(drawn, x: x, y: y, expected), "pixel (\(x), \(y))")
            }
        }
        #expect(throws: ExplainError.self) { try constantImage(width: 5, height: 6, [0]).drawingContour(contour, color: .red) }
    }

    @Test("a thresholded heatmap region touching the edge is closed along the edge")
    func heatmapContour() throws {
        // Values rise to the right; the region ≥ 0.5 is columns 2...3 of a 4 × 3 map.
        let heatmap = Tensor(shape: [3, 4], scalars: [0, 0.3, 0.5, 0.9, 0.1, 0.4, 0.6, 1, 0, 0.2, 0.7, 0.8])
        let contour = try Contour(heatmap: heatmap, threshold: 0.5)
        #expect(contour.points.map { [$0.x, $0.y] } == [[2, 0], [3, 0], [2, 1], [3, 1], [2, 2], [3, 2]])
        let inner = try Contour(heatmap: Tensor(shape: [5, 5], scalars: (0..<25).map { Float($0 == 12 ? 1 : 0) }), threshold: 0.5)
        #expect(inner.points.map { [$0.x, $0.y] } == [[2, 2]])
        #expect(throws: ExplainError.self) { try Contour(heatmap: heatmap, threshold: .nan) }
        #expect(throws: ExplainError.self) { try Contour(mask: Tensor(shape: [2, 2, 2], repeating: 0)) }
    }
}

// MARK: - Colour bar

@Suite("Rendering: colour bar")
struct RenderingColorBarTests {
    @Test("the bar runs from the colour of 1 at the top to that of 0 at the bottom, with ticks and labels")
    func colorBar() throws {
        let bar = ColorBar(colorMap: .jet, barWidth: 10, barHeight: 51, ticks: [0, 0.5, 1, 2], fractionDigits: 1)
        #expect(bar.label(for: 0.5) == "0.5")
        #expect(bar.label(for: -0.0001) == "0.0")
        #expect(bar.row(for: 1) == 0 && bar.row(for: 0) == 50 && bar.row(for: 0.5) == 25)
        let size = bar.size
        var canvas = try Canvas(width: size.width + 4, height: size.height + 4)
        bar.draw(on: &canvas, atX: 2, y: 2)
        let frame = bar.barFrame(atX: 2, y: 2)
        #expect(frame.x == 2 && frame.width == 10 && frame.height == 51)
        #expect(frame.y >= 2 && frame.maxY <= 2 + size.height)
        let image = try roundTrip(canvas)
        #expect(hasColor(image, x: frame.x + 4, y: frame.y, ColorMap.jet.color(at: 1)))
        #expect(hasColor(image, x: frame.x + 4, y: frame.maxY - 1, ColorMap.jet.color(at: 0)))
        #expect(hasColor(image, x: frame.x + 4, y: frame.y + 25, ColorMap.jet.color(at: 0.5)))
        // Outline just outside the bar, tick marks right of it at the tick rows.
        #expect(hasColor(image, x: frame.x - 1, y: frame.y + 10, .black))
        for row in [0, 25, 50] { #expect(hasColor(image, x: frame.maxX + 2, y: frame.y + row, .black)) }
        #expect(hasColor(image, x: frame.maxX + 2, y: frame.y + 12, .white))
    }
}

// MARK: - Figures

/// Samples whose tiles are constant, so every tile's colour is known: image `i` is grey
/// `(i + 1) / (count + 1)`, heatmap `i` is `i / (count − 1)`, mask `i` is `i % 2`.
private func constantSamples(count: Int, labels: [Int], scores: [Float], size: Int = 28, masks: Bool = true) throws -> HeatmapSamples {
    let images = try (0..<count).map { try constantImage(width: size, height: size, [Float($0 + 1) / Float(count + 1)]) }
    let plane = size * size
    let heatmaps = Tensor(shape: [count, size, size], scalars: (0..<(count * plane)).map { Float($0 / plane) / Float(max(count - 1, 1)) })
    let maskTensor = Tensor(shape: [count, size, size], scalars: (0..<(count * plane)).map { Float(($0 / plane) % 2) })
    return try HeatmapSamples(images: images, heatmaps: heatmaps, masks: masks ? maskTensor : nil, scores: scores, labels: labels)
}

@Suite("Rendering: figures")
struct RenderingFigureTests {
    @Test("global blocks: first n per label, then n/2 lowest and n/2 highest per label, n even")
    func globalSelection() throws {
        let labels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]
        let scores: [Float] = [5, 1, 3, 9, 0, 4, 3, 2, 7, 8, 6]
        let blocks = try SampleSelection.globalBlocks(scores: scores, labels: labels, perRow: 5)
        #expect(
            blocks == [
                SampleSelection(label: 0, kind: .first, indices: [0, 2, 4, 6]),
                SampleSelection(label: 1, kind: .first, indices: [1, 3, 5, 7]),
                SampleSelection(label: 0, kind: .extremes, indices: [4, 2, 10, 8]),  // ties (3, 3) keep data order
                SampleSelection(label: 1, kind: .extremes, indices: [1, 7, 9, 3]),
            ])
        #expect(throws: ExplainError.self) { try SampleSelection.globalBlocks(scores: [1, 2, 3], labels: [0, 0, 1]) }
        #expect(throws: ExplainError.countMismatch(operation: "SampleSelection.globalBlocks", scores: 2, labels: 1)) {
            try SampleSelection.globalBlocks(scores: [1, 2], labels: [0])
        }
        #expect(throws: ExplainError.nanScore(operation: "SampleSelection.globalBlocks", index: 1)) {
            try SampleSelection.globalBlocks(scores: [1, .nan], labels: [0, 0])
        }
    }

    @Test("score-rank picks match the reference's array_split rule")
    func scoreRanks() throws {
        // Expected positions from numpy: array_split(range(m), 6), part n at int(n / 5 · len).
        for (count, positions) in [(20, [0, 4, 9, 12, 16, 19]), (7, [0, 2, 3, 4, 5, 6]), (100, [0, 20, 40, 61, 80, 99]), (4, [0, 1, 2, 3])] {
            // Label-1 samples at odd indices, scored in reverse so that sorting matters.
            let labels = (0..<(2 * count)).map { $0 % 2 }
            let scores = (0..<(2 * count)).map { Float(2 * count - $0) }
            let picks = try SampleSelection.scoreRanks(scores: scores, labels: labels, label: 1, count: 6)
            let sortedLabelOne = (0..<count).map { 2 * (count - 1 - $0) + 1 }
            #expect(picks.indices == positions.map { sortedLabelOne[$0] }, "m = \(count)")
            #expect(picks.kind == .scoreRanks && picks.label == 1)
        }
        #expect(throws: ExplainError.self) { try SampleSelection.scoreRanks(scores: [1, 2], labels: [0, 0], label: 1) }
        #expect(throws: ExplainError.self) { try SampleSelection.scoreRanks(scores: [1, 2], labels: [0, 0], label: 0, count: 1) }
    }

    @Test("Figure 1 layout: rows, labels and tile positions, tiles drawn where the layout says")
    func explanationFigure() throws {
        let nominal = try (0..<3).map { try constantImage(width: 28, height: 28, [Float($0 + 1) / 10]) }
        let anomalous = try (0..<2).map { try constantImage(width: 28, height: 28, [0.5 + Float($0) / 10]) }
        let heatmaps = Tensor(shape: [2, 28, 28], scalars: (0..<(2 * 784)).map { $0 < 784 ? 0.2 : 0.9 })
        let truth = Tensor(shape: [2, 28, 28], scalars: (0..<(2 * 784)).map { $0 < 784 ? 1 : 0 })
        let grid = try HeatmapFigure.explanation(nominal: nominal, anomalous: anomalous, heatmaps: heatmaps, groundTruth: truth)
        #expect(grid.scale == 4)
        #expect(grid.items.count == 4)
        #expect(grid.columnCount == 3)
        // Label column: "Anomalous" at scale 2 is (9 · 6 − 1) · 2 = 106 pixels, then a 12-pixel gap.
        let left = 12 + 106 + 12
        #expect(grid.frame(item: 0, column: 0) == PixelRect(x: left, y: 12, width: 112, height: 112))
        #expect(grid.frame(item: 0, column: 2) == PixelRect(x: left + 2 * 116, y: 12, width: 112, height: 112))
        #expect(grid.frame(item: 1, column: 1) == PixelRect(x: left + 116, y: 12 + 116, width: 112, height: 112))
        #expect(grid.frame(item: 3, column: 0) == PixelRect(x: left, y: 12 + 3 * 116, width: 112, height: 112))
        #expect(grid.frame(item: 1, column: 2) == nil)
        // The colour bar's bar starts level with the heatmap row.
        let box = try #require(grid.colorBarBox)
        let bar = try #require(grid.colorBar).barFrame(atX: box.x, y: box.y)
        #expect(bar.y == 12 + 2 * 116 && bar.x == left + 3 * 116 - 4 + 12)
        #expect(grid.size.width == box.maxX + 12)
        #expect(grid.size.height == 12 + 4 * 116 - 4 + 12)

        let url = try temporaryDirectory().appendingPathComponent("figure1.png")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try grid.writePNG(to: url)
        let image = try Image(contentsOf: url)
        #expect(image.width == grid.size.width && image.height == grid.size.height)
        func centre(_ item: Int, _ column: Int) throws -> (Int, Int) {
            let frame = try #require(grid.frame(item: item, column: column))
            return (frame.x + frame.width / 2, frame.y + frame.height / 2)
        }
        for column in 0..<3 {
            let (x, y) = try centre(0, column)
            #expect(hasColor(image, x: x, y: y, RGBColor(grey: Float(column + 1) / 10)))
            let frame = try #require(grid.frame(item: 0, column: column))
            #expect(hasColor(image, x: frame.x, y: frame.y, RGBColor(grey: Float(column + 1) / 10)))
            #expect(hasColor(image, x: frame.maxX - 1, y: frame.maxY - 1, RGBColor(grey: Float(column + 1) / 10)))
            #expect(hasColor(image, x: frame.maxX, y: frame.y, .white))  // spacing
        }
        for column in 0..<2 {
            var (x, y) = try centre(1, column)
            #expect(hasColor(image, x: x, y: y, RGBColor(grey: 0.5 + Float(column) / 10)))
            (x, y) = try centre(2, column)
            #expect(hasColor(image, x: x, y: y, ColorMap.jet.color(at: column == 0 ? 0.2 : 0.9)))
            (x, y) = try centre(3, column)
            #expect(hasColor(image, x: x, y: y, column == 0 ? .white : .black))
        }
        // The row label is black text in the label column, left of the tiles.
        let labelPixels = (12..<(left - 12)).flatMap { x in (12..<124).map { (x, $0) } }.filter { hasColor(image, x: $0.0, y: $0.1, .black) }
        #expect(!labelPixels.isEmpty)

        #expect(throws: ExplainError.self) {
            try HeatmapFigure.explanation(nominal: nominal, anomalous: anomalous, heatmaps: Tensor(shape: [3, 28, 28], repeating: 0))
        }
        #expect(throws: ExplainError.self) { try HeatmapFigure.explanation(nominal: [], anomalous: [], heatmaps: Tensor(shape: [0, 1, 1], repeating: 0)) }
    }

    @Test("heatmaps_global grid: blocks of input, heatmap and truth rows, separated by gaps")
    func globalFigure() throws {
        let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1]
        let scores: [Float] = [0.1, 0.5, 0.3, 0.2, 0.9, 0.4, 0.8, 0.7, 0.6]
        let samples = try constantSamples(count: 9, labels: labels, scores: scores)
        let grid = try HeatmapFigure.global(samples, perRow: 20)
        // n = 4 (smallest label); 4 blocks of title, input, heatmap, truth; 3 gaps between.
        #expect(grid.items.count == 4 * 4 + 3)
        #expect(grid.columnCount == 4)
        guard case let .title(first) = grid.items[0], case let .title(third) = grid.items[10] else {
            Issue.record("expected titles at items 0 and 10")
            return
        }
        #expect(first == "First 4 nominal (label 0)")
        #expect(third == "Nominal (label 0): 2 lowest and 2 highest scores")
        let image = try roundTrip(grid.render())
        // Block 3 (nominal extremes): indices 0, 3 (lowest) and 2, 1 (highest).
        for (column, index) in [0, 3, 2, 1].enumerated() {
            let input = try #require(grid.frame(item: 11, column: column))
            #expect(hasColor(image, x: input.x + 5, y: input.y + 5, RGBColor(grey: Float(index + 1) / 10)))
            let heat = try #require(grid.frame(item: 12, column: column))
            #expect(heat.y == input.maxY + 3 + 18 + 4)  // caption gap, caption (scale 2), spacing
            #expect(hasColor(image, x: heat.x + 5, y: heat.y + 5, ColorMap.jet.color(at: Float(index) / 8)))
            let truth = try #require(grid.frame(item: 13, column: column))
            #expect(hasColor(image, x: truth.x + 5, y: truth.y + 5, index % 2 == 1 ? .white : .black))
        }
        // Scores are printed under the inputs.
        let caption = try #require(grid.frame(item: 11, column: 0))
        let inkUnder = (caption.x..<caption.maxX).contains { x in (caption.maxY..<(caption.maxY + 21)).contains { hasColor(image, x: x, y: $0, .black) } }
        #expect(inkUnder)
        // The colour bar is level with the first heatmap row.
        let box = try #require(grid.colorBarBox)
        #expect(try #require(grid.colorBar).barFrame(atX: box.x, y: box.y).y == grid.frame(item: 2, column: 0)?.y)
    }

    @Test("paper picks figure: six samples from lowest to highest score, with scores")
    func scoreRankFigure() throws {
        let count = 14
        let labels = (0..<count).map { $0 < 7 ? 0 : 1 }
        let scores = (0..<count).map { Float(($0 * 5) % count) }
        let samples = try constantSamples(count: count, labels: labels, scores: scores, size: 32, masks: false)
        let grid = try HeatmapFigure.scoreRanks(samples, label: 1, count: 6, style: FigureStyle(showsColorBar: false))
        #expect(grid.items.count == 3)  // title, input, heatmap (no masks)
        #expect(grid.scale == 4)
        #expect(grid.colorBarBox == nil)
        let picks = try SampleSelection.scoreRanks(scores: scores, labels: labels, label: 1).indices
        #expect(picks.count == 6)
        #expect(zip(picks, picks.dropFirst()).allSatisfy { scores[$0.0] <= scores[$0.1] })
        let image = try roundTrip(grid.render())
        for (column, index) in picks.enumerated() {
            let frame = try #require(grid.frame(item: 1, column: column))
            #expect(frame.width == 128)
            #expect(hasColor(image, x: frame.x + 64, y: frame.y + 64, RGBColor(grey: Float(index + 1) / Float(count + 1))))
        }
        #expect(throws: ExplainError.self) { try HeatmapFigure.scoreRanks(samples, label: 2) }
        #expect(throws: ExplainError.self) { try HeatmapFigure.scoreRanks(samples, label: 1, style: FigureStyle(heatmapOpacity: 2)) }
    }

    @Test("overlay style blends heatmap tiles over their inputs")
    func overlayStyle() throws {
        let set = try constantSamples(count: 4, labels: [0, 0, 1, 1], scores: [1, 2, 3, 4], masks: false)
        let grid = try HeatmapFigure.scoreRanks(set, label: 0, count: 2, style: FigureStyle(scale: 1, heatmapOpacity: 0.5))
        #expect(grid.scale == 1)
        let tile = try #require(grid.frame(item: 2, column: 1))
        let image = try roundTrip(grid.render())
        let colour = ColorMap.jet.color(at: 1.0 / 3), grey = Float(2) / 5
        #expect(samples(image, x: tile.x + 3, y: tile.y + 3) == [colour.r, colour.g, colour.b].map { quantised(0.5 * grey + 0.5 * $0) })
    }

    @Test("samples check their sizes and counts; input tensors are min-max scaled for display")
    func samplesValidation() throws {
        let batch = Tensor(shape: [2, 1, 2, 2], scalars: [-1, 0, 1, 3, 5, 5, 5, 5])
        let images = try HeatmapSamples.displayImages(batch)
        #expect(images[0].pixels == [0, 0.25, 0.5, 1])
        #expect(images[1].pixels == [1, 1, 1, 1])  // constant: clamped
        #expect(try HeatmapSamples.displayImages(batch, display: .clamped)[0].pixels == [0, 0, 1, 1])
        let maps = Tensor(shape: [2, 2, 2], repeating: 0)
        let samples = try HeatmapSamples(inputs: batch, heatmaps: maps, scores: [0, 1], labels: [0, 1])
        #expect(samples.count == 2 && samples.imageSize == (2, 2))
        #expect(throws: ExplainError.self) {
            try HeatmapSamples(inputs: batch, heatmaps: Tensor(shape: [2, 3, 2], repeating: 0), scores: [0, 1], labels: [0, 1])
        }
        #expect(throws: ExplainError.self) { try HeatmapSamples(inputs: batch, heatmaps: maps, scores: [0], labels: [0, 1]) }
        #expect(throws: ExplainError.self) {
            try HeatmapSamples(inputs: batch, heatmaps: maps, masks: Tensor(shape: [1, 2, 2], repeating: 0), scores: [0, 1], labels: [0, 1])
        }
        #expect(throws: ExplainError.self) { try HeatmapSamples.displayImages(Tensor(shape: [2, 5, 2, 2], repeating: 0)) }
    }

    @Test("tile grid: titles and gaps move rows down; mixed tile sizes, bad colour bars and gaps are refused")
    func tileGrid() throws {
        let tile = try constantImage(width: 10, height: 8, [0.5])
        let style = FigureStyle(scale: 2, spacing: 3, margin: 5, labelScale: 1)
        let grid = try TileGrid(items: [.title("T"), .row(label: nil, tiles: [tile, nil, tile]), .gap(7), .row(label: "ab", tiles: [tile])], style: style)
        // Title: 9 rows + 2 · spacing; row: 16 + spacing; gap 7. Label "ab" is 11 wide, then a 12-pixel gap.
        #expect(grid.frame(item: 1, column: 0) == PixelRect(x: 5 + 11 + 12, y: 5 + 9 + 6, width: 20, height: 16))
        #expect(grid.frame(item: 1, column: 1) == PixelRect(x: 28 + 23, y: 20, width: 20, height: 16))
        #expect(grid.frame(item: 3, column: 0) == PixelRect(x: 28, y: 20 + 19 + 7, width: 20, height: 16))
        #expect(grid.top(ofItem: 2) == 39)
        #expect(grid.size.width == 28 + 3 * 20 + 2 * 3 + 5)
        #expect(grid.size.height == 46 + 16 + 5)
        let image = try roundTrip(grid.render())
        #expect(hasColor(image, x: 28 + 23 + 5, y: 25, .white))  // the nil tile is left blank
        #expect(hasColor(image, x: 28 + 46 + 5, y: 25, RGBColor(grey: 0.5)))

        let other = try constantImage(width: 8, height: 8, [0.5])
        #expect(throws: ExplainError.self) { try TileGrid(items: [.row(label: nil, tiles: [tile, other])]) }
        #expect(throws: ExplainError.self) { try TileGrid(items: [.gap(-1)]) }
        #expect(throws: ExplainError.self) { try TileGrid(items: [.title("x")], colorBar: (ColorBar(colorMap: .jet), 0)) }
        #expect(throws: ExplainError.self) { try TileGrid(items: [.row(label: nil, tiles: [tile])], style: FigureStyle(scale: 0)) }
    }

    @Test("writing a figure into a missing directory fails with the path")
    func writeFailure() throws {
        let grid = try HeatmapFigure.explanation(
            nominal: [constantImage(width: 4, height: 4, [0.5])], anomalous: [], heatmaps: Tensor(shape: [0, 4, 4], repeating: 0))
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/figure.png")
        do {
            try grid.writePNG(to: url)
            Issue.record("expected the write to fail")
        } catch {
            guard case let .fileWriteFailed(path, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == url.path)
        }
    }
}

// MARK: - Comparison figure

/// Four constant 28 × 28 inputs (grey `(i + 1) / 10`) and three methods whose heatmap of
/// input `i` is the constant `(4m + i) / 11` for method `m`, so every tile's colour is known.
private struct ComparisonFixture {
    let inputs: [Image]
    let methods: [(name: String, heatmaps: Tensor)]
    let truth: Tensor

    static func value(method: Int, input: Int) -> Float { Float(4 * method + input) / 11 }

    init() throws {
        inputs = try (0..<4).map { try constantImage(width: 28, height: 28, [Float($0 + 1) / 10]) }
        methods = ["FCDD", "Gradient", "HSC"].enumerated().map { method, name in
            (name, Tensor(shape: [4, 28, 28], scalars: (0..<(4 * 784)).map { Self.value(method: method, input: $0 / 784) }))
        }
        truth = Tensor(shape: [4, 28, 28], scalars: (0..<(4 * 784)).map { Float(($0 / 784) % 2) })
    }
}

@Suite("Rendering: comparison figure")
struct RenderingComparisonFigureTests {
    // Label column: "Gradient" at scale 2 is (8 · 6 − 1) · 2 = 94 pixels, then a 12-pixel
    // gap; tiles are 28 · 4 = 112 pixels, 4 apart.
    let left = 12 + 94 + 12
    let step = 116

    @Test("without truth: Input and one row per method, colour bar level with the first method")
    func layout() throws {
        let fixture = try ComparisonFixture()
        let grid = try HeatmapFigure.comparison(inputs: fixture.inputs, methods: fixture.methods)
        #expect(grid.scale == 4)
        #expect(grid.items.count == 4)
        #expect(grid.columnCount == 4)
        let labels = grid.items.map { item -> String? in if case let .row(label, _, _) = item { label } else { nil } }
        #expect(labels == ["Input", "FCDD", "Gradient", "HSC"])
        for item in 0..<4 {
            for column in 0..<4 {
                #expect(grid.frame(item: item, column: column) == PixelRect(x: left + column * step, y: 12 + item * step, width: 112, height: 112))
            }
        }
        #expect(grid.frame(item: 0, column: 4) == nil)
        #expect(grid.frame(item: 4, column: 0) == nil)
        let box = try #require(grid.colorBarBox)
        let bar = try #require(grid.colorBar).barFrame(atX: box.x, y: box.y)
        #expect(bar.y == 12 + step && bar.x == left + 4 * step - 4 + 12)
        #expect(grid.size.width == box.maxX + 12)
        #expect(grid.size.height == 12 + 4 * step - 4 + 12)
    }

    @Test("with truth and title: the tiles show inputs, each method's colours and the masks; the PNG decodes")
    func pixels() throws {
        let fixture = try ComparisonFixture()
        let grid = try HeatmapFigure.comparison(inputs: fixture.inputs, methods: fixture.methods, groundTruth: fixture.truth, title: "Methods")
        #expect(grid.items.count == 6)
        // The title takes its text height (9 · 2) and twice the spacing.
        let top = 12 + 18 + 2 * 4
        for item in 1..<6 {
            #expect(grid.frame(item: item, column: 3) == PixelRect(x: left + 3 * step, y: top + (item - 1) * step, width: 112, height: 112))
        }
        #expect(grid.frame(item: 0, column: 0) == nil)
        let box = try #require(grid.colorBarBox)
        #expect(try #require(grid.colorBar).barFrame(atX: box.x, y: box.y).y == top + step)
        #expect(grid.size.height == top + 5 * step - 4 + 12)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("comparison.png")
        try grid.writePNG(to: url)
        let image = try Image(contentsOf: url)
        #expect(image.width == grid.size.width && image.height == grid.size.height && image.channels == 3)
        func centre(_ item: Int, _ column: Int) throws -> (x: Int, y: Int) {
            let frame = try #require(grid.frame(item: item, column: column))
            return (frame.x + frame.width / 2, frame.y + frame.height / 2)
        }
        for column in 0..<4 {
            var point = try centre(1, column)
            #expect(hasColor(image, x: point.x, y: point.y, RGBColor(grey: Float(column + 1) / 10)))
            for method in 0..<3 {
                point = try centre(2 + method, column)
                let colour = ColorMap.jet.color(at: ComparisonFixture.value(method: method, input: column))
                #expect(hasColor(image, x: point.x, y: point.y, colour), "method \(method), input \(column)")
            }
            point = try centre(5, column)
            #expect(hasColor(image, x: point.x, y: point.y, column % 2 == 1 ? .white : .black))
        }
    }

    @Test("an overlay style blends each method's heatmap over its input, as the explanation figure does")
    func overlay() throws {
        let fixture = try ComparisonFixture()
        let style = FigureStyle(scale: 1, heatmapOpacity: 0.25, showsColorBar: false)
        let grid = try HeatmapFigure.comparison(inputs: fixture.inputs, methods: fixture.methods, style: style)
        #expect(grid.colorBarBox == nil)
        let explanation = try HeatmapFigure.explanation(nominal: [], anomalous: fixture.inputs, heatmaps: fixture.methods[2].heatmaps, style: style)
        let image = try roundTrip(grid.render()), reference = try roundTrip(explanation.render())
        for column in 0..<4 {
            let tile = try #require(grid.frame(item: 3, column: column))
            let colour = ColorMap.jet.color(at: ComparisonFixture.value(method: 2, input: column)), grey = Float(column + 1) / 10
            let expected = [colour.r, colour.g, colour.b].map { quantised(0.75 * grey + 0.25 * $0) }
            #expect(samples(image, x: tile.x + 14, y: tile.y + 14) == expected)
            let same = try #require(explanation.frame(item: 1, column: column))
            #expect(samples(reference, x: same.x + 14, y: same.y + 14) == expected)
        }
    }

    @Test("counts, sizes, names and the style are checked with clear errors")
    func errors() throws {
        let fixture = try ComparisonFixture()
        let operation = "HeatmapFigure.comparison"
        let methods = fixture.methods
        #expect(throws: ExplainError.invalidArgument(operation: operation, message: "expected at least one input, found none")) {
            try HeatmapFigure.comparison(inputs: [], methods: [("FCDD", Tensor(shape: [0, 28, 28], repeating: 0))])
        }
        #expect(throws: ExplainError.invalidArgument(operation: operation, message: "expected at least one method, found none")) {
            try HeatmapFigure.comparison(inputs: fixture.inputs, methods: [])
        }
        let wrongSize = try constantImage(width: 27, height: 28, [0.5])
        #expect(throws: ExplainError.shapeMismatch(operation: operation, expected: "inputs of one size", found: [[28, 28], [28, 27]])) {
            try HeatmapFigure.comparison(inputs: fixture.inputs + [wrongSize], methods: methods)
        }
        for shape in [[4, 28, 27], [3, 28, 28], [4, 1, 28, 28]] {
            let bad: [(name: String, heatmaps: Tensor)] = [methods[0], ("Gradient", Tensor(shape: shape, repeating: 0)), methods[2]]
            #expect(
                throws: ExplainError.shapeMismatch(
                    operation: operation, expected: "heatmaps of method \"Gradient\" [4, 28, 28] (one per input, of the inputs' size)", found: [shape])
            ) {
                try HeatmapFigure.comparison(inputs: fixture.inputs, methods: bad)
            }
        }
        for name in ["", "  "] {
            #expect(throws: ExplainError.invalidArgument(operation: operation, message: "expected a non-empty name for method 1, found \"\(name)\"")) {
                try HeatmapFigure.comparison(inputs: fixture.inputs, methods: [methods[0], (name, methods[1].heatmaps)])
            }
        }
        #expect(throws: ExplainError.invalidArgument(operation: operation, message: "expected distinct method names, found \"FCDD\" more than once")) {
            try HeatmapFigure.comparison(inputs: fixture.inputs, methods: [methods[0], methods[1], ("FCDD", methods[2].heatmaps)])
        }
        #expect(
            throws: ExplainError.shapeMismatch(
                operation: operation, expected: "ground-truth maps [4, 28, 28] (one per input, of the inputs' size)", found: [[2, 28, 28]])
        ) {
            try HeatmapFigure.comparison(inputs: fixture.inputs, methods: methods, groundTruth: Tensor(shape: [2, 28, 28], repeating: 0))
        }
        #expect(throws: ExplainError.invalidArgument(operation: operation, message: "expected a heatmap opacity in [0, 1], found 2.0")) {
            try HeatmapFigure.comparison(inputs: fixture.inputs, methods: methods, style: FigureStyle(heatmapOpacity: 2))
        }
    }
}

// MARK: - ROC plot

/// Collects the text of an SVG document's `<text>` elements and checks it parses.
private final class RenderingSVGCollector: NSObject, XMLParserDelegate {
    var texts = [String]()
    var elements = [String]()
    private var current: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(elementName)
        if elementName == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "text", let current { texts.append(current) }
        if elementName == "text" { current = nil }
    }
}

@Suite("Rendering: ROC plot")
struct RenderingROCPlotTests {
    let curve = ROCCurve(
        falsePositiveRates: [0, 0, 0.1, 0.1, 0.4, 1], truePositiveRates: [0, 0.5, 0.5, 0.9, 1, 1],
        thresholds: [.infinity, 5, 4, 3, 2, 1], areaUnderCurve: 0.9124)

    @Test("SVG is well-formed XML with axes, diagonal, curve and the AUC in the legend")
    func svg() throws {
        var plot = ROCPlot(curve: curve, title: "Class <0> & co")
        #expect(plot.legendText == "AUC = 0.912")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("roc.svg")
        try plot.writeSVG(to: url)
        let data = try Data(contentsOf: url)
        let parser = XMLParser(data: data)
        let collector = RenderingSVGCollector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.elements.first == "svg")
        #expect(collector.texts.contains("AUC = 0.912"))
        #expect(collector.texts.contains("False positive rate") && collector.texts.contains("True positive rate"))
        #expect(collector.texts.contains("Class <0> & co"))
        #expect(collector.texts.contains("0.0") && collector.texts.contains("1.0"))
        #expect(collector.elements.contains("polyline"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("stroke-dasharray"))
        plot.width = 100
        #expect(throws: ExplainError.self) { try plot.svg() }
    }

    @Test("XML escaping replaces the five markup characters and keeps everything else")
    func escaping() {
        #expect(XMLEscaping.escaped(#"a<b>&"c"'d' ünïcødé"#) == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39; ünïcødé")
        #expect(XMLEscaping.escaped("&amp;") == "&amp;amp;")
        #expect(XMLEscaping.escaped("") == "")
    }

    @Test("the PNG has the plot's size, the curve's colour on the curve, and the axes box")
    func png() throws {
        let plot = ROCPlot(curve: curve)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("roc.png")
        try plot.writePNG(to: url)
        let image = try Image(contentsOf: url)
        #expect(image.width == 480 && image.height == 480 && image.channels == 3)
        let area = try plot.plotArea()
        // Axes box corners are black.
        #expect(hasColor(image, x: area.x, y: area.y, .black))
        #expect(hasColor(image, x: area.maxX - 1, y: area.maxY - 1, .black))
        // The curve's vertical segment at FPR 0.1 from TPR 0.5 to 0.9 is drawn in its colour.
        let x = Int(Double(area.x) + 0.5 + 0.1 * Double(area.width - 1))
        let y = Int(Double(area.maxY) - 0.5 - 0.7 * Double(area.height - 1))
        let near = (x - 1...x + 1).contains { hasColor(image, x: $0, y: y, plot.curveColor) }
        #expect(near)
        // Some legend text in the lower right quarter.
        let legendInk = (area.x + area.width / 2..<area.maxX - 2).contains { px in
            (area.y + area.height / 2..<area.maxY - 2).contains { hasColor(image, x: px, y: $0, .black) }
        }
        #expect(legendInk)
    }

    @Test("curves with very many points are thinned in the SVG")
    func thinning() throws {
        let count = 100_000
        let rates = (0..<count).map { Double($0) / Double(count - 1) }
        let big = ROCCurve(
            falsePositiveRates: rates, truePositiveRates: rates.map { $0.squareRoot() }, thresholds: rates.map { Float($0) }, areaUnderCurve: 2.0 / 3)
        let svg = try ROCPlot(curve: big).svg()
        #expect(svg.utf8.count < 100_000)
        #expect(svg.contains("AUC = 0.667"))
    }
}

// MARK: - Example figure

@Suite("Rendering: example figure")
struct RenderingExampleTests {
    @Test("the Fashion-MNIST example: synthetic maps light up anomalies more than nominal images")
    func example() throws {
        let test = try FashionMNIST.bundledSample(split: .test)
        let provider = try ExampleFigure.syntheticHeatmaps(nominalClass: 1)
        let trousers = test.labels.indices.filter { test.labels[$0] == 1 }.prefix(20)
        let others = test.labels.indices.filter { test.labels[$0] != 1 }.prefix(20)
        let indices = Array(trousers) + Array(others)
        let inputs = Tensor(shape: [indices.count, 1, 28, 28], scalars: indices.flatMap { index in test.images.scalars[(index * 784)..<((index + 1) * 784)] })
        let maps = try provider(inputs)
        #expect(maps.shape == [40, 28, 28])
        let values = maps.scalars
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        let nominalMean = values[..<(20 * 784)].reduce(0, +) / Float(20 * 784)
        let anomalousMean = values[(20 * 784)...].reduce(0, +) / Float(20 * 784)
        #expect(anomalousMean > 1.5 * nominalMean)

        let grid = try ExampleFigure.fashionMNIST(nominalClass: 0, columns: 9)
        #expect(grid.items.count == 5)  // title, nominal, heatmap, anomalous, heatmap
        #expect(grid.columnCount == 9)
        #expect(grid.scale == 4)
        let png = try grid.render().pngData()
        #expect(png.count < 300_000)
        // Regenerates the documentation image when asked to.
        if ProcessInfo.processInfo.environment["FCDD_WRITE_EXAMPLE_FIGURE"] == "1" {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            try grid.writePNG(to: root.appendingPathComponent("Sources/Explain/Explain.docc/Resources/example-heatmaps.png"))
        }
    }
}

@Suite("Rendering: line chart")
struct RenderingLineChartTests {
    /// The parsed chart: elements and texts (the SVG must be well-formed XML).
    private func parse(_ chart: LineChart) throws -> (collector: RenderingSVGCollector, text: String) {
        let text = try chart.svg()
        let parser = XMLParser(data: Data(text.utf8))
        let collector = RenderingSVGCollector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        return (collector, text)
    }

    @Test("SVG is well-formed with escaped texts, nice ticks over the data, a clipped line per series and a legend")
    func svg() throws {
        let chart = LineChart(
            series: [
                .init(name: "loss <train> & \"co\"", xs: [1, 2, 3, 4], ys: [0.93, 0.41, 0.27, 0.12], color: LineChart.palette[0]),
                .init(name: "reference", xs: [1, 4], ys: [0.5, 0.5], color: .black, dashed: true),
            ],
            title: "Class <0> & 'co'", xLabel: "epoch", yLabel: "loss")
        let (collector, text) = try parse(chart)
        #expect(collector.elements.first == "svg")
        #expect(collector.texts.contains("Class <0> & 'co'"))
        #expect(collector.texts.contains("loss <train> & \"co\""))
        #expect(collector.texts.contains("epoch") && collector.texts.contains("loss"))
        // y over 0.12...0.93 gets ticks of 0.2 from 0.0 to 1.0; x over 1...4 ticks of 0.5.
        for label in ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.0", "2.5", "4.0"] { #expect(collector.texts.contains(label), "\(label)") }
        #expect(!collector.texts.contains("1.2"))
        #expect(collector.elements.filter { $0 == "polyline" }.count == 2)
        #expect(collector.elements.filter { $0 == "circle" }.count == 4, "few points get dots, dashed references none")
        #expect(text.contains("clip-path=\"url(#axes)\"") && text.contains("stroke-dasharray"))
    }

    @Test("a fixed range clips the data; a constant or empty series still gets an axis; too small a chart throws")
    func ranges() throws {
        let wide = LineChart(
            series: [.init(name: "PRO", xs: [0, 0.1, 0.3, 1], ys: [0, 0.5, 0.8, 1], color: .blue)],
            xLabel: "FPR", yLabel: "PRO", xRange: 0...0.3, yRange: 0...1)
        let (collector, _) = try parse(wide)
        #expect(collector.texts.contains("0.30") && !collector.texts.contains("1.00") && collector.texts.contains("0.05"))
        let constant = LineChart(series: [.init(name: "flat", xs: [3], ys: [7], color: .red)], xLabel: "x", yLabel: "y")
        let (flat, _) = try parse(constant)
        #expect(flat.texts.contains("7.0") && flat.texts.contains("3.0"))
        let epochs = LineChart(series: [.init(name: "loss", xs: [1, 2], ys: [3, 2], color: .red)], xLabel: "epoch", yLabel: "loss", wholeNumberXTicks: true)
        let (counted, _) = try parse(epochs)
        #expect(counted.texts.contains("1") && counted.texts.contains("2") && !counted.texts.contains("1.5") && !counted.texts.contains("1.2"))
        // Long tick labels on a narrow axis: the step grows until they fit side by side.
        let narrow = LineChart(series: [.init(name: "scores", xs: [0.11551, 0.11949], ys: [0, 1], color: .red)], xLabel: "score", yLabel: "share", width: 300)
        let (crowded, _) = try parse(narrow)
        let labels = crowded.texts.filter { $0.hasPrefix("0.11") || $0.hasPrefix("0.12") }
        #expect(labels.count >= 2 && labels.count * (7 * 6 + 10) <= 300 - 92, "\(labels)")
        let empty = LineChart(series: [], xLabel: "x", yLabel: "y")
        #expect(try parse(empty).collector.elements.first == "svg")
        var small = constant
        small.height = 120
        #expect(throws: ExplainError.self) { try small.svg() }
    }

    @Test("many legend entries wrap into rows and make the chart taller inside the same size")
    func legendRows() throws {
        let names = (0..<7).map { "a fairly long series name \($0)" }
        let chart = LineChart(
            series: names.enumerated().map { .init(name: $1, xs: [0, 1], ys: [0, Double($0)], color: .blue) },
            xLabel: "x", yLabel: "y", width: 480, height: 480)
        let single = LineChart(series: [chart.series[0]], xLabel: "x", yLabel: "y", width: 480, height: 480)
        #expect(try chart.plotArea().height < single.plotArea().height)
        #expect(try parse(chart).collector.texts.filter { $0.hasPrefix("a fairly long") }.count == 7)
    }
}
