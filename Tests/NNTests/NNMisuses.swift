import FixtureSupport
import NN
import TensorCore

// Layer configurations and inputs that do not fit: each stops with a message naming the layer
// and what it found (see FixtureSupport's Misuse).

extension Misuse {
    static let layers: [Misuse] = [
        Misuse(
            "Conv2d: input channels not divisible by groups",
            message: "Conv2d: expected positive channel counts divisible by groups, found in 3, out 4, groups 2"
        ) {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(3, 4, kernelSize: 3, groups: 2, using: &g)
        },
        Misuse("Conv2d: output channels not divisible by groups", message: "Conv2d: ", "found in 4, out 3, groups 2") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(4, 3, kernelSize: 3, groups: 2, using: &g)
        },
        Misuse("Conv2d: kernel 0", message: "Conv2d: expected kernel, stride and dilation ≥ 1 and padding ≥ 0") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(1, 1, kernelSize: 0, using: &g)
        },
        Misuse("Conv2d: stride 0", message: "Conv2d: ", "stride") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(1, 1, kernelSize: 3, stride: 0, using: &g)
        },
        Misuse("Conv2d: negative padding", message: "Conv2d: ", "padding") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(1, 1, kernelSize: 3, padding: -1, using: &g)
        },
        Misuse("Conv2d: zero input channels", message: "Conv2d: ", "found in 0, out 1") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(0, 1, kernelSize: 3, using: &g)
        },
        Misuse(
            "ConvTranspose2d: output padding equal to the stride",
            message: "ConvTranspose2d: outputPadding must be non-negative and smaller than the stride or the dilation"
        ) {
            var g = SeededGenerator(seed: 0)
            _ = ConvTranspose2d(2, 2, kernelSize: 3, stride: 2, outputPadding: 2, using: &g)
        },
        Misuse("ConvTranspose2d: output padding with stride 1", message: "ConvTranspose2d: outputPadding") {
            var g = SeededGenerator(seed: 0)
            _ = ConvTranspose2d(2, 2, kernelSize: 3, outputPadding: 1, using: &g)
        },
        Misuse("ConvTranspose2d: channels not divisible by groups", message: "ConvTranspose2d: ", "groups 2") {
            var g = SeededGenerator(seed: 0)
            _ = ConvTranspose2d(3, 2, kernelSize: 3, groups: 2, using: &g)
        },
        Misuse("Linear: negative input features", message: "Linear: expected non-negative feature counts, found in -1, out 3") {
            var g = SeededGenerator(seed: 0)
            _ = Linear(-1, 3, using: &g)
        },
        Misuse("BatchNorm2d: momentum 2", message: "BatchNorm2d: expected a momentum in [0, 1] or nil, found 2") {
            _ = BatchNorm2d(3, momentum: 2)
        },
        Misuse("BatchNorm1d: momentum −0.1", message: "BatchNorm1d: ", "found -0.1") {
            _ = BatchNorm1d(3, momentum: -0.1)
        },
        Misuse("BatchNorm2d: no features", message: "BatchNorm2d: expected features > 0 and eps ≥ 0, found 0") {
            _ = BatchNorm2d(0)
        },
        Misuse("BatchNorm1d: negative epsilon", message: "BatchNorm1d: ", "found 3 and -1e-05") {
            _ = BatchNorm1d(3, epsilon: -1e-5)
        },
        Misuse("Upsample: scale factor 0", message: "Upsample: expected a positive size or scale factor") {
            _ = Upsample(.scaleFactor(0))
        },
        Misuse("Upsample: size 0", message: "Upsample: expected a positive size or scale factor") {
            _ = Upsample(.size(Size2D(0, 4)), mode: .bilinear)
        },
        Misuse("Dropout: probability −0.1", message: "Dropout: expected a probability in [0, 1], found -0.1") {
            _ = Dropout(probability: -0.1, seed: 0)
        },
        Misuse("Dropout: probability 1.5", message: "Dropout: ", "found 1.5") {
            _ = Dropout(probability: 1.5, seed: 0)
        },
        Misuse("Dropout: probability NaN", message: "Dropout: ", "found nan") {
            _ = Dropout(probability: .nan, seed: 0)
        },
        Misuse("Initialization.fans: a weight of rank 1", message: "Initialization.fans: fans need a weight of rank ≥ 2, found shape [5]") {
            _ = Initialization.fans(of: [5])
        },
        Misuse("Initialization.fans: a scalar weight", message: "Initialization.fans: ", "found shape []") {
            _ = Initialization.fans(of: [])
        },
        Misuse("Initialization: kaiming with fan-in 0", message: "Initialization: kaiming initialisation needs a positive fan, found shape [3, 0]") {
            var g = SeededGenerator(seed: 0)
            _ = Initialization.kaimingUniform(shape: [3, 0], using: &g)
        },
        Misuse("BatchNorm2d: an input of rank 3", message: "BatchNorm2d: expected an input of rank 4 with 3 channels on axis 1", "found shapes [2, 3, 4]") {
            _ = BatchNorm2d(3)(Tensor.zeros(shape: [2, 3, 4]))
        },
        Misuse("BatchNorm2d: an input with 4 channels", message: "BatchNorm2d: ", "found shapes [2, 4, 2, 2]") {
            _ = BatchNorm2d(3)(Tensor.zeros(shape: [2, 4, 2, 2]))
        },
        Misuse(
            "BatchNorm1d: an input of rank 4", message: "BatchNorm1d: expected an input of rank 2 or 3 with 3 channels on axis 1", "found shapes [2, 3, 2, 2]"
        ) {
            _ = BatchNorm1d(3)(Tensor.zeros(shape: [2, 3, 2, 2]))
        },
        Misuse("Upsample: an input of rank 3", message: "Upsample: expected an input [N, C, H, W]", "found shapes [3, 4, 4]") {
            _ = Upsample(.scaleFactor(2))(Tensor.zeros(shape: [3, 4, 4]))
        },
        Misuse("Conv2d: an input with 4 channels for 3", message: "conv2d: ", "found shapes [2, 4, 5, 5] and [2, 3, 3, 3]") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(3, 2, kernelSize: 3, using: &g)(Tensor.zeros(shape: [2, 4, 5, 5]))
        },
        Misuse("Conv2d: an input of rank 3", message: "conv2d: expected an input of rank 4", "found shapes [3, 5, 5]") {
            var g = SeededGenerator(seed: 0)
            _ = Conv2d(3, 2, kernelSize: 3, using: &g)(Tensor.zeros(shape: [3, 5, 5]))
        },
        Misuse("Linear: 5 input features for 4", message: "linear: ", "[2, 5]") {
            var g = SeededGenerator(seed: 0)
            _ = Linear(4, 2, using: &g)(Tensor.zeros(shape: [2, 5]))
        },
        Misuse("clipGradientNorm: maxNorm −1", message: "clipGradientNorm: expected maxNorm ≥ 0 and normType > 0, found -1.0 and 2.0") {
            var gradients = ["w": Tensor([3, 4])]
            _ = clipGradientNorm(&gradients, maxNorm: -1)
        },
        Misuse("clipGradientNorm: normType 0", message: "clipGradientNorm: ", "found 1.0 and 0.0") {
            var gradients = ["w": Tensor([3, 4])]
            _ = clipGradientNorm(&gradients, maxNorm: 1, normType: 0)
        },
    ]
}

extension Misuse {
    static let losses: [Misuse] = [
        Misuse("crossEntropy: 3 labels for 2 rows", message: "crossEntropy: expected logits [N, C] with N = 3 labels", "found shapes [2, 4]") {
            _ = Loss.crossEntropy(Tensor.zeros(shape: [2, 4]), labels: [0, 1, 2])
        },
        Misuse("crossEntropy: label 4 of 4 classes", message: "crossEntropy: expected labels in 0..<4, found 4") {
            _ = Loss.crossEntropy(Tensor.zeros(shape: [2, 4]), labels: [0, 4])
        },
        Misuse("crossEntropy: class weights of the wrong size", message: "crossEntropy: expected class weights of shape [4]", "found shapes [3]") {
            _ = Loss.crossEntropy(Tensor.zeros(shape: [2, 4]), labels: [0, 1], classWeights: Tensor.ones(shape: [3]))
        },
        Misuse("crossEntropy: label smoothing 1.5", message: "crossEntropy: expected a label smoothing in [0, 1], found 1.5") {
            _ = Loss.crossEntropy(Tensor.zeros(shape: [2, 4]), labels: [0, 1], labelSmoothing: 1.5)
        },
        Misuse("meanSquaredError: shapes differ", message: "meanSquaredError: expected input and target of the same shape", "found shapes [2, 3] and [3, 2]") {
            _ = Loss.meanSquaredError(Tensor.zeros(shape: [2, 3]), Tensor.zeros(shape: [3, 2]))
        },
    ]
}
