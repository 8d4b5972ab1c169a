/// The validated sizes of one 2-D convolution (or of the convolution whose adjoint a
/// transposed convolution is): input `[batch, inputChannels, height, width]`, weight
/// `[outputChannels, inputChannels / groups, kernel.height, kernel.width]`, output
/// `[batch, outputChannels, outputHeight, outputWidth]`.
struct ConvolutionGeometry: Sendable {
    let batch: Int
    let inputChannels: Int
    let height: Int
    let width: Int
    let outputChannels: Int
    let kernel: Size2D
    let stride: Size2D
    let padding: Padding2D
    let dilation: Size2D
    let groups: Int
    let outputHeight: Int
    let outputWidth: Int

    /// Input channels seen by one group.
    var groupInputChannels: Int { inputChannels / groups }
    /// Output channels produced by one group.
    var groupOutputChannels: Int { outputChannels / groups }
    /// Rows of the lowered (im2col) matrix of one group: one per (channel, kernel row, kernel column).
    var loweredRows: Int { groupInputChannels * kernel.height * kernel.width }
    /// Output positions of one image.
    var outputPlane: Int { outputHeight * outputWidth }
    var inputShape: [Int] { [batch, inputChannels, height, width] }
    var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
    var weightShape: [Int] { [outputChannels, groupInputChannels, kernel.height, kernel.width] }

    /// Multiply-adds ×2 of the forward pass.
    var forwardFlops: Double {
        2 * Double(batch * outputChannels * outputPlane) * Double(loweredRows)
    }

    /// Size of one output axis for an input size and the parameters along that axis.
    static func outputSize(input: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, dilation: Int) -> Int {
        SlidingWindow.count(input, dilation * (kernel - 1) + 1, stride, padBefore, padAfter, false)
    }

    /// Validates a convolution's operands and parameters and computes its output size.
    init(
        input: [Int], weight: [Int], stride: Size2D, padding: Padding2D, dilation: Size2D,
        groups: Int, op: String
    ) {
        guard input.count == 4 else {
            stop(.shapeMismatch(op: op, expected: "an input of rank 4 [N, C, H, W]", found: [input]))
        }
        guard weight.count == 4 else {
            stop(.shapeMismatch(op: op, expected: "a weight of rank 4 [Cout, Cin/groups, kH, kW]", found: [weight]))
        }
        guard groups >= 1 else { stop(.invalidArgument(op: op, message: "groups must be ≥ 1, found \(groups)")) }
        guard stride.height >= 1, stride.width >= 1 else {
            stop(.invalidArgument(op: op, message: "stride must be ≥ 1, found \(stride)"))
        }
        guard dilation.height >= 1, dilation.width >= 1 else {
            stop(.invalidArgument(op: op, message: "dilation must be ≥ 1, found \(dilation)"))
        }
        guard padding.isNonNegative else {
            stop(.invalidArgument(op: op, message: "padding must be non-negative, found \(padding)"))
        }
        guard input[1] % groups == 0, weight[0] % groups == 0 else {
            stop(.invalidArgument(op: op, message: "input channels \(input[1]) and output channels \(weight[0]) must both be divisible by groups \(groups)"))
        }
        guard weight[1] * groups == input[1] else {
            stop(.shapeMismatch(op: op, expected: "weight dimension 1 = input channels / groups = \(input[1] / groups)", found: [input, weight]))
        }
        guard weight[2] >= 1, weight[3] >= 1 else {
            stop(.shapeMismatch(op: op, expected: "a kernel of at least 1×1", found: [weight]))
        }
        batch = input[0]; inputChannels = input[1]; height = input[2]; width = input[3]
        outputChannels = weight[0]
        kernel = Size2D(weight[2], weight[3])
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        outputHeight = Self.outputSize(
            input: height, kernel: kernel.height, stride: stride.height,
            padBefore: padding.top, padAfter: padding.bottom, dilation: dilation.height)
        outputWidth = Self.outputSize(
            input: width, kernel: kernel.width, stride: stride.width,
            padBefore: padding.left, padAfter: padding.right, dilation: dilation.width)
        guard outputHeight >= 1, outputWidth >= 1 else {
            stop(
                .shapeMismatch(op: op, expected: "an input at least as large as the dilated kernel \(kernel) after padding \(padding)", found: [input, weight]))
        }
    }

    /// A geometry with every size given (used for transposed convolutions, whose input is
    /// this geometry's output and whose output, including any output padding, is this
    /// geometry's input); all checks were done by the caller.
    init(
        batch: Int, inputChannels: Int, height: Int, width: Int, outputChannels: Int, outputHeight: Int,
        outputWidth: Int, kernel: Size2D, stride: Size2D, padding: Padding2D, dilation: Size2D, groups: Int
    ) {
        self.batch = batch; self.inputChannels = inputChannels; self.height = height; self.width = width
        self.outputChannels = outputChannels; self.outputHeight = outputHeight; self.outputWidth = outputWidth
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
    }

    /// The range of output columns `ow` whose input column `ow·stride − left + offset` lies
    /// inside the image, for a kernel column at `offset = kj·dilation`.
    func validOutputColumns(offset: Int) -> Range<Int> {
        let first = Swift.max(0, ceilDivide(padding.left - offset, stride.width))
        let last = Swift.min(outputWidth, ceilDivide(width + padding.left - offset, stride.width))
        return first < last ? first..<last : outputWidth..<outputWidth
    }
}

/// ⌈a / b⌉ for b > 0 and any sign of a.
@inline(__always)
func ceilDivide(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? (a + b - 1) / b : -((-a) / b)
}
