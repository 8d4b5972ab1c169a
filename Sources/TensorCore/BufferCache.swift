import Synchronization

/// A cache of large float buffers, so that a training loop which allocates the same tensor
/// sizes every step reuses memory instead of asking the system for fresh pages each time.
///
/// Fresh pages are expensive: on these machines writing a newly mapped 51 MB buffer costs
/// five times as much as the multiply that fills it, because every page faults once. Buffers
/// of at least ``minimumCachedCount`` floats are therefore returned here when a tensor (or a
/// kernel's workspace) is freed, and handed out again for a request of the same size. The
/// cache holds at most ``ComputeSettings/bufferCacheLimitBytes`` bytes of the settings in
/// effect where a buffer is returned; beyond that the buffers that were returned longest ago
/// are freed.
final class BufferCache: Sendable {
    /// The process-wide cache behind tensor storage and kernel workspaces.
    static let shared = BufferCache()

    /// Smaller buffers come from malloc's own free lists, which are fast enough.
    static let minimumCachedCount = 1 << 16

    private struct Entry: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
    }

    private struct State {
        var idle: [Entry] = []
        var idleBytes = 0

        /// Removes the oldest idle buffers until the rest fit `limitBytes`; the caller frees
        /// them outside the lock.
        mutating func evict(beyond limitBytes: Int) -> [Entry] {
            var evicted: [Entry] = []
            while idleBytes > limitBytes, !idle.isEmpty {
                let oldest = idle.removeFirst()
                idleBytes -= oldest.count * 4
                evicted.append(oldest)
            }
            return evicted
        }
    }

    private let state = Mutex(State())

    /// Frees the idle buffers: a cache other than ``shared`` (a test's, a scoped one) gives its
    /// memory back when it goes away.
    deinit {
        state.withLock { state in
            for entry in state.idle { entry.pointer.deallocate() }
            state.idle.removeAll()
        }
    }

    /// Memory for `count` floats, 64-byte aligned, contents undefined.
    func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        if count >= Self.minimumCachedCount {
            let reused: UnsafeMutablePointer<Float>? = state.withLock { state in
                guard let index = state.idle.lastIndex(where: { $0.count == count }) else { return nil }
                state.idleBytes -= count * 4
                return state.idle.remove(at: index).pointer
            }
            if let reused { return reused }
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    /// Gives back memory from ``allocate(count:)``, keeping at most `limitBytes` idle (by
    /// default the limit of the settings in effect here, read only for a buffer to keep).
    func release(_ pointer: UnsafeMutablePointer<Float>, count: Int, limitBytes: Int? = nil) {
        guard count >= Self.minimumCachedCount else {
            pointer.deallocate()
            return
        }
        let limitBytes = limitBytes ?? ComputeSettings.current.bufferCacheLimitBytes
        let evicted: [Entry] = state.withLock { state in
            state.idle.append(Entry(pointer: pointer, count: count))
            state.idleBytes += count * 4
            return state.evict(beyond: limitBytes)
        }
        for entry in evicted { entry.pointer.deallocate() }
    }

    /// Runs `body` with a temporary buffer of `count` floats (contents undefined).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let pointer = allocate(count: count)
        defer { release(pointer, count: count) }
        return try body(pointer)
    }

    /// Bytes held by idle buffers.
    var idleBytes: Int { state.withLock { $0.idleBytes } }

    /// Frees the oldest idle buffers until at most `limitBytes` stay idle.
    func trim(toBytes limitBytes: Int) {
        let evicted = state.withLock { $0.evict(beyond: limitBytes) }
        for entry in evicted { entry.pointer.deallocate() }
    }
}

/// The memory that tensors keep for reuse (see the cache described in <doc:TensorCoreGuide>;
/// its limit is ``ComputeSettings/bufferCacheLimitBytes``).
public enum TensorMemory {
    /// Bytes currently held for reuse by freed tensors and kernel workspaces.
    public static var cachedBytes: Int { BufferCache.shared.idleBytes }
}
