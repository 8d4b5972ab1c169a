/// An n-dimensional array of float32 values with reverse-mode automatic differentiation.
///
/// `Tensor` is a value type: the elements live in immutable, reference-counted storage that
/// several tensors may share (a reshape never copies), and every operation returns a new
/// tensor. Layout is always contiguous and row-major, so shapes follow PyTorch and NumPy:
/// activations are NCHW and convolution weights OIHW.
///
/// A tensor records how it was computed only when one of its inputs tracks gradients
/// (see ``trackingGradients()``) and recording is on (see ``withoutGradients(_:)-7iyki``).
public struct Tensor: Sendable {
    /// The size of each dimension; empty for a scalar (rank-0) tensor.
    public let shape: [Int]
    let storage: TensorStorage
    let node: GradientNode?

    /// Wraps storage that a kernel has filled. Internal: shape and count must agree.
    init(shape: [Int], storage: TensorStorage, node: GradientNode? = nil) {
        precondition(
            shapeElementCount(shape) == storage.count,
            "Tensor: shape \(shape) does not match storage of \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// Allocates a tensor of `shape` and lets `fill` write every element exactly once.
    init(uninitializedShape shape: [Int], fill: (UnsafeMutablePointer<Float>) -> Void) {
        let storage = TensorStorage(uninitializedCount: shapeElementCount(shape))
        fill(storage.pointer)
        self.init(shape: shape, storage: storage)
    }

    /// Creates a tensor of the given shape from row-major scalars.
    ///
    /// - Precondition: the shape has no negative dimension and `scalars` holds the product of
    ///   its dimensions; use ``init(checkedShape:scalars:)`` for shapes read from outside.
    public init(shape: [Int], scalars: [Float]) {
        self = orStop { () throws(TensorError) in try Tensor(checkedShape: shape, scalars: scalars) }
    }

    /// Creates a tensor of the given shape from row-major scalars, or throws when they do not
    /// fit: the variant for shapes and data that come from outside (a file, a configuration).
    ///
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` when a dimension is negative
    ///   or the number of scalars is not the product of the shape.
    public init(checkedShape shape: [Int], scalars: [Float]) throws(TensorError) {
        try checkShape(shape, op: "Tensor(shape:scalars:)")
        guard shapeElementCount(shape) == scalars.count else {
            throw .invalidArgument(
                op: "Tensor(shape:scalars:)",
                message: "expected \(shapeElementCount(shape)) scalars for shape \(describe(shape)), found \(scalars.count)")
        }
        let storage = scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        self.init(shape: shape, storage: storage)
    }

    /// Creates a tensor of `shape` whose elements `body` writes directly into the new
    /// storage (every element, row-major), without an intermediate array: the way to build
    /// large tensors from decoded files.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` for a negative dimension.
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        validateShape(shape, op: "Tensor(shape:initializingWith:)")
        self.init(uninitializedShape: shape) { pointer in
            body(UnsafeMutableBufferPointer(start: pointer, count: shapeElementCount(shape)))
        }
    }

    /// Creates a rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        let storage = scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        self.init(shape: [scalars.count], storage: storage)
    }

    /// Creates a rank-0 (scalar) tensor.
    public init(_ scalar: Float) {
        self.init(shape: [], storage: TensorStorage(count: 1, repeating: scalar))
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The total number of elements.
    public var scalarCount: Int { storage.count }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// The single element of a tensor that holds exactly one.
    ///
    /// - Precondition: Stops with ``TensorError/invalidArgument(op:message:)`` when the tensor holds more or
    ///   fewer than one element.
    public func item() -> Float {
        guard storage.count == 1 else {
            stop(.invalidArgument(op: "item", message: "expected a tensor with one element, found shape \(describe(shape))"))
        }
        return storage.pointer[0]
    }

    /// Calls `body` with read-only access to the contiguous elements, without copying.
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Whether this tensor records the operations applied to it, so that gradients can flow
    /// back through it.
    public var isTrackingGradients: Bool { node != nil }

    /// The same values, recorded as a leaf of the gradient graph: operations on the result
    /// are recorded and ``gradients(wrt:retainingGraph:)`` can return the gradient with respect to it.
    public func trackingGradients() -> Tensor {
        Tensor(shape: shape, storage: storage, node: GradientNode(leafWithShape: shape))
    }

    /// The same values without any gradient history; operations on the result are not
    /// recorded. Shares storage with `self`.
    public func detached() -> Tensor {
        node == nil ? self : Tensor(shape: shape, storage: storage)
    }
}

extension Tensor: CustomStringConvertible {
    /// A short summary: the shape and up to the first eight elements.
    public var description: String {
        let shown = (0..<Swift.min(8, scalarCount)).map { String(storage.pointer[$0]) }
        let more = scalarCount > 8 ? ", …" : ""
        return "Tensor(shape: \(describe(shape)), [\(shown.joined(separator: ", "))\(more)])"
    }
}

/// The number of elements of a shape (1 for a scalar).
func shapeElementCount(_ shape: [Int]) -> Int {
    var count = 1
    for dimension in shape { count *= dimension }
    return count
}

/// Throws when a shape from a caller has a negative dimension.
func checkShape(_ shape: [Int], op: String) throws(TensorError) {
    guard shape.allSatisfy({ $0 >= 0 }) else {
        throw .invalidArgument(op: op, message: "dimensions must be non-negative, found \(describe(shape))")
    }
}

/// Stops when a shape from a caller has a negative dimension.
func validateShape(_ shape: [Int], op: String) {
    orStop { () throws(TensorError) in try checkShape(shape, op: op) }
}

/// Row-major strides (in elements) of a contiguous tensor of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = running
        running *= shape[axis]
    }
    return strides
}

/// Turns a possibly negative axis (counted from the end, as in PyTorch) into an index in
/// `0..<rank`, or throws naming the operation.
func checkedAxis(_ axis: Int, rank: Int, op: String) throws(TensorError) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0 && resolved < rank else {
        throw .invalidArgument(op: op, message: "axis \(axis) is out of range for a tensor of rank \(rank)")
    }
    return resolved
}

/// ``checkedAxis(_:rank:op:)`` that stops instead of throwing.
func normalizeAxis(_ axis: Int, rank: Int, op: String) -> Int {
    orStop { () throws(TensorError) in try checkedAxis(axis, rank: rank, op: op) }
}
