import Synchronization

/// Reusable float buffers for kernels that need temporary memory (the im2col matrices of
/// convolution). Buffers go back to the pool after use, so a training loop that repeats the
/// same shapes allocates nothing after its first step; at most `capacity` buffers are kept.
final class ScratchPool: Sendable {
    /// The process-wide pool used by the kernels.
    static let shared = ScratchPool(capacity: 8)

    private struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
    }

    private let idle = Mutex<[Buffer]>([])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Runs `body` with a buffer of at least `count` floats (contents undefined).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = take(count: count)
        defer { give(buffer) }
        return try body(buffer.pointer)
    }

    private func take(count: Int) -> Buffer {
        let reused: Buffer? = idle.withLock { buffers in
            // The smallest idle buffer that is large enough.
            guard let index = buffers.indices.filter({ buffers[$0].count >= count })
                .min(by: { buffers[$0].count < buffers[$1].count }) else { return nil }
            return buffers.remove(at: index)
        }
        if let reused { return reused }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return Buffer(pointer: raw.bindMemory(to: Float.self, capacity: max(count, 1)), count: count)
    }

    private func give(_ buffer: Buffer) {
        let evicted: Buffer? = idle.withLock { buffers in
            buffers.append(buffer)
            guard buffers.count > capacity else { return nil }
            // Drop the smallest: large buffers are the expensive ones to fault in again.
            let index = buffers.indices.min(by: { buffers[$0].count < buffers[$1].count })!
            return buffers.remove(at: index)
        }
        evicted?.pointer.deallocate()
    }
}
