import FixtureSupport
import TensorCore

// The argument checks of the spatial kernels (convolutions, pooling, batch norm, resize):
// each call stops with a message naming the operation (see Support/Misuse.swift).

extension Misuse {
    static let kernels: [Misuse] = [
        Misuse("conv2d: rank-3 input", message: "conv2d: ", "found shapes") {
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(Tensor.zeros(shape: [4, 5, 5]), weight: w)
        },
        Misuse("conv2d: rank-3 weight", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.conv2d(x, weight: Tensor.zeros(shape: [6, 4, 3]))
        },
        Misuse("conv2d: weight expects 3 input channels", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.conv2d(x, weight: Tensor.zeros(shape: [6, 3, 3, 3]))
        },
        Misuse("conv2d: groups 2 needs weight dimension 1 = 2", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, groups: 2)
        },
        Misuse("conv2d: groups 3 does not divide 4 input channels", message: "conv2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.conv2d(x, weight: Tensor.zeros(shape: [6, 1, 3, 3]), groups: 3)
        },
        Misuse("conv2d: groups 2 does not divide 5 output channels", message: "conv2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.conv2d(x, weight: Tensor.zeros(shape: [5, 2, 3, 3]), groups: 2)
        },
        Misuse("conv2d: groups 0", message: "conv2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, groups: 0)
        },
        Misuse("fusedConv2d: scale of 5 for 6 output channels", message: "fusedConv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.fusedConv2d(x, weight: Tensor.zeros(shape: [6, 4, 3, 3]), scale: Tensor.ones(shape: [5]))
        },
        Misuse("fusedConv2d: shift of 7 for 6 output channels", message: "fusedConv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.fusedConv2d(x, weight: Tensor.zeros(shape: [6, 4, 3, 3]), shift: Tensor.ones(shape: [7]), activation: .relu)
        },
        Misuse("conv2d: bias of 5 for 6 output channels", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, bias: Tensor.zeros(shape: [5]))
        },
        Misuse("conv2d: bias of shape [1, 6]", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, bias: Tensor.zeros(shape: [1, 6]))
        },
        Misuse("conv2d: kernel 6x6 on a 5x5 input", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            _ = Tensor.conv2d(x, weight: Tensor.zeros(shape: [6, 4, 6, 6]))
        },
        Misuse("conv2d: dilated kernel spans 7 > 5 + 1", message: "conv2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, padding: Padding2D(top: 1, bottom: 0, left: 1, right: 0), dilation: 3)
        },
        Misuse("conv2d: stride 0", message: "conv2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, stride: Size2D(1, 0))
        },
        Misuse("conv2d: dilation 0", message: "conv2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, dilation: 0)
        },
        Misuse("conv2d: negative padding", message: "conv2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 5, 5])
            let w = Tensor.zeros(shape: [6, 4, 3, 3])
            _ = Tensor.conv2d(x, weight: w, padding: Padding2D(top: 0, bottom: -1, left: 0, right: 0))
        },
        Misuse("convTranspose2d: rank-3 input", message: "convTranspose2d: ", "found shapes") {
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(Tensor.zeros(shape: [4, 3, 3]), weight: w)
        },
        Misuse("convTranspose2d: weight dimension 0 is not the input channels", message: "convTranspose2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: Tensor.zeros(shape: [3, 2, 3, 3]))
        },
        Misuse("convTranspose2d: groups 3 does not divide 4 input channels", message: "convTranspose2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, groups: 3)
        },
        Misuse("convTranspose2d: bias of 4 for 2 output channels", message: "convTranspose2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, bias: Tensor.zeros(shape: [4]))
        },
        Misuse("convTranspose2d: bias of 2 for 4 output channels with groups 2", message: "convTranspose2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, bias: Tensor.zeros(shape: [2]), groups: 2)
        },
        Misuse("convTranspose2d: output padding 2 with stride 2", message: "convTranspose2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, stride: 2, outputPadding: 2)
        },
        Misuse("convTranspose2d: output padding 1 with stride 1 and dilation 1", message: "convTranspose2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, outputPadding: Size2D(0, 1))
        },
        Misuse("convTranspose2d: negative output padding", message: "convTranspose2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, stride: 2, outputPadding: Size2D(-1, 0))
        },
        Misuse("convTranspose2d: stride 0", message: "convTranspose2d: ") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, stride: 0)
        },
        Misuse("convTranspose2d: padding leaves no output", message: "convTranspose2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 4, 3, 3])
            let w = Tensor.zeros(shape: [4, 2, 3, 3])
            _ = Tensor.convTranspose2d(x, weight: w, padding: 4)
        },
        Misuse("maxPool2d: rank-3 input", message: "maxPool2d: ", "found shapes") {
            _ = Tensor.zeros(shape: [2, 5, 5]).maxPool2d(kernel: 2)
        },
        Misuse("avgPool2d: rank-5 input", message: "avgPool2d: ", "found shapes") {
            _ = Tensor.zeros(shape: [1, 1, 2, 5, 5]).avgPool2d(kernel: 2)
        },
        Misuse("maxPool2d: padding 2 for kernel 3", message: "maxPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.maxPool2d(kernel: 3, stride: 1, padding: 2)
        },
        Misuse("maxPool2d: padding width 2 for kernel width 3", message: "maxPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.maxPool2d(kernel: Size2D(4, 3), padding: Size2D(2, 2))
        },
        Misuse("avgPool2d: padding 2 for kernel 3", message: "avgPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.avgPool2d(kernel: 3, padding: 2)
        },
        Misuse("maxPool2d: kernel 0", message: "maxPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.maxPool2d(kernel: Size2D(0, 2))
        },
        Misuse("avgPool2d: stride 0", message: "avgPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.avgPool2d(kernel: 2, stride: 0)
        },
        Misuse("maxPool2d: dilation 0", message: "maxPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.maxPool2d(kernel: 2, dilation: 0)
        },
        Misuse("maxPool2d: kernel 6 on a 5x5 input", message: "maxPool2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.maxPool2d(kernel: 6)
        },
        Misuse("maxPool2d: dilated kernel spans 7", message: "maxPool2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.maxPool2d(kernel: 3, dilation: 3)
        },
        Misuse("avgPool2d: kernel 6x2 on a 5x5 input", message: "avgPool2d: ", "found shapes") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.avgPool2d(kernel: Size2D(6, 2))
        },
        Misuse("adaptiveAvgPool2d: rank-3 input", message: "adaptiveAvgPool2d: ", "found shapes") {
            _ = Tensor.zeros(shape: [2, 5, 5]).adaptiveAvgPool2d(outputSize: 2)
        },
        Misuse("adaptiveAvgPool2d: output size 0", message: "adaptiveAvgPool2d: ") {
            let x = Tensor.zeros(shape: [1, 2, 5, 5])
            _ = x.adaptiveAvgPool2d(outputSize: Size2D(2, 0))
        },
        Misuse("batchNorm: evaluation without running statistics", message: "batchNorm: ") {
            let x = Tensor.zeros(shape: [4, 3, 2, 2])
            let stat = Tensor.ones(shape: [3])
            _ = Tensor.batchNorm(x, runningMean: nil, runningVariance: nil, weight: stat, bias: stat, training: false)
        },
        Misuse("batchNorm: only a running mean", message: "batchNorm: ") {
            let x = Tensor.zeros(shape: [4, 3, 2, 2])
            let stat = Tensor.ones(shape: [3])
            _ = Tensor.batchNorm(x, runningMean: stat, runningVariance: nil, weight: nil, bias: nil, training: true)
        },
        Misuse("batchNorm: rank-1 input", message: "batchNorm: ", "found shapes") {
            let stat = Tensor.ones(shape: [3])
            _ = Tensor.batchNorm(
                Tensor.zeros(shape: [3]), runningMean: stat, runningVariance: stat, weight: nil,
                bias: nil, training: false)
        },
        Misuse("batchNorm: weight of 4 for 3 channels", message: "batchNorm: ", "found shapes") {
            let x = Tensor.zeros(shape: [4, 3, 2, 2])
            _ = Tensor.batchNorm(
                x, runningMean: nil, runningVariance: nil, weight: Tensor.ones(shape: [4]), bias: nil,
                training: true)
        },
        Misuse("batchNorm: bias of shape [1, 3]", message: "batchNorm: ", "found shapes") {
            let x = Tensor.zeros(shape: [4, 3, 2, 2])
            _ = Tensor.batchNorm(
                x, runningMean: nil, runningVariance: nil, weight: nil, bias: Tensor.ones(shape: [1, 3]),
                training: true)
        },
        Misuse("batchNorm: running variance of 2 for 3 channels", message: "batchNorm: ", "found shapes") {
            let x = Tensor.zeros(shape: [4, 3, 2, 2])
            let stat = Tensor.ones(shape: [3])
            _ = Tensor.batchNorm(
                x, runningMean: stat, runningVariance: Tensor.ones(shape: [2]), weight: nil, bias: nil,
                training: false)
        },
        Misuse("batchNorm: training with one value per channel", message: "batchNorm: ") {
            _ = Tensor.batchNorm(
                Tensor.zeros(shape: [1, 3]), runningMean: nil, runningVariance: nil, weight: nil,
                bias: nil, training: true)
        },
        Misuse("batchNorm: negative epsilon", message: "batchNorm: ") {
            let x = Tensor.zeros(shape: [4, 3, 2, 2])
            _ = Tensor.batchNorm(
                x, runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: true,
                epsilon: -1)
        },
        Misuse("resize: rank-3 input", message: "resize: ", "found shapes") {
            _ = Tensor.zeros(shape: [2, 4, 4]).resized(to: 2, mode: .bilinear)
        },
        Misuse("resize: empty input", message: "resize: ", "found shapes") {
            _ = Tensor.zeros(shape: [1, 1, 0, 4]).resized(to: 2, mode: .nearest)
        },
        Misuse("resize: size 0", message: "resize: ") {
            _ = Tensor.zeros(shape: [1, 1, 4, 4]).resized(to: Size2D(0, 3), mode: .nearest)
        },

    ]
}
