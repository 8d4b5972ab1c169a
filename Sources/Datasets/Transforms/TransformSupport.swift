import TensorCore

/// The sizes of a `[C, H, W]` image (or mask) that a transform has checked.
struct ImageGeometry: Sendable, Equatable {
    /// Channels.
    let channels: Int
    /// Rows.
    let height: Int
    /// Columns.
    let width: Int

    /// Pixels per channel.
    var plane: Int { height * width }

    /// The shape `[C, H, W]`.
    var shape: [Int] { [channels, height, width] }

    /// Checks that `tensor` is a non-empty `[C, H, W]` image, with a channel count in
    /// `allowedChannels` when that is given.
    init(
        of tensor: Tensor, role: String = "image", transform: String, sample: String, allowedChannels: [Int]? = nil
    ) throws(DatasetError) {
        guard tensor.rank == 3, tensor.shape.allSatisfy({ $0 >= 1 }) else {
            throw .transformInputMismatch(
                transform: transform, sample: sample,
                expected: "a non-empty \(role) of rank 3 [C, H, W]", found: tensor.shape)
        }
        if let allowedChannels, !allowedChannels.contains(tensor.shape[0]) {
            let list = allowedChannels.map(String.init).joined(separator: " or ")
            throw .transformInputMismatch(
                transform: transform, sample: sample,
                expected: "an \(role) with \(list) channel\(allowedChannels == [1] ? "" : "s")", found: tensor.shape)
        }
        (channels, height, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
    }
}

extension DatasetSample {
    /// The checked geometry of the image.
    func imageGeometry(for transform: String, allowedChannels: [Int]? = nil) throws(DatasetError) -> ImageGeometry {
        try ImageGeometry(of: image, transform: transform, sample: name, allowedChannels: allowedChannels)
    }

    /// The checked geometry of the mask, when there is one: rank 3 with the image's height
    /// and width (any number of channels).
    func maskGeometry(matching image: ImageGeometry, for transform: String) throws(DatasetError) -> ImageGeometry? {
        guard let mask else { return nil }
        let geometry = try ImageGeometry(of: mask, role: "mask", transform: transform, sample: name)
        guard geometry.height == image.height, geometry.width == image.width else {
            throw .transformInputMismatch(
                transform: transform, sample: name,
                expected: "a mask of the image's size [1, \(image.height), \(image.width)]", found: mask.shape)
        }
        return geometry
    }
}

/// Allocates a tensor of `shape` (the only allocation of a transform) and lets `body` fill
/// every element from the elements of `input`.
func transformed(
    _ input: Tensor, to shape: [Int],
    _ body: (_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) -> Void
) -> Tensor {
    input.withUnsafeBufferPointer { (source) -> Tensor in
        Tensor(shape: shape) { destination in
            guard let from = source.baseAddress, let to = destination.baseAddress else { return }
            body(from, to)
        }
    }
}

/// Copies the `height × width` window whose top-left corner lies at row `top`, column
/// `left` of `input` (either may be negative, and the window may reach past the far edges):
/// pixels outside the image are zero, as after torchvision's zero padding.
func croppedWindow(
    _ input: Tensor, geometry: ImageGeometry, top: Int, left: Int, height: Int, width: Int
) -> Tensor {
    let (inputHeight, inputWidth) = (geometry.height, geometry.width)
    // The columns of each output row that fall inside the image.
    let firstColumn = min(width, max(0, -left))
    let endColumn = max(firstColumn, min(width, inputWidth - left))
    let copied = endColumn - firstColumn
    return transformed(input, to: [geometry.channels, height, width]) { x, y in
        var row = y
        for channel in 0..<geometry.channels {
            let plane = x + channel * geometry.plane
            for i in 0..<height {
                let sourceRow = top + i
                if sourceRow < 0 || sourceRow >= inputHeight {
                    row.update(repeating: 0, count: width)
                } else {
                    row.update(repeating: 0, count: firstColumn)
                    if copied > 0 {
                        (row + firstColumn).update(from: plane + sourceRow * inputWidth + left + firstColumn, count: copied)
                    }
                    (row + endColumn).update(repeating: 0, count: width - endColumn)
                }
                row += width
            }
        }
    }
}

/// The unbiased (Bessel-corrected) standard deviation and the mean over all `count`
/// elements, accumulated in double precision: `torch.Tensor.std()` and `mean()`.
func meanAndStandardDeviation(_ x: UnsafePointer<Float>, count: Int) -> (mean: Double, standardDeviation: Double) {
    var sum = 0.0
    for i in 0..<count { sum += Double(x[i]) }
    let mean = sum / Double(count)
    var squares = 0.0
    for i in 0..<count {
        let d = Double(x[i]) - mean
        squares += d * d
    }
    let deviation = count > 1 ? (squares / Double(count - 1)).squareRoot() : .nan
    return (mean, deviation)
}

extension SeededGenerator {
    /// A uniformly distributed integer in `0..<bound` (`bound ≥ 1`), by Lemire's
    /// multiply-and-reject method, so that the result does not depend on the standard
    /// library's implementation of `Int.random(in:using:)`.
    mutating func uniformInteger(below bound: Int) -> Int {
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold { product = next().multipliedFullWidth(by: limit) }
        }
        return Int(product.high)
    }

    /// A uniformly distributed float in `range` (`lower + (upper − lower)·u`, `u` in
    /// `[0, 1)`), as `torch.empty(1).uniform_(lower, upper)`.
    mutating func uniformFloat(in range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat()
    }

    /// True with probability `p`: a uniform draw in `[0, 1)` below `p`, as torchvision's
    /// `torch.rand(1) < p`.
    mutating func bernoulli(_ p: Double) -> Bool {
        Double(nextUnitFloat()) < p
    }
}

/// Checks that a probability lies in `[0, 1]`.
func validateProbability(_ p: Double, transform: String) throws(DatasetError) {
    guard p >= 0, p <= 1 else {
        throw .invalidTransformParameter(transform: transform, parameter: "probability p", expected: "in [0, 1]", found: "\(p)")
    }
}
