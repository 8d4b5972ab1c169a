import Foundation
import TensorCore

/// FCDD's confetti noise (`confetti_noise` and `smooth_noise` in the official
/// `datasets/noise.py`, with the parameters of `generate_noise` in
/// `datasets/noise_modes.py`), in 0–255 units: a colour layer (blob probability 1.8e-5, one
/// colour per blob and channel in [−256, −1]) and a grey layer (probability 1.2e-5, −255 on
/// every channel) of squares with sides 8…54 rotated by up to ±45°, each layer redrawn
/// until it has at least one blob; their sum is blurred with a normalised 25×25 Gaussian
/// (σ 5, reflect border) and truncated towards zero. All values are ≤ 0, so added to an
/// image it darkens or recolours it.
public enum Confetti {
    /// Side range of the squares.
    public static let sides = 8...54
    /// The colour layer's blob probability per pixel.
    public static let colourProbability = 1.8e-5
    /// The grey layer's blob probability per pixel.
    public static let greyProbability = 1.2e-5
    /// Size of the smoothing kernel.
    public static let blurKernelSize = 25
    /// Standard deviation of the smoothing kernel.
    public static let blurSigma: Float = 5

    /// One confetti image `[C, H, W]`.
    ///
    /// - Precondition: Stops with `TensorError` for an invalid shape.
    public static func generate(shape: [Int], using generator: inout SeededGenerator) -> Tensor {
        let colour = ConfettiLayer(probability: colourProbability, sides: sides, rotates: true, fill: .randomPerChannel(-256 ... -1))
        let grey = ConfettiLayer(probability: greyProbability, sides: sides, rotates: true, fill: .constant(-255))
        let sum =
            colour.draw(shape: shape, ensuresBlob: true, using: &generator)
            + grey.draw(shape: shape, ensuresBlob: true, using: &generator)
        let blurred = gaussianBlur(sum, kernelSize: blurKernelSize, sigma: blurSigma)
        return blurred.scalars.withUnsafeBufferPointer { values in
            // Truncation to int, as the reference's `.int()`.
            Tensor(shape: shape) { output in
                for i in output.indices { output[i] = values[i].rounded(.towardZero) }
            }
        }
    }

    /// A normalised separable Gaussian blur of `[C, H, W]` with reflect padding (kornia's
    /// `gaussian_blur2d` defaults).
    static func gaussianBlur(_ image: Tensor, kernelSize: Int, sigma: Float) -> Tensor {
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let half = kernelSize / 2
        let weights = (0..<kernelSize).map { Foundation.exp(-Float(($0 - half) * ($0 - half)) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        let kernel = weights.map { $0 / total }
        // Reflect padding needs the padding smaller than the side; beyond that use the
        // largest reflection the image allows, then zeros (only for images under 13 px).
        let padHeight = min(half, height - 1), padWidth = min(half, width - 1)
        var x = image.reshaped(to: [1, channels, height, width])
        x = x.padded([(0, 0), (0, 0), (padHeight, padHeight), (padWidth, padWidth)], mode: .reflect)
        let vertical = Tensor(shape: [channels, 1, kernelSize, 1], scalars: Array((0..<channels).map { _ in kernel }.joined()))
        let horizontal = Tensor(shape: [channels, 1, 1, kernelSize], scalars: Array((0..<channels).map { _ in kernel }.joined()))
        x = Tensor.conv2d(x, weight: vertical, padding: Padding2D(top: half - padHeight, bottom: half - padHeight, left: 0, right: 0), groups: channels)
        x = Tensor.conv2d(x, weight: horizontal, padding: Padding2D(top: 0, bottom: 0, left: half - padWidth, right: half - padWidth), groups: channels)
        return x.reshaped(to: [channels, height, width])
    }
}

/// One layer of confetti squares.
struct ConfettiLayer {
    /// How blobs are coloured.
    enum Fill {
        /// The same value on every channel.
        case constant(Float)
        /// An integer drawn uniformly per blob and channel.
        case randomPerChannel(ClosedRange<Int>)
    }

    let probability: Double
    let sides: ClosedRange<Int>
    let rotates: Bool
    let fill: Fill

    /// The layer `[C, H, W]`: zeros with blobs; redrawn until it has one if `ensuresBlob`.
    func draw(shape: [Int], ensuresBlob: Bool, using generator: inout SeededGenerator) -> Tensor {
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        var centres: [(Int, Int)] = []
        repeat {
            centres = []
            for y in 0..<height {
                for x in 0..<width where Double(generator.nextUnitFloat()) < probability { centres.append((y, x)) }
            }
        } while ensuresBlob && centres.isEmpty
        var values = [Float](repeating: 0, count: channels * height * width)
        let plane = height * width
        for (cy, cx) in centres {
            let side = Int(generator.next() % UInt64(sides.count)) + sides.lowerBound
            let colours: [Float] =
                switch fill {
                case let .constant(value): Array(repeating: value, count: channels)
                case let .randomPerChannel(range): (0..<channels).map { _ in Float(Int(generator.next() % UInt64(range.count)) + range.lowerBound) }
                }
            let angle = rotates ? (generator.nextUnitFloat() * 90 - 45) * .pi / 180 : 0
            // Offsets −L//2 … L//2 for odd L, −L/2+1 … L/2 for even L.
            let low = side % 2 == 1 ? -(side / 2) : -(side / 2) + 1
            let high = side / 2
            let reach = rotates ? Int((0.75 * Float(side)).rounded(.up)) : max(-low, high)
            let (cosine, sine) = (Foundation.cos(angle), Foundation.sin(angle))
            for dy in -reach...reach {
                for dx in -reach...reach {
                    // Rotate the pixel back into the square's frame (nearest neighbour).
                    let uy = Int((cosine * Float(dy) + sine * Float(dx)).rounded())
                    let ux = Int((-sine * Float(dy) + cosine * Float(dx)).rounded())
                    guard (low...high).contains(uy), (low...high).contains(ux) else { continue }
                    // Indices outside the image are clamped onto the border, as the reference does.
                    let y = min(max(cy + dy, 0), height - 1), x = min(max(cx + dx, 0), width - 1)
                    for c in 0..<channels { values[c * plane + y * width + x] = colours[c] }
                }
            }
        }
        return Tensor(shape: shape, scalars: values)
    }
}
