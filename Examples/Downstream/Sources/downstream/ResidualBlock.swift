import NN
import TensorCore

/// A residual block of our own (He et al., 2016): `x + body(x)`, where the body is
/// conv 3×3, batch norm, leaky ReLU, conv 3×3, batch norm, every convolution padded so the
/// map keeps its size. No layer has a bias, so the block suits Deep SVDD as well as FCDD.
///
/// Its receptive field is the union of the two branches' fields: the body's (two 3×3
/// convolutions widen the field by 4 jumps) and the shortcut's (the input's own).
final class ResidualBlock: SpatialModule {
    var isTraining = true
    let conv1: Conv2d
    let norm1: BatchNorm2d
    let conv2: Conv2d
    let norm2: BatchNorm2d

    /// A block of `channels` channels in and out, initialised from `generator`.
    init(channels: Int, using generator: inout SeededGenerator) {
        conv1 = Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false, using: &generator)
        norm1 = BatchNorm2d(channels, epsilon: 1e-4, affine: false)
        conv2 = Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false, using: &generator)
        norm2 = BatchNorm2d(channels, epsilon: 1e-4, affine: false)
    }

    /// The sub-modules by the names their parameters and buffers are saved under
    /// (`block.conv1.weight`, `block.norm1.running_mean`, …).
    var childModules: [(name: String, module: any Module)] {
        [("conv1", conv1), ("norm1", norm1), ("conv2", conv2), ("norm2", norm2)]
    }

    /// `x + norm2(conv2(leakyReLU(norm1(conv1(x)))))`.
    func forward(_ input: Tensor) -> Tensor {
        let hidden = conv1(input, batchNorm: norm1, activation: .leakyReLU(negativeSlope: 0.01))
        return input + norm2(conv2(hidden))
    }

    /// The union of the body's geometry (the two convolutions in order) and the shortcut's
    /// (the input's); batch norm and the activation leave geometry unchanged.
    func spatialGeometry(after input: SpatialGeometry) throws(SpatialGeometryError) -> SpatialGeometry {
        let body = try input.through(conv1, named: "conv1").through(conv2, named: "conv2")
        return try body.union(input)
    }
}
