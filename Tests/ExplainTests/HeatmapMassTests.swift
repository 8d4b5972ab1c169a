import Explain
import TensorCore
import Testing

// HeatmapMass: the share of each heatmap inside a rectangle or mask, and its summary against
// the share of a uniform heatmap.

/// A `[N, H, W]` tensor with `value(image, row, column)` at each pixel.
private func maps(_ count: Int, _ height: Int, _ width: Int, _ value: (Int, Int, Int) -> Float) throws -> Tensor {
    let plane = height * width
    return Tensor(shape: [count, height, width], scalars: (0..<(count * plane)).map { value($0 / plane, ($0 % plane) / width, $0 % width) })
}

@Suite("HeatmapMass")
struct HeatmapMassTests {
    @Test("shares are the hand-computed sums inside over total, for [N, H, W] and [N, 1, H, W]")
    func handComputed() throws {
        // Image 0 is row · 4 + column (total 66); image 1 has 3 at (0, 1) and 1 at (2, 3).
        let heatmaps = try maps(2, 3, 4) { image, row, column in
            image == 0 ? Float(row * 4 + column) : (row == 0 && column == 1 ? 3 : row == 2 && column == 3 ? 1 : 0)
        }
        // Columns 1...2 of rows 0...1: 1 + 2 + 5 + 6 = 14; and the 3 of image 1.
        let region = PixelRect(x: 1, y: 0, width: 2, height: 2)
        let expected = [14.0 / 66.0, 0.75]
        #expect(try HeatmapMass.shares(of: heatmaps, inside: region) == expected)
        #expect(try HeatmapMass.shares(of: heatmaps.unsqueezed(axis: 1), inside: region) == expected)
        let summary = try HeatmapMass.summary(of: heatmaps, inside: region)
        #expect(summary.shares == expected)
        #expect(summary.uniformShare == 4.0 / 12.0)
        #expect(summary.zeroMassImages.isEmpty)
    }

    @Test("a uniform heatmap gives the region's area fraction; the summary's concentration is 1")
    func uniform() throws {
        let heatmaps = try maps(3, 10, 8) { _, _, _ in 0.3 }
        let region = PixelRect(x: 2, y: 1, width: 3, height: 4)
        for share in try HeatmapMass.shares(of: heatmaps, inside: region) {
            #expect(abs(share - 0.15) < 1e-12)
        }
        let summary = try HeatmapMass.summary(of: heatmaps, inside: region)
        #expect(summary.uniformShare == 0.15)
        #expect(abs(summary.mean - 0.15) < 1e-12 && abs(summary.median - 0.15) < 1e-12)
        #expect(abs(summary.concentration - 1) < 1e-12)
    }

    @Test("mean, median (middle two averaged) and concentration; an all-zero heatmap has share 0 and is listed")
    func summary() throws {
        let rows: [[Float]] = [[1, 1, 0, 0], [0, 0, 2, 2], [1, 0, 1, 0], [3, 0, 0, 1], [0, 0, 0, 0]]
        let region = PixelRect(x: 0, y: 0, width: 2, height: 1)
        let four = try HeatmapMass.summary(of: maps(4, 1, 4) { image, _, column in rows[image][column] }, inside: region)
        #expect(four.shares == [1, 0, 0.5, 0.75])
        #expect(four.mean == 0.5625 && four.median == 0.625)
        #expect(four.uniformShare == 0.5 && four.concentration == 1.125)
        let five = try HeatmapMass.summary(of: maps(5, 1, 4) { image, _, column in rows[image][column] }, inside: region)
        #expect(five.shares == [1, 0, 0.5, 0.75, 0])
        #expect(five.zeroMassImages == [4])
        #expect(five.mean == 0.45 && five.median == 0.5)
    }

    @Test("a region partly outside the image is clipped to it")
    func clipping() throws {
        let heatmaps = try maps(2, 10, 8) { image, row, column in Float(image + 1) * Float(row + 2 * column + 1) }
        let outside = PixelRect(x: -2, y: 6, width: 5, height: 100)
        let clipped = PixelRect(x: 0, y: 6, width: 3, height: 4)
        #expect(try HeatmapMass.shares(of: heatmaps, inside: outside) == HeatmapMass.shares(of: heatmaps, inside: clipped))
        #expect(try HeatmapMass.summary(of: heatmaps, inside: outside).uniformShare == 12.0 / 80.0)
        let whole = try HeatmapMass.shares(of: heatmaps, inside: PixelRect(x: -5, y: -5, width: 50, height: 50))
        #expect(whole == [1, 1])
    }

    @Test("a rectangular mask gives exactly the rectangle's shares; per-image masks average their areas")
    func masks() throws {
        let heatmaps = try maps(3, 9, 7) { image, row, column in Float((image * 63 + row * 7 + column) * 37 % 11) / 10 }
        let region = PixelRect(x: 2, y: 3, width: 4, height: 5)
        let rectangle = try maps(3, 9, 7) { _, row, column in region.contains(x: column, y: row) ? 1 : 0 }
        #expect(try HeatmapMass.shares(of: heatmaps, inside: rectangle) == HeatmapMass.shares(of: heatmaps, inside: region))
        #expect(try HeatmapMass.summary(of: heatmaps, inside: rectangle.unsqueezed(axis: 1)) == HeatmapMass.summary(of: heatmaps, inside: region))
        // Masks of 1, 2 and 3 columns (values 0.6 inside, 0.4 outside) of a uniform heatmap.
        let uniform = try maps(3, 9, 7) { _, _, _ in 2 }
        let widening = try maps(3, 9, 7) { image, _, column in column <= image ? 0.6 : 0.4 }
        let summary = try HeatmapMass.summary(of: uniform, inside: widening)
        #expect(summary.shares.enumerated().allSatisfy { abs($0.element - Double($0.offset + 1) / 7) < 1e-12 })
        #expect(abs(summary.uniformShare - 2.0 / 7.0) < 1e-12)
    }

    @Test("negative, NaN and infinite values, wrong shapes and empty regions or masks are refused")
    func errors() throws {
        let operation = "HeatmapMass.shares"
        let region = PixelRect(x: 0, y: 0, width: 2, height: 2)
        let negative = try maps(2, 3, 4) { image, row, column in image == 1 && row == 0 && column == 2 ? -1 : 1 }
        #expect(
            throws: ExplainError.invalidArgument(
                operation: operation, message: "expected non-negative, finite heatmap values, found -1.0 in image 1 at row 0, column 2")
        ) {
            try HeatmapMass.shares(of: negative, inside: region)
        }
        let nan = try maps(2, 3, 4) { image, row, column in image == 1 && row == 2 && column == 1 ? .nan : 1 }
        #expect(throws: ExplainError.nanScore(operation: "HeatmapMass.summary", index: 12 + 9)) {
            try HeatmapMass.summary(of: nan, inside: region)
        }
        let infinite = try maps(1, 3, 4) { _, row, _ in row == 1 ? .infinity : 1 }
        #expect(throws: ExplainError.self) { try HeatmapMass.shares(of: infinite, inside: region) }

        let good = try maps(2, 3, 4) { _, _, _ in 1 }
        #expect(throws: ExplainError.shapeMismatch(operation: operation, expected: "heatmaps [N, H, W] or [N, 1, H, W]", found: [[3, 4]])) {
            try HeatmapMass.shares(of: Tensor(shape: [3, 4], repeating: 1), inside: region)
        }
        #expect(throws: ExplainError.self) { try HeatmapMass.shares(of: Tensor(shape: [2, 2, 3, 4], repeating: 1), inside: region) }
        #expect(throws: ExplainError.self) { try HeatmapMass.shares(of: Tensor(shape: [0, 3, 4], repeating: 1), inside: region) }
        #expect(
            throws: ExplainError.shapeMismatch(operation: operation, expected: "heatmaps and masks of the same N, H and W", found: [[2, 3, 4], [2, 4, 3]])
        ) {
            try HeatmapMass.shares(of: good, inside: Tensor(shape: [2, 4, 3], repeating: 1))
        }
        #expect(throws: ExplainError.self) { try HeatmapMass.shares(of: good, inside: Tensor(shape: [1, 3, 4], repeating: 1)) }

        #expect(
            throws: ExplainError.invalidArgument(
                operation: operation, message: "expected a region that overlaps the 4x3 images, found 4,0 2x2 (x,y widthxheight)")
        ) {
            try HeatmapMass.shares(of: good, inside: PixelRect(x: 4, y: 0, width: 2, height: 2))
        }
        for empty in [PixelRect(x: 1, y: 1, width: 0, height: 2), PixelRect(x: 1, y: 1, width: 2, height: -1), PixelRect(x: -3, y: 0, width: 3, height: 3)] {
            #expect(throws: ExplainError.self) { try HeatmapMass.summary(of: good, inside: empty) }
        }
        let emptyMask = try maps(2, 3, 4) { image, _, _ in image == 0 ? 1 : 0.5 }
        #expect(throws: ExplainError.invalidArgument(operation: operation, message: "expected every mask to have a pixel inside (> 0.5), found none in mask 1"))
        {
            try HeatmapMass.shares(of: good, inside: emptyMask)
        }
    }
}
