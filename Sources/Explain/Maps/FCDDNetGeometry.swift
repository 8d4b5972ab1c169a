import TensorCore

/// The geometry of the reference's FCDD nets (fcdd-reference.md §1): their input size and
/// the layers that shape their receptive field, from which the field and the size of the
/// anomaly map follow. Variants that differ only in channel counts or in which weights are
/// pretrained share a case.
public enum FCDDNetGeometry: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `FCDD_CNN28` and `FCDD_CNN28_W` (Fashion-MNIST, 1×28×28 → 7×7; r 16, j 4, s 1.5).
    case cnn28 = "FCDD_CNN28"
    /// `FCDD_CNN32` (3×32×32 → 8×8; r 32, j 4, s 1.5).
    case cnn32 = "FCDD_CNN32"
    /// `FCDD_CNN32_S` (3×32×32 → 8×8; r 18, j 4, s 1.5).
    case cnn32S = "FCDD_CNN32_S"
    /// `FCDD_CNN32_LW3K` (CIFAR-10 default, 3×32×32 → 8×8; r 22, j 4, s 1.5).
    case cnn32LW3K = "FCDD_CNN32_LW3K"
    /// `FCDD_CNN224_VGG`, `_F` and `_NOPT` (the VGG11-BN features 0–20, 3×224×224 → 28×28;
    /// r 62, j 8, s 3.5).
    case cnn224VGG = "FCDD_CNN224_VGG"
    /// `FCDD_CNN224` and `FCDD_CNN224_W` (max pooling 3/2 with padding 1, 3×224×224 → 28×28;
    /// r 59, j 8, s 0).
    case cnn224 = "FCDD_CNN224"

    /// The input size the net is built for.
    public var inputSize: Size2D {
        switch self {
        case .cnn28: 28
        case .cnn32, .cnn32S, .cnn32LW3K: 32
        case .cnn224VGG, .cnn224: 224
        }
    }

    /// The convolutions and poolings in order, the final 1×1 convolution included.
    public var layers: [ReceptiveFieldLayer] {
        let pool = ReceptiveFieldLayer.maxPooling(kernel: 2)
        let conv5 = ReceptiveFieldLayer.convolution(kernel: 5, padding: 2)
        let conv3 = ReceptiveFieldLayer.convolution(kernel: 3, padding: 1)
        let head = ReceptiveFieldLayer.convolution(kernel: 1)
        switch self {
        case .cnn28: return [conv5, pool, conv5, pool, head]
        case .cnn32: return [conv5, pool, conv5, pool, conv5, head]
        case .cnn32S: return [conv3, pool, conv3, pool, conv3, head]
        case .cnn32LW3K: return [conv3, pool, conv3, conv3, pool, conv3, head]
        case .cnn224VGG: return [conv3, pool, conv3, pool, conv3, conv3, pool, conv3, conv3, head]
        case .cnn224:
            let wide = ReceptiveFieldLayer.maxPooling(kernel: 3, stride: 2, padding: 1)
            return [conv5, wide, conv5, wide, conv3, conv3, wide, conv3, head]
        }
    }

    /// The receptive field of the net's output pixels.
    public var receptiveField: ReceptiveField {
        ReceptiveField.composeValidLayers(layers)
    }

    /// The size of the anomaly map for an input of `input` pixels (by default the net's
    /// own input size).
    ///
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` when the input is
    ///   too small for the layers.
    public func outputSize(forInput input: Size2D? = nil) throws(ExplainError) -> Size2D {
        try ReceptiveField.outputSize(of: layers, input: input ?? inputSize)
    }

    /// The Gaussian up-sampler from this net's maps to `input` pixels (by default the net's
    /// own input size) with the given σ (see ``FCDDHeatmapPreset/gaussianSigma``).
    ///
    /// - Throws: The errors of ``ReceptiveFieldUpsampler/init(receptiveField:inputSize:sigma:)``.
    public func upsampler(sigma: Double, inputSize input: Size2D? = nil) throws(ExplainError) -> ReceptiveFieldUpsampler {
        try ReceptiveFieldUpsampler(receptiveField: receptiveField, inputSize: input ?? inputSize, sigma: sigma)
    }

    /// A short, readable summary.
    public var description: String { rawValue }
}
