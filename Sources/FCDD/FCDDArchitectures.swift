import NN
import TensorCore

extension FCDDNet {
    /// The children (with the reference's names) and the forward steps of an architecture.
    static func build(
        _ kind: FCDDNetKind, inputChannels: Int, using generator: inout SeededGenerator
    ) throws(TensorError) -> ([(name: String, module: any Module)], [Step]) {
        guard inputChannels >= 1 else {
            throw .invalidArgument(op: kind.rawValue, message: "expected at least one input channel, found \(inputChannels)")
        }
        var children: [(name: String, module: any Module)] = []
        func conv(_ name: String, _ input: Int, _ output: Int, _ kernel: Int, padding: Int) throws(TensorError) {
            children.append((name, try Conv2d(input, output, kernelSize: Size2D(kernel, kernel), padding: Padding2D(height: padding, width: padding), using: &generator)))
        }
        func norm(_ name: String, _ features: Int) throws(TensorError) {
            children.append((name, try BatchNorm2d(features, epsilon: 1e-4)))
        }
        func pool(_ name: String) { children.append((name, MaxPool2d(kernelSize: 2, stride: 2))) }

        let steps: [Step]
        switch kind {
        case .cnn28, .cnn28Wide:
            let (first, second) = kind == .cnn28 ? (8, 16) : (128, 128)
            try conv("conv1", inputChannels, first, 5, padding: 2)
            try norm("bn2d1", first)
            pool("pool1")
            try conv("conv2", first, second, 5, padding: 2)
            pool("pool2")
            try conv("conv_final", second, 1, 1, padding: 0)
            steps = [.module("conv1"), .module("bn2d1"), .leakyRelu, .module("pool1"), .module("conv2"), .module("pool2"), .module("conv_final")]
        case .cnn32, .cnn32Small:
            let (kernel, padding) = kind == .cnn32 ? (5, 2) : (3, 1)
            try conv("conv1", inputChannels, 32, kernel, padding: padding)
            pool("pool1")
            try norm("bn2d1", 32)
            try conv("conv2", 32, 64, kernel, padding: padding)
            pool("pool2")
            try norm("bn2d2", 64)
            try conv("conv3", 64, 128, kernel, padding: padding)
            if kind == .cnn32 { try norm("bn2d3", 128) }  // defined but never applied, as in the reference
            try conv("conv_final", 128, 1, 1, padding: 0)
            steps = [.module("conv1"), .module("bn2d1"), .leakyRelu, .module("pool1"),
                     .module("conv2"), .module("bn2d2"), .leakyRelu, .module("pool2"),
                     .module("conv3"), .module("conv_final")]
        case .cnn32LW3K:
            try conv("conv1", inputChannels, 128, 3, padding: 1)
            pool("pool1")
            try norm("bn2d1", 128)
            try conv("conv2", 128, 256, 3, padding: 1)
            try norm("bn2d2", 256)
            try conv("conv25", 256, 256, 3, padding: 1)
            try norm("bn2d25", 256)
            pool("pool2")
            try conv("conv3", 256, 128, 3, padding: 1)
            try norm("bn2d3", 128)  // defined but never applied, as in the reference
            try conv("conv_final", 128, 1, 1, padding: 0)
            steps = [.module("conv1"), .module("bn2d1"), .leakyRelu, .module("pool1"),
                     .module("conv2"), .module("bn2d2"), .leakyRelu,
                     .module("conv25"), .module("bn2d25"), .leakyRelu, .module("pool2"),
                     .module("conv3"), .module("conv_final")]
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining:
            children.append(("features", try VGG11BatchNorm.features(
                inputChannels: inputChannels, moduleCount: 21, initialization: .pytorchDefault, using: &generator)))
            try conv("conv_final", 512, 1, 1, padding: 0)
            steps = [.module("features"), .module("conv_final")]
        }
        return (children, steps)
    }
}
