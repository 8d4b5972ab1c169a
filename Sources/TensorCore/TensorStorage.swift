/// Immutable, contiguous float32 memory shared by tensors that differ only in shape
/// (reshape, squeeze, detach). Kernels write a new storage exactly once, before it is
/// wrapped in a ``Tensor``; after that nobody mutates it, which is why the class can be
/// `Sendable`.
final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer, 64-byte aligned; large buffers are recycled through
    /// ``BufferCache``.
    let pointer: UnsafeMutablePointer<Float>
    /// Number of float32 elements.
    let count: Int

    /// Allocates `count` uninitialised elements; the caller fills them before sharing.
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        pointer = BufferCache.shared.allocate(count: count)
    }

    /// Allocates `count` elements all set to `value`.
    convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Copies `values` into new storage.
    convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(uninitializedCount: values.count)
        if let base = values.baseAddress { pointer.update(from: base, count: values.count) }
    }

    deinit { BufferCache.shared.release(pointer, count: count) }
}
