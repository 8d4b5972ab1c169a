import NN
import TensorCore

extension BaselineNet {
    /// The children (with the reference's names, in its registration order) and the
    /// forward steps of a baseline architecture (`models/shallow_cnn_28.py`,
    /// `shallow_cnn_32.py`, `shallow_cnn_224.py`).
    static func build(
        _ kind: BaselineNetKind, inputChannels: Int, using generator: inout SeededGenerator
    ) throws(TensorError) -> ([(name: String, module: any Module)], [Step]) {
        guard inputChannels >= 1 else {
            throw .invalidArgument(op: kind.rawValue, message: "expected at least one input channel, found \(inputChannels)")
        }
        var children: [(name: String, module: any Module)] = []
        func conv(_ name: String, _ input: Int, _ output: Int, _ kernel: Int, padding: Int) throws(TensorError) {
            children.append((name, try Conv2d(input, output, kernelSize: Size2D(kernel, kernel),
                                              padding: Padding2D(height: padding, width: padding), using: &generator)))
        }
        func norm2d(_ name: String, _ features: Int) throws(TensorError) {
            children.append((name, try BatchNorm2d(features, epsilon: 1e-4)))
        }
        func norm1d(_ name: String, _ features: Int) throws(TensorError) {
            children.append((name, try BatchNorm1d(features, epsilon: 1e-4)))
        }
        func pool(_ name: String) { children.append((name, MaxPool2d(kernelSize: 2, stride: 2))) }
        /// CNN224's overlapping pool: kernel 3, stride 2, padding 1 (halves even sizes).
        func widePool(_ name: String) { children.append((name, MaxPool2d(kernelSize: 3, stride: 2, padding: 1))) }
        func linear(_ name: String, _ input: Int, _ output: Int) throws(TensorError) {
            children.append((name, try Linear(input, output, using: &generator)))
        }
        /// A transposed convolution; `xavier` re-draws its weight as the reference's
        /// `nn.init.xavier_uniform_(…, gain=calculate_gain('leaky_relu'))` (slope 0.01).
        func deconv(_ name: String, _ input: Int, _ output: Int, _ kernel: Int, padding: Int, xavier: Bool) throws(TensorError) {
            let layer = try ConvTranspose2d(input, output, kernelSize: Size2D(kernel, kernel),
                                            padding: Padding2D(height: padding, width: padding), using: &generator)
            if xavier {
                layer.weight.value = try Initialization.xavierUniform(
                    shape: layer.weight.value.shape, gain: Nonlinearity.leakyRelu(negativeSlope: 0.01).gain, using: &generator)
            }
            children.append((name, layer))
        }
        /// The end that CNN32 and CNN32_LW3K share, registered after their first blocks (as
        /// the reference does): conv3 → 128 channels → BN → lrelu → pool (8×8 → 4×4), then
        /// fc1 2048 → 512 → BN1d → lrelu → fc_final 512 → 64. Returns its steps.
        func cnn32Head(from input: Int, _ kernel: Int, padding: Int) throws(TensorError) -> [Step] {
            try conv("conv3", input, 128, kernel, padding: padding)
            try norm2d("bn2d3", 128)
            pool("pool3")
            try linear("fc1", 128 * 4 * 4, 512)
            try norm1d("bn1d1", 512)
            try linear("fc_final", 512, kind.featureCount)
            return [.module("conv3"), .module("bn2d3"), .leakyRelu, .module("pool3"),
                    .flatten, .module("fc1"), .module("bn1d1"), .leakyRelu, .module("fc_final")]
        }

        let steps: [Step]
        switch kind {
        case .cnn28, .cnn28Wide:
            let (first, second) = kind == .cnn28 ? (8, 4) : (128, 64)
            try conv("conv1", inputChannels, first, 5, padding: 2)
            try norm2d("bn1", first)
            pool("pool1")
            try conv("conv2", first, second, 5, padding: 2)
            try norm2d("bn2", second)
            pool("pool2")
            try linear("fc_final", second * 7 * 7, kind.featureCount)
            steps = [.module("conv1"), .module("bn1"), .leakyRelu, .module("pool1"),
                     .module("conv2"), .module("bn2"), .leakyRelu, .module("pool2"),
                     .flatten, .module("fc_final")]
        case .cnn32:
            try conv("conv1", inputChannels, 32, 5, padding: 2)
            try norm2d("bn2d1", 32)
            pool("pool1")
            try conv("conv2", 32, 64, 5, padding: 2)
            try norm2d("bn2d2", 64)
            pool("pool2")
            let head = try cnn32Head(from: 64, 5, padding: 2)
            steps = [.module("conv1"), .module("bn2d1"), .leakyRelu, .module("pool1"),
                     .module("conv2"), .module("bn2d2"), .leakyRelu, .module("pool2")] + head
        case .cnn32LW3K:
            try conv("conv1", inputChannels, 128, 3, padding: 1)
            try norm2d("bn2d1", 128)
            pool("pool1")
            try conv("conv2", 128, 256, 3, padding: 1)
            try norm2d("bn2d2", 256)
            try conv("conv25", 256, 256, 3, padding: 1)
            try norm2d("bn2d25", 256)
            pool("pool2")
            let head = try cnn32Head(from: 256, 3, padding: 1)
            steps = [.module("conv1"), .module("bn2d1"), .leakyRelu, .module("pool1"),
                     .module("conv2"), .module("bn2d2"), .leakyRelu,
                     .module("conv25"), .module("bn2d25"), .leakyRelu, .module("pool2")] + head
        case .ae28:
            children.append(("encoder", try BaselineNet(.cnn28, inputChannels: inputChannels, using: &generator)))
            try deconv("deconv1", 3, 4, 5, padding: 2, xavier: true)
            try norm2d("bn3", 4)
            try deconv("deconv2", 4, 8, 5, padding: 3, xavier: true)
            try norm2d("bn4", 8)
            try deconv("deconv3", 8, inputChannels, 5, padding: 2, xavier: true)
            // 48 features → 3×4×4 → 8×8 → 16×16 → (padding 3) 14×14 → 28×28.
            steps = [.module("encoder"), .unflatten(channels: 3, size: 4), .leakyRelu, .upsample,
                     .module("deconv1"), .module("bn3"), .leakyRelu, .upsample,
                     .module("deconv2"), .module("bn4"), .leakyRelu, .upsample,
                     .module("deconv3"), .sigmoid]
        case .ae32:
            children.append(("encoder", try BaselineNet(.cnn32, inputChannels: inputChannels, using: &generator)))
            try norm1d("bn1d", 64)
            try deconv("deconv1", 4, 128, 5, padding: 2, xavier: true)
            try norm2d("bn2d4", 128)
            try deconv("deconv2", 128, 64, 5, padding: 2, xavier: true)
            try norm2d("bn2d5", 64)
            try deconv("deconv3", 64, 32, 5, padding: 2, xavier: true)
            try norm2d("bn2d6", 32)
            try deconv("deconv4", 32, inputChannels, 5, padding: 2, xavier: true)
            steps = [.module("encoder"), .module("bn1d"), .unflatten(channels: 4, size: 4), .leakyRelu,
                     .module("deconv1"), .module("bn2d4"), .leakyRelu, .upsample,
                     .module("deconv2"), .module("bn2d5"), .leakyRelu, .upsample,
                     .module("deconv3"), .module("bn2d6"), .leakyRelu, .upsample,
                     .module("deconv4")]
        case .ae32LW3K:
            children.append(("encoder", try BaselineNet(.cnn32LW3K, inputChannels: inputChannels, using: &generator)))
            try norm1d("bn1d", 64)
            try deconv("deconv1", 4, 128, 3, padding: 1, xavier: false)
            try norm2d("bn2d4", 128)
            try deconv("deconv2", 128, 256, 3, padding: 1, xavier: false)
            try norm2d("bn2d5", 256)
            try deconv("deconv25", 256, 256, 3, padding: 1, xavier: false)
            try norm2d("bn2d55", 256)
            try deconv("deconv3", 256, 128, 3, padding: 1, xavier: false)
            try norm2d("bn2d6", 128)
            try deconv("deconv4", 128, inputChannels, 3, padding: 1, xavier: false)
            steps = [.module("encoder"), .module("bn1d"), .unflatten(channels: 4, size: 4), .leakyRelu,
                     .module("deconv1"), .module("bn2d4"), .leakyRelu, .upsample,
                     .module("deconv2"), .module("bn2d5"), .leakyRelu,
                     .module("deconv25"), .module("bn2d55"), .leakyRelu, .upsample,
                     .module("deconv3"), .module("bn2d6"), .leakyRelu, .upsample,
                     .module("deconv4")]
        case .cnn224:
            var previous = inputChannels
            var block: [Step] = []
            // (channels, kernel, pool after) of the six blocks; pools 1–5 follow blocks 1, 2, 4, 5, 6.
            let blocks = [(8, 5, true), (32, 5, true), (64, 3, false), (128, 3, true), (128, 3, true), (64, 3, true)]
            var pools = 0
            for (index, (channels, kernel, pooled)) in blocks.enumerated() {
                try conv("conv\(index + 1)", previous, channels, kernel, padding: kernel / 2)
                try norm2d("bn2d\(index + 1)", channels)
                block += [.module("conv\(index + 1)"), .module("bn2d\(index + 1)"), .leakyRelu]
                if pooled {
                    pools += 1
                    widePool("pool\(pools)")
                    block.append(.module("pool\(pools)"))
                }
                previous = channels
            }
            try linear("fc1", 64 * 7 * 7, 1536)
            try norm1d("bn1d1", 1536)
            try linear("fc_final", 1536, kind.featureCount)
            steps = block + [.flatten, .module("fc1"), .module("bn1d1"), .leakyRelu, .module("fc_final")]
        case .cnn224VGG, .cnn224VGGFrozen, .cnn224VGGNoPretraining, .cnn224VGGNoPretraining1000:
            let head: VGG11BatchNorm.Head = kind == .cnn224VGGNoPretraining1000 ? .classes1000 : .features4096
            children.append(("vgg", try VGG11BatchNorm(inputChannels: inputChannels, head: head, using: &generator)))
            steps = [.module("vgg")]
        case .ae224:
            children.append(("encoder", try BaselineNet(.cnn224, inputChannels: inputChannels, using: &generator)))
            try norm1d("bn1d", 784)
            // (output channels, kernel, upsample after) of deconv1…deconv7.
            let layers = [(64, 3, true), (128, 3, true), (128, 3, true), (64, 3, false), (32, 3, true), (8, 5, true),
                          (inputChannels, 5, false)]
            var previous = 16
            var decoder: [Step] = []
            for (index, (channels, kernel, upsampled)) in layers.enumerated() {
                try deconv("deconv\(index + 1)", previous, channels, kernel, padding: kernel / 2, xavier: true)
                decoder.append(.module("deconv\(index + 1)"))
                if index < layers.count - 1 {
                    try norm2d("bn2dd\(index + 1)", channels)
                    decoder += [.module("bn2dd\(index + 1)"), .leakyRelu]
                    if upsampled { decoder.append(.upsample) }
                }
                previous = channels
            }
            // 784 features → 16×7×7 → 14 → 28 → 56 → 56 → 112 → 224.
            steps = [.module("encoder"), .module("bn1d"), .unflatten(channels: 16, size: 7), .leakyRelu] + decoder + [.sigmoid]
        case .ae224VGG, .ae224VGGFrozen, .ae224VGGNoPretraining:
            children.append(("encoder", try BaselineNet(kind.encoder!, inputChannels: inputChannels, using: &generator)))
            children.append(("bn1d", try BatchNorm1d(4096)))
            children.append(("declassifier", Sequential(
                try Linear(4096, 512 * 7 * 7, using: &generator), try BatchNorm1d(512 * 7 * 7), ReLU())))
            // defeatures: (output channels) of the transposed convolutions, 0 for a ×2 upsampling.
            var layers: [any Module] = []
            var previous = 512
            let plan = [0, 512, 512, 0, 512, 256, 0, 256, 128, 0, 64, 0, inputChannels]
            for (index, channels) in plan.enumerated() {
                guard channels > 0 else {
                    layers.append(try Upsample(.scaleFactor(2)))
                    continue
                }
                layers.append(try ConvTranspose2d(previous, channels, kernelSize: 3, padding: 1, using: &generator))
                if index < plan.count - 1 {
                    layers.append(try BatchNorm2d(channels))
                    layers.append(ReLU())
                }
                previous = channels
            }
            children.append(("defeatures", Sequential(layers)))
            steps = [.module("encoder"), .module("bn1d"), .relu, .module("declassifier"),
                     .unflatten(channels: 512, size: 7), .module("defeatures")]
        }
        return (children, steps)
    }
}
