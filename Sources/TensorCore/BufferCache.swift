/// A cache of large float buffers, so that a training loop which allocates the same tensor
/// sizes every step reuses memory instead of asking the system for fresh pages each time.
///
/// Fresh pages are expensive: on these machines writing a newly mapped 51 MB buffer costs
/// five times as much as the multiply that fills it, because every page faults once. Buffers
/// of at least ``minimumCachedCount`` floats are therefore returned here when a tensor (or a
/// kernel's workspace) is freed, and handed out again: a request takes the smallest free
/// block that holds it and a freed block merges with its free neighbours (``BufferArena``),
/// so memory freed in one size serves requests of other sizes. Free memory beyond
/// ``ComputeSettings/bufferCacheLimitBytes`` of the settings in effect where a buffer is
/// returned goes back to the system, the buffers freed longest ago first; with a limit of 0
/// where a buffer is requested, it comes straight from the system and goes straight back.
final class BufferCache: Sendable {
    /// The process-wide cache behind tensor storage and kernel workspaces.
    static let shared = BufferCache()

    /// Smaller buffers come from malloc's own free lists, which are fast enough.
    static let minimumCachedCount = 1 << 16

    private let arena = Locked(BufferArena(minimumSplit: BufferCache.minimumCachedCount))

    /// Frees every buffer: a cache other than ``shared`` (a test's) gives its memory back
    /// when it goes away.
    deinit {
        let bases = arena.withLock { $0.removeAll() }
        for base in bases { base.deallocate() }
    }

    /// Memory for `count` floats, 64-byte aligned, contents undefined.
    func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        guard count >= Self.minimumCachedCount else { return Self.systemAllocate(count: count) }
        if let reused = arena.withLock({ $0.take(count: count) }) { return reused }
        let blockCount = BufferArena.blockCount(count)
        let pointer = Self.systemAllocate(count: blockCount)
        if ComputeSettings.current.bufferCacheLimitBytes > 0 {
            arena.withLock { $0.addSegment(base: pointer, count: blockCount) }
        }
        return pointer
    }

    /// Gives back memory from ``allocate(count:)``, keeping at most `limitBytes` free in
    /// wholly free buffers (by default the limit of the settings in effect here).
    func release(_ pointer: UnsafeMutablePointer<Float>, count: Int, limitBytes: Int? = nil) {
        guard count >= Self.minimumCachedCount else {
            pointer.deallocate()
            return
        }
        let limitBytes = limitBytes ?? ComputeSettings.current.bufferCacheLimitBytes
        let (cached, evicted) = arena.withLock { arena in
            let cached = arena.release(pointer)
            return (cached, cached ? arena.evict(beyond: limitBytes / 4) : [])
        }
        if !cached { pointer.deallocate() }
        for base in evicted { base.deallocate() }
    }

    /// Runs `body` with a temporary buffer of `count` floats (contents undefined).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let pointer = allocate(count: count)
        defer { release(pointer, count: count) }
        return try body(pointer)
    }

    /// Bytes held in free blocks.
    var idleBytes: Int { arena.withLock { $0.idleCount * 4 } }

    /// Bytes obtained from the system and held here, in use or free.
    var heldBytes: Int { arena.withLock { $0.segments.values.reduce(0) { $0 + $1.count } * 4 } }

    /// Gives wholly free buffers back to the system, those freed longest ago first, until at
    /// most `limitBytes` stay free or none is wholly free.
    func trim(toBytes limitBytes: Int) {
        let evicted = arena.withLock { $0.evict(beyond: limitBytes / 4) }
        for base in evicted { base.deallocate() }
    }

    private static func systemAllocate(count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * 4, alignment: 64).bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }
}

/// The memory that tensors keep for reuse (see the cache described in <doc:TensorCoreGuide>;
/// its limit is ``ComputeSettings/bufferCacheLimitBytes``).
public enum TensorMemory {
    /// Bytes currently held for reuse by freed tensors and kernel workspaces.
    public static var cachedBytes: Int { BufferCache.shared.idleBytes }
}
