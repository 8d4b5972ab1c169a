import FixtureSupport
import NN
import TensorCore
import Testing

// Every layer against PyTorch: the module is built from the fixture's constructor
// arguments, loaded with the fixture's state dict (strictly, so the parameter and buffer
// names must be PyTorch's), and applied in the fixture's mode. The output, the gradients
// of sum(output · R) for the input and every parameter, and the buffers after the
// forward pass (batch-norm statistics) must match.

@Suite("Layers against PyTorch")
struct LayerFixtureTests {
    static let tolerance = FixtureTolerance(absolute: 2e-5, relative: 2e-4, matchesNonFinite: false)

    @Test("layer", arguments: NNFixtures.names(\.layers, \.name))
    func layer(_ name: String) throws {
        let testCase = try NNFixtures.lookup(\.layers, \.name, name)
        let module = try Self.build(testCase.layer, testCase.attrs)
        try module.load(testCase.state.mapValues { try $0.tensor() })
        module.train(testCase.training)

        let input = try testCase.input.tensor().trackingGradients()
        let output = module(input)
        try expectClose(output, testCase.output, Self.tolerance, "\(name) output")

        let loss = try (output * testCase.projection.tensor()).sum()
        let parameters = module.namedParameters
        let gradients = loss.gradients(wrt: [input] + parameters.map(\.parameter.value))
        let computed = Dictionary(uniqueKeysWithValues: zip(["input"] + parameters.map(\.name), gradients))
        #expect(Set(computed.keys) == Set(testCase.gradients.keys), "gradients computed vs in the fixture")
        for (key, expected) in testCase.gradients {
            let gradient = try #require(computed[key], "no gradient for \(key)")
            try expectClose(gradient, expected, Self.tolerance, "\(name) gradient of \(key)")
        }
        let state = module.stateDict()
        for (key, expected) in testCase.state_after {
            let buffer = try #require(state[key], "no buffer \(key)")
            try expectClose(buffer, expected, Self.tolerance, "\(name) \(key) after the forward pass")
        }
    }

    /// Builds a module from PyTorch constructor arguments; every argument must be understood.
    static func build(_ layer: String, _ attrs: [String: FixtureValue]) throws -> any Module {
        let a = AttributeReader(op: layer, values: attrs)
        var generator = SeededGenerator(seed: 0)
        let module: any Module
        switch layer {
        case "Conv2d":
            let padding = try a.size("padding")
            module = Conv2d(
                try a.int("in_channels"), try a.int("out_channels"), kernelSize: try a.size("kernel_size"),
                stride: try a.size("stride"), padding: Padding2D(height: padding.height, width: padding.width),
                dilation: try a.size("dilation"), groups: try a.int("groups"), bias: try a.bool("bias"),
                using: &generator)
        case "ConvTranspose2d":
            let padding = try a.size("padding")
            module = ConvTranspose2d(
                try a.int("in_channels"), try a.int("out_channels"), kernelSize: try a.size("kernel_size"),
                stride: try a.size("stride"), padding: Padding2D(height: padding.height, width: padding.width),
                outputPadding: try a.size("output_padding"), dilation: try a.size("dilation"), groups: try a.int("groups"),
                bias: try a.bool("bias"), using: &generator)
        case "Linear":
            module = Linear(try a.int("in_features"), try a.int("out_features"), bias: try a.bool("bias"), using: &generator)
        case "BatchNorm2d", "BatchNorm1d":
            let (features, eps, momentum) = (try a.int("num_features"), try a.float("eps"), try a.optionalFloat("momentum"))
            let (affine, tracks) = (try a.bool("affine"), try a.bool("track_running_stats"))
            module =
                layer == "BatchNorm2d"
                ? BatchNorm2d(features, epsilon: eps, momentum: momentum, affine: affine, tracksRunningStatistics: tracks)
                : BatchNorm1d(features, epsilon: eps, momentum: momentum, affine: affine, tracksRunningStatistics: tracks)
        case "ReLU": module = ReLU()
        case "LeakyReLU": module = LeakyReLU(negativeSlope: try a.float("negative_slope"))
        case "Sigmoid": module = Sigmoid()
        case "Tanh": module = Tanh()
        case "MaxPool2d":
            module = MaxPool2d(
                kernelSize: try a.size("kernel_size"), stride: try a.optionalSize("stride"),
                padding: try a.size("padding"), dilation: try a.size("dilation"), ceilMode: try a.bool("ceil_mode"))
        case "AvgPool2d":
            module = AvgPool2d(
                kernelSize: try a.size("kernel_size"), stride: try a.optionalSize("stride"),
                padding: try a.size("padding"), ceilMode: try a.bool("ceil_mode"),
                countIncludesPadding: try a.bool("count_include_pad"))
        case "AdaptiveAvgPool2d":
            module = AdaptiveAvgPool2d(outputSize: try a.size("output_size"))
        case "Upsample":
            let mode: InterpolationMode = try a.string("mode") == "nearest" ? .nearest : .bilinear
            if let alignCorners = try a.optionalBool("align_corners"), alignCorners {
                throw FixtureError("align_corners=True is not supported")
            }
            if let size = try a.optionalSize("size") {
                _ = try a.optionalFloats("scale_factor")
                module = Upsample(.size(size), mode: mode)
            } else {
                let factors = try a.floats("scale_factor")
                guard factors.count == 2, factors[0] == factors[1], factors[0].rounded() == factors[0] else {
                    throw FixtureError("only equal integer scale factors are supported, found \(factors)")
                }
                module = Upsample(.scaleFactor(Int(factors[0])), mode: mode)
            }
        case "Flatten": module = Flatten(startAxis: try a.int("start_dim"), endAxis: try a.int("end_dim"))
        case "Dropout": module = Dropout(probability: try a.float("p"), seed: 1)
        case "Sequential":
            module = Sequential(
                try a.objects("layers").map { layerSpec in
                    let spec = AttributeReader(op: "Sequential element", values: layerSpec)
                    let built = try build(
                        try spec.string("layer"),
                        layerSpec["attrs"].flatMap { value -> [String: FixtureValue]? in
                            if case let .object(object) = value { return object }
                            return nil
                        } ?? [:])
                    return built
                })
        default:
            throw FixtureError("unknown layer \(layer)")
        }
        try a.requireAllUsed()
        return module
    }
}
