import Datasets
import Foundation
import TensorCore

/// The synthetic anomalies of the reference (`--noise-mode`, `MODES` in the official
/// `datasets/noise_modes.py`), generated in the raw 0–255 intensity units the reference
/// works in, for an image of `[C, H, W]`.
public enum NoiseMode: String, Sendable, CaseIterable {
    /// `randn · 64` per element.
    case gaussian
    /// `rand · 255` per element.
    case uniform
    /// Confetti squares of 6×6 with blob probability 0.002, filled with 255.
    case blob
    /// Two 34×34 confetti layers (probability 1e-5, fill 255), one recoloured per pixel
    /// with random values in [0, 255], summed.
    case mixedBlob = "mixed_blob"
    /// One random 8-bit colour per image.
    case solid
    /// FCDD's confetti noise (``Confetti``): a colour and a grey layer of rotated squares,
    /// blurred.
    case confetti

    /// A noise image `[C, H, W]` in 0–255 units.
    ///
    /// - Precondition: Stops with `TensorError` for a shape that is not `[C, H, W]` with positive sizes.
    public func generate(shape: [Int], using generator: inout SeededGenerator) -> Tensor {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            TensorError.invalidArgument(op: "NoiseMode.\(rawValue)", message: "expected an image shape [C, H, W] with positive sizes, found \(shape)").trap()
        }
        switch self {
        case .gaussian:
            return Tensor.randomNormal(shape: shape, standardDeviation: 64, using: &generator)
        case .uniform:
            return Tensor.randomUniform(shape: shape, high: 255, using: &generator)
        case .blob:
            let layer = ConfettiLayer(probability: 0.002, sides: 6...6, rotates: false, fill: .constant(255))
            return layer.draw(shape: shape, ensuresBlob: false, using: &generator)
        case .mixedBlob:
            let layer = ConfettiLayer(probability: 1e-5, sides: 34...34, rotates: false, fill: .constant(255))
            let plain = layer.draw(shape: shape, ensuresBlob: false, using: &generator)
            let recoloured = layer.draw(shape: shape, ensuresBlob: false, using: &generator)
            let colours = Tensor.randomUniform(shape: shape, high: 256, using: &generator)
            let randomColours = colours.scalars.map { $0.rounded(.down) }
            let recolouredValues = recoloured.scalars
            return plain + Tensor(shape: shape, scalars: recolouredValues.indices.map { recolouredValues[$0] != 0 ? randomColours[$0] : 0 })
        case .solid:
            let colours = (0..<shape[0]).map { _ in Float(Int(generator.next() % 256)) }
            let plane = shape[1] * shape[2]
            return Tensor(shape: shape) { values in
                for c in 0..<shape[0] { for i in 0..<plane { values[c * plane + i] = colours[c] } }
            }
        case .confetti:
            return Confetti.generate(shape: shape, using: &generator)
        }
    }
}
