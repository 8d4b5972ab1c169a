import NN
import TensorCore

/// torchvision's `vgg11_bn` with its module names (`features.N`, `avgpool`,
/// `classifier.N`), so torchvision state dicts load by name: the body of the reference's VGG
/// HSC baselines (`CNN224_VGG*` in the official `models/shallow_cnn_224.py`). Its
/// ``features(inputChannels:moduleCount:initialization:using:)`` are also the backbone of
/// the FCDD VGG nets.
final class VGG11BatchNorm: Module {
    /// Which part of torchvision's classifier the net keeps.
    enum Head {
        /// `classifier[:-3]`, the first four of its seven modules: Linear 25088 → 4096, ReLU,
        /// Dropout(0.5), Linear 4096 → 4096; 4096 outputs (`CNN224_VGG`).
        case features4096
        /// The whole classifier: two Linear/ReLU/Dropout blocks and Linear 4096 → 1000
        /// (`CNN224_VGG_NOPT_1000`).
        case classes1000

        /// The number of outputs.
        var outputCount: Int { self == .features4096 ? 4096 : 1000 }
    }

    /// How fresh layers are drawn.
    enum Initialization {
        /// Each layer's PyTorch default (what the FCDD VGG nets use).
        case pytorchDefault
        /// torchvision's `VGG._initialize_weights`: convolutions kaiming-normal (fan-out,
        /// ReLU gain) with zero biases, linear layers N(0, 0.01²) with zero biases (what
        /// `torchvision.models.vgg11_bn(False)` gives the reference's VGG HSC nets).
        case torchvision
    }

    var isTraining = true
    let features: Sequential
    let averagePool = AdaptiveAvgPool2d(outputSize: Size2D(7, 7))
    let classifier: Sequential

    /// The whole VGG11-BN with the given head, drawn as torchvision draws it.
    init(inputChannels: Int, head: Head, using generator: inout SeededGenerator) {
        features = Self.features(inputChannels: inputChannels, moduleCount: 29, initialization: .torchvision, using: &generator)
        var layers: [any Module] = []
        var width = 512 * 7 * 7
        for output in head == .features4096 ? [4096, 4096] : [4096, 4096, 1000] {
            if !layers.isEmpty {
                layers.append(ReLU())
                layers.append(Dropout(probability: 0.5, seed: generator.next()))
            }
            let linear = Linear(width, output, using: &generator)
            linear.weight.value = Tensor.randomNormal(shape: linear.weight.value.shape, standardDeviation: 0.01, using: &generator)
            linear.bias?.value = Tensor.zeros(shape: [output])
            layers.append(linear)
            width = output
        }
        classifier = Sequential(layers)
    }

    var childModules: [(name: String, module: any Module)] {
        [("features", features), ("avgpool", averagePool), ("classifier", classifier)]
    }

    /// `classifier(flatten(avgpool(features(x))))`.
    func forward(_ input: Tensor) -> Tensor {
        classifier(averagePool(features(input)).flattened(startAxis: 1))
    }

    /// torchvision's `vgg11_bn().features[:moduleCount]` with its module indices: conv 3×3
    /// (bias), BatchNorm2d (eps 1e-5), ReLU per block; max-pools after blocks 1, 2, 4, 6, 8
    /// (indices 3, 7, 14, 21, 28). The FCDD VGG nets keep 21 modules, the HSC nets all 29.
    static func features(
        inputChannels: Int, moduleCount: Int, initialization: Initialization, using generator: inout SeededGenerator
    ) -> Sequential {
        var layers: [any Module] = []
        var channels = inputChannels
        for width in [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0] where layers.count < moduleCount {
            guard width > 0 else {
                layers.append(MaxPool2d(kernelSize: 2, stride: 2))
                continue
            }
            let conv = Conv2d(channels, width, kernelSize: 3, padding: 1, using: &generator)
            if initialization == .torchvision {
                conv.weight.value = NN.Initialization.kaimingNormal(
                    shape: conv.weight.value.shape, nonlinearity: .relu, mode: .fanOut, using: &generator)
                conv.bias?.value = Tensor.zeros(shape: [width])
            }
            layers.append(conv)
            layers.append(BatchNorm2d(width))
            layers.append(ReLU())
            channels = width
        }
        return Sequential(layers)
    }
}
