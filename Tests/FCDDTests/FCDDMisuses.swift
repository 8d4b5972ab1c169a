import FCDD
import FixtureSupport
import TensorCore

// Misused FCDD and baseline nets, their losses and the noise generators: each call stops with a
// message naming the operation and the shapes or values it found (see Support/Misuse.swift).

extension Misuse {
    static let fcdd: [Misuse] = nets + baselineNets + fcddLosses + baselineLosses + noise

    /// FCDD nets given inputs whose channels or rank differ from the net's, and built without channels.
    static let nets: [Misuse] = [
        Misuse(
            "FCDD_CNN28 (grey) on a colour input [1, 3, 28, 28]",
            message: "conv2d: expected weight dimension 1 = input channels / groups = 3", "found shapes [1, 3, 28, 28] and [8, 1, 5, 5]"
        ) {
            var generator = SeededGenerator(seed: 0)
            let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
            _ = net(Tensor.zeros(shape: [1, 3, 28, 28]))
        },
        Misuse(
            "FCDD_CNN28 (grey) on an unbatched image [1, 28, 28]",
            message: "conv2d: expected an input of rank 4 [N, C, H, W]", "found shapes [1, 28, 28]"
        ) {
            var generator = SeededGenerator(seed: 0)
            let net = FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
            _ = net(Tensor.zeros(shape: [1, 28, 28]))
        },
        Misuse(
            "FCDD_CNN32_LW3K (colour) on a grey input [2, 1, 32, 32]",
            message: "conv2d: expected weight dimension 1 = input channels / groups = 1", "found shapes [2, 1, 32, 32] and [128, 3, 3, 3]"
        ) {
            var generator = SeededGenerator(seed: 0)
            let net = FCDDNetKind.cnn32LW3K.makeNet(inputChannels: 3, using: &generator)
            _ = net(Tensor.zeros(shape: [2, 1, 32, 32]))
        },
        Misuse("FCDD_CNN28 with no input channel", message: "FCDD_CNN28: expected at least one input channel, found 0") {
            var generator = SeededGenerator(seed: 0)
            _ = FCDDNetKind.cnn28.makeNet(inputChannels: 0, using: &generator)
        },
    ]

    /// Baseline nets given inputs of the wrong shape, a training batch that batch norm cannot
    /// normalise, and built without channels (refused before any layer is drawn, so the VGG
    /// nets cost nothing).
    static let baselineNets: [Misuse] =
        [
            ([2, 3, 28, 28], "[2, 3, 28, 28]"), ([2, 1, 32, 32], "[2, 1, 32, 32]"), ([2, 1, 28, 36], "[2, 1, 28, 36]"),
            ([1, 28, 28], "[1, 28, 28]"), ([0, 1, 28, 28], "[0, 1, 28, 28]"),
        ].map { shape, printed in
            Misuse("CNN28 (grey) on an input \(printed)", message: "CNN28: expected images [N, 1, 28, 28], found shapes \(printed)") {
                var generator = SeededGenerator(seed: 4)
                let net = BaselineNetKind.cnn28.makeNet(inputChannels: 1, using: &generator)
                _ = net(Tensor.zeros(shape: shape))
            }
        }
        + [
            ([2, 3, 28, 28], "[2, 3, 28, 28]"), ([2, 1, 32, 32], "[2, 1, 32, 32]"),
        ].map { shape, printed in
            // The autoencoder's encoder checks the input.
            Misuse("AE32 (colour) on an input \(printed)", message: "CNN32: expected images [N, 3, 32, 32], found shapes \(printed)") {
                var generator = SeededGenerator(seed: 4)
                let net = BaselineNetKind.ae32.makeNet(inputChannels: 3, using: &generator)
                _ = net(Tensor.zeros(shape: shape))
            }
        } + [
            // BatchNorm1d needs two samples for batch statistics in training mode, as in PyTorch.
            Misuse(
                "CNN32_LW3K training on one image",
                message: "batchNorm: training needs more than one value per channel", "found input shape [1, 512]"
            ) {
                var generator = SeededGenerator(seed: 4)
                let net = BaselineNetKind.cnn32LW3K.makeNet(inputChannels: 3, using: &generator)
                net.train()
                _ = net(Tensor.zeros(shape: [1, 3, 32, 32]))
            },
            Misuse(
                "AE32 training on one image",
                message: "batchNorm: training needs more than one value per channel", "found input shape [1, 512]"
            ) {
                var generator = SeededGenerator(seed: 9)
                let net = BaselineNetKind.ae32.makeNet(inputChannels: 3, using: &generator)
                net.train()
                _ = net(Tensor.zeros(shape: [1, 3, 32, 32]))
            },
        ]
        + BaselineNetKind.allCases.map { kind in
            Misuse("\(kind) with no input channel", message: "\(kind.rawValue): expected at least one input channel, found 0") {
                var generator = SeededGenerator(seed: 4)
                _ = kind.makeNet(inputChannels: 0, using: &generator)
            }
        }

    /// FCDD's losses given labels other than 0 and 1, a label count other than the batch's,
    /// or maps that are not `[N, 1, u, v]`.
    static let fcddLosses: [Misuse] = [
        Misuse("FCDDLoss.sampleLevel: label 2", message: "FCDDLoss.sampleLevel: expected labels 0 (nominal) or 1 (anomalous), found 2") {
            _ = FCDDLoss.sampleLevel(phi: Tensor.zeros(shape: [2, 1, 3, 3]), labels: [0, 2])
        },
        Misuse("FCDDLoss.sampleLevel: label -1", message: "FCDDLoss.sampleLevel: expected labels 0 (nominal) or 1 (anomalous), found -1") {
            _ = FCDDLoss.sampleLevel(phi: Tensor.zeros(shape: [2, 1, 3, 3]), labels: [0, -1])
        },
        Misuse(
            "FCDDLoss.sampleLevel: one label for two maps",
            message: "FCDDLoss.sampleLevel: expected one label per sample (2), found shapes [1]"
        ) {
            _ = FCDDLoss.sampleLevel(phi: Tensor.zeros(shape: [2, 1, 3, 3]), labels: [0])
        },
        Misuse(
            "FCDDLoss.sampleLevel: three labels for two maps",
            message: "FCDDLoss.sampleLevel: expected one label per sample (2), found shapes [3]"
        ) {
            _ = FCDDLoss.sampleLevel(phi: Tensor.zeros(shape: [2, 1, 3, 3]), labels: [0, 1, 1])
        },
        Misuse("FCDDLoss.sampleLevel: maps of two channels", message: "FCDDLoss.scores: expected maps [N, 1, u, v], found shapes [2, 2, 3, 3]") {
            _ = FCDDLoss.sampleLevel(phi: Tensor.zeros(shape: [2, 2, 3, 3]), labels: [0, 1])
        },
        Misuse("FCDDLoss.sampleLevel: maps of rank 3", message: "FCDDLoss.scores: expected maps [N, 1, u, v], found shapes [2, 3, 3]") {
            _ = FCDDLoss.sampleLevel(phi: Tensor.zeros(shape: [2, 3, 3]), labels: [0, 1])
        },
        Misuse("FCDDLoss.scores: flat maps [2, 9]", message: "FCDDLoss.scores: expected maps [N, 1, u, v], found shapes [2, 9]") {
            _ = FCDDLoss.scores(Tensor.zeros(shape: [2, 9]))
        },
        Misuse(
            "FCDDLoss.pixelWise: masks one column wider",
            message: "FCDDLoss.pixelWise: expected masks of the map's shape, found shapes [2, 1, 4, 4] and [2, 1, 4, 5]"
        ) {
            _ = FCDDLoss.pixelWise(upsampledMap: Tensor.zeros(shape: [2, 1, 4, 4]), masks: Tensor.zeros(shape: [2, 1, 4, 5]))
        },
        Misuse(
            "FCDDLoss.pixelWise: masks of one sample for two maps",
            message: "FCDDLoss.pixelWise: expected masks of the map's shape, found shapes [2, 1, 4, 4] and [1, 1, 4, 4]"
        ) {
            _ = FCDDLoss.pixelWise(upsampledMap: Tensor.zeros(shape: [2, 1, 4, 4]), masks: Tensor.zeros(shape: [1, 1, 4, 4]))
        },
        Misuse(
            "FCDDLoss.pixelWise: masks of rank 3",
            message: "FCDDLoss.pixelWise: expected masks of the map's shape, found shapes [2, 1, 4, 4] and [2, 4, 4]"
        ) {
            _ = FCDDLoss.pixelWise(upsampledMap: Tensor.zeros(shape: [2, 1, 4, 4]), masks: Tensor.zeros(shape: [2, 4, 4]))
        },
        Misuse(
            "FCDDLoss.pixelWise: maps of two channels",
            message: "FCDDLoss.pixelWise: expected maps [N, 1, u, v], found shapes [2, 2, 4, 4]"
        ) {
            let twoChannels = Tensor.zeros(shape: [2, 2, 4, 4])
            _ = FCDDLoss.pixelWise(upsampledMap: twoChannels, masks: twoChannels)
        },
    ]

    /// The HSC and autoencoder losses given features that are not `[N, D]`, bad labels, or
    /// reconstructions whose shape differs from the inputs' or is not `[N, C, H, W]`.
    static let baselineLosses: [Misuse] =
        [
            ([2], "[2]"), ([2, 1, 3, 3], "[2, 1, 3, 3]"), ([2, 0], "[2, 0]"),
        ].map { shape, printed in
            Misuse("HSCLoss.scores: features \(printed)", message: "HSCLoss.scores: expected features [N, D] with N, D ≥ 1, found shapes \(printed)") {
                _ = HSCLoss.scores(Tensor.zeros(shape: shape))
            }
        } + [
            Misuse("HSCLoss.loss: one label for two samples", message: "HSCLoss.loss: expected one label per sample (2), found shapes [1]") {
                _ = HSCLoss.loss(features: Tensor.zeros(shape: [2, 5]), labels: [0])
            },
            Misuse("HSCLoss.loss: label 2", message: "HSCLoss.loss: expected labels 0 (nominal) or 1 (anomalous), found 2") {
                _ = HSCLoss.loss(features: Tensor.zeros(shape: [2, 5]), labels: [0, 2])
            },
            Misuse("HSCLoss.loss: label -1", message: "HSCLoss.loss: expected labels 0 (nominal) or 1 (anomalous), found -1") {
                _ = HSCLoss.loss(features: Tensor.zeros(shape: [2, 5]), labels: [0, -1])
            },
        ] + autoencoderLosses

    /// Every autoencoder loss function, with the mismatched operand as reconstruction and as
    /// input, and with flat operands of one shape.
    static let autoencoderLosses: [Misuse] = {
        let images = "[2, 3, 4, 4]"
        let mismatched: [([Int], String)] = [
            ([2, 1, 4, 4], "[2, 1, 4, 4]"), ([2, 3, 4, 5], "[2, 3, 4, 5]"),
            ([1, 3, 4, 4], "[1, 3, 4, 4]"), ([2, 3, 16], "[2, 3, 16]"),
        ]
        let functions: [(name: String, reconstructionIsOther: Bool, call: @Sendable (Tensor, Tensor) -> Void)] = [
            ("loss", true, { _ = AutoencoderLoss.loss(reconstruction: $0, inputs: $1) }),
            ("scores", false, { _ = AutoencoderLoss.scores(reconstruction: $0, inputs: $1) }),
            ("errorMaps", true, { _ = AutoencoderLoss.errorMaps(reconstruction: $0, inputs: $1) }),
            ("squaredErrors", false, { _ = AutoencoderLoss.squaredErrors(reconstruction: $0, inputs: $1) }),
        ]
        // Every function checks through squaredErrors, whose name the message carries.
        let expected = "AutoencoderLoss.squaredErrors: expected reconstructions and inputs of one non-empty shape [N, C, H, W]"
        return functions.flatMap { function in
            mismatched.map { shape, printed in
                let (reconstruction, inputs) = function.reconstructionIsOther ? (printed, images) : (images, printed)
                return Misuse(
                    "AutoencoderLoss.\(function.name): reconstruction \(reconstruction), inputs \(inputs)",
                    message: expected, "found shapes \(reconstruction) and \(inputs)"
                ) {
                    let other = Tensor.zeros(shape: shape), images = Tensor.zeros(shape: [2, 3, 4, 4])
                    if function.reconstructionIsOther { function.call(other, images) } else { function.call(images, other) }
                }
            }
        } + [
            Misuse("AutoencoderLoss.loss: flat features [2, 48]", message: expected, "found shapes [2, 48] and [2, 48]") {
                let flat = Tensor.zeros(shape: [2, 48])
                _ = AutoencoderLoss.loss(reconstruction: flat, inputs: flat)
            }
        ]
    }()

    /// Noise for a shape that is not an image `[C, H, W]`.
    static let noise: [Misuse] = [
        Misuse(
            "NoiseMode.confetti: shape [28, 28]",
            message: "NoiseMode.confetti: expected an image shape [C, H, W] with positive sizes, found [28, 28]"
        ) {
            var generator = SeededGenerator(seed: 1)
            _ = NoiseMode.confetti.generate(shape: [28, 28], using: &generator)
        },
        Misuse(
            "NoiseMode.uniform: shape [1, 0, 28]",
            message: "NoiseMode.uniform: expected an image shape [C, H, W] with positive sizes, found [1, 0, 28]"
        ) {
            var generator = SeededGenerator(seed: 1)
            _ = NoiseMode.uniform.generate(shape: [1, 0, 28], using: &generator)
        },
    ]
}
