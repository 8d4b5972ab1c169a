import TensorCore

/// One layer of a network as far as its receptive field is concerned: a convolution or a
/// max pooling with its kernel, stride, symmetric padding and dilation per axis (height,
/// width). Activations, batch normalisation and 1×1 convolutions leave the field as it is;
/// 1×1 convolutions may be listed or left out.
///
/// ``ReceptiveField/compose(_:)`` folds a list of these into the network's field, as the
/// reference's `RecConv2d` / `RecMaxPool2d` do while the net is built.
public struct ReceptiveFieldLayer: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Which operation the layer is (both change the field by the same rule).
    public enum Kind: String, Sendable, Equatable, Hashable {
        /// A 2-D convolution.
        case convolution
        /// A 2-D max pooling.
        case maxPooling
    }

    /// Which operation the layer is.
    public var kind: Kind
    /// The kernel size per axis.
    public var kernel: Size2D
    /// The stride per axis.
    public var stride: Size2D
    /// The zero padding per axis, added on both sides (PyTorch's `padding=(h, w)`).
    public var padding: Size2D
    /// The dilation per axis (1 in every FCDD net).
    public var dilation: Size2D

    /// A layer with every parameter given.
    public init(kind: Kind, kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D = 1) {
        self.kind = kind
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// A convolution (PyTorch's defaults: stride 1, no padding, no dilation).
    public static func convolution(kernel: Size2D, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1) -> ReceptiveFieldLayer {
        ReceptiveFieldLayer(kind: .convolution, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    /// A max pooling; the stride defaults to the kernel size, as in PyTorch.
    public static func maxPooling(kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1) -> ReceptiveFieldLayer {
        ReceptiveFieldLayer(kind: .maxPooling, kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation)
    }

    /// The input positions one window spans per axis, `dilation·(kernel − 1) + 1`.
    public var effectiveKernel: Size2D {
        Size2D(dilation.height * (kernel.height - 1) + 1, dilation.width * (kernel.width - 1) + 1)
    }

    /// The output size for an input of `input` pixels per axis:
    /// `(n + 2p − k_eff) // stride + 1` (floor division, PyTorch's rule without `ceil_mode`).
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for an invalid layer,
    ///   ``ExplainError/shapeMismatch(operation:expected:found:)`` when the input is too
    ///   small for the window.
    public func outputSize(forInput input: Size2D) throws(ExplainError) -> Size2D {
        try validate(operation: "ReceptiveFieldLayer.outputSize")
        let window = effectiveKernel
        let height = Self.floorDivide(input.height + 2 * padding.height - window.height, stride.height) + 1
        let width = Self.floorDivide(input.width + 2 * padding.width - window.width, stride.width) + 1
        guard height >= 1, width >= 1 else {
            throw .shapeMismatch(operation: "ReceptiveFieldLayer.outputSize",
                                 expected: "an input of at least the window \(window) after padding \(padding) for \(self)",
                                 found: [[input.height, input.width]])
        }
        return Size2D(height, width)
    }

    /// Throws unless kernel, stride and dilation are ≥ 1 and the padding ≥ 0.
    func validate(operation: String) throws(ExplainError) {
        guard kernel.height >= 1, kernel.width >= 1, stride.height >= 1, stride.width >= 1,
              dilation.height >= 1, dilation.width >= 1, padding.height >= 0, padding.width >= 0 else {
            throw .invalidArgument(operation: operation,
                                   message: "expected kernel, stride and dilation ≥ 1 and padding ≥ 0, found \(self)")
        }
    }

    /// A short, readable summary.
    public var description: String {
        "\(kind.rawValue)(kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation))"
    }

    /// Python's `//` on integers (positive denominator): rounds toward −∞.
    private static func floorDivide(_ numerator: Int, _ denominator: Int) -> Int {
        let quotient = numerator / denominator
        return numerator % denominator != 0 && numerator < 0 ? quotient - 1 : quotient
    }
}
