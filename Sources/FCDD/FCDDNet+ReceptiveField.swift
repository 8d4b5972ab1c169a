import Explain
import NN
import TensorCore

extension FCDDNet {
    /// The convolutions and max-pools of the forward pass in order, for the receptive-field
    /// bookkeeping of the reference (`fcdd-reference.md` §1.1).
    public var receptiveFieldLayers: [ReceptiveFieldLayer] {
        var layers: [ReceptiveFieldLayer] = []
        func visit(_ module: any Module) {
            switch module {
            case let conv as Conv2d:
                layers.append(.convolution(kernel: conv.kernelSize, stride: conv.stride,
                                           padding: Size2D(conv.padding.top, conv.padding.left), dilation: conv.dilation))
            case let pool as MaxPool2d:
                layers.append(.maxPooling(kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding, dilation: pool.dilation))
            case let sequence as Sequential:
                for layer in sequence.layers { visit(layer) }
            default:
                break
            }
        }
        for step in steps {
            if case let .module(name) = step { visit(child(name)) }
        }
        return layers
    }

    /// Receptive field size r, jump j and shift s of one output pixel, per axis.
    public var receptiveField: ReceptiveField {
        // The layers are valid by construction (positive kernels and strides).
        try! ReceptiveField.compose(receptiveFieldLayers)
    }

    /// The size of φ for an input of `inputSize`.
    ///
    /// - Throws: ``ExplainError`` when the input is too small for the net.
    public func outputSize(forInput inputSize: Size2D) throws(ExplainError) -> Size2D {
        try ReceptiveField.outputSize(of: receptiveFieldLayers, input: inputSize)
    }

    /// The reference's Gaussian receptive-field up-sampler from this net's maps to
    /// `inputSize` with the given σ (`--gauss-std`: 1.2 for F-MNIST and CIFAR-10, 12 for
    /// MVTec-AD).
    ///
    /// - Throws: ``ExplainError`` for a σ that is not positive.
    public func upsampler(inputSize: Size2D, sigma: Double) throws(ExplainError) -> ReceptiveFieldUpsampler {
        try ReceptiveFieldUpsampler(receptiveField: receptiveField, inputSize: inputSize, sigma: sigma)
    }
}

extension FCDDNetKind {
    /// Receptive field size r, jump j and shift s of one output pixel of this architecture
    /// (the same for any channel count). Builds a throw-away grey net to read its layers, so
    /// it is slow for the VGG nets; prefer ``FCDDNet/receptiveField`` when a net exists.
    public var receptiveField: ReceptiveField {
        var generator = SeededGenerator(seed: 0)
        // One input channel is always valid.
        return try! FCDDNet(self, inputChannels: 1, using: &generator).receptiveField
    }
}
