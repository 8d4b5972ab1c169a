import Testing

@testable import TensorCore

// The 2×2, stride-2 max-pool (eight outputs per step, an overlapping last chunk, a scalar loop
// for narrow rows) against a scalar reference written here with PyTorch's rule: the window is
// read row by row and a later value wins when it is larger or NaN. Values come from a small
// set so that ties are frequent, and some are NaN, so both the maxima and the winners (which
// the gradient scatters to) are checked where the rule matters.

@Suite("Max-pool 2×2/2 kernel")
struct MaxPoolPairsTests {
    /// Output values and, for an upstream gradient of `projection`, the input gradient.
    private static func reference(_ input: [Float], height: Int, width: Int, planes: Int, projection: [Float]) -> (
        output: [Float], gradient: [Float]
    ) {
        let (outputHeight, outputWidth) = (height / 2, width / 2)
        var output = [Float](repeating: 0, count: planes * outputHeight * outputWidth)
        var gradient = [Float](repeating: 0, count: input.count)
        for plane in 0..<planes {
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    var bestIndex = plane * height * width + 2 * oh * width + 2 * ow
                    for (dy, dx) in [(0, 1), (1, 0), (1, 1)] {
                        let index = plane * height * width + (2 * oh + dy) * width + 2 * ow + dx
                        if input[index] > input[bestIndex] || input[index].isNaN { bestIndex = index }
                    }
                    let o = (plane * outputHeight + oh) * outputWidth + ow
                    output[o] = input[bestIndex]
                    gradient[bestIndex] += projection[o]
                }
            }
        }
        return (output, gradient)
    }

    @Test(
        "matches the scalar rule with ties and NaNs, narrow and wide rows, odd sizes",
        arguments: [(3, 4, 2), (5, 5, 3), (2, 8, 2), (4, 14, 2), (6, 16, 1), (3, 17, 2), (4, 29, 2), (2, 34, 3), (9, 66, 1)])
    func matchesReference(height: Int, width: Int, planes: Int) {
        var generator = SeededGenerator(seed: UInt64(height * 1000 + width))
        let levels: [Float] = [-1, 0, 0.5, 2, .nan]
        let input = (0..<planes * height * width).map { _ in
            // NaN one time in twenty, otherwise one of four values: ties in most windows.
            Int.random(in: 0..<20, using: &generator) == 0 ? Float.nan : levels[Int.random(in: 0..<4, using: &generator)]
        }
        let outputCount = planes * (height / 2) * (width / 2)
        let projection = (0..<outputCount).map { Float($0 % 7) + 1 }
        let expected = Self.reference(input, height: height, width: width, planes: planes, projection: projection)

        let plain = Tensor(shape: [1, planes, height, width], scalars: input).maxPool2d(kernel: 2, stride: 2)
        #expect(plain.shape == [1, planes, height / 2, width / 2])
        let x = Tensor(shape: [1, planes, height, width], scalars: input).trackingGradients()
        let pooled = x.maxPool2d(kernel: 2, stride: 2)
        let loss = (pooled * Tensor(shape: pooled.shape, scalars: projection)).sum()
        let gradient = loss.gradients(wrt: [x])[0].scalars
        for (index, value) in expected.output.enumerated() {
            let matches = { (found: Float) in found.isNaN ? value.isNaN : found == value }
            #expect(matches(plain.scalars[index]), "output \(index) without gradients: \(plain.scalars[index]) vs \(value)")
            #expect(matches(pooled.scalars[index]), "output \(index) with gradients: \(pooled.scalars[index]) vs \(value)")
        }
        #expect(gradient == expected.gradient, "the gradient must go to the window's winner under PyTorch's rule")
    }
}
