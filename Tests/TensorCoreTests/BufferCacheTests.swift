import Testing

@testable import TensorCore

/// The cache that recycles large tensor buffers (a private instance per test, so tests
/// running in parallel do not disturb each other's counts).
@Suite struct BufferCacheTests {
    let large = BufferCache.minimumCachedCount

    @Test func aReleasedLargeBufferIsHandedOutAgainForTheSameSize() {
        let cache = BufferCache()
        let first = cache.allocate(count: large)
        cache.release(first, count: large)
        #expect(cache.idleBytes == large * 4)
        let second = cache.allocate(count: large)
        #expect(second == first)
        #expect(cache.idleBytes == 0)
        cache.release(second, count: large)
    }

    @Test func otherSizesGetTheirOwnBuffers() {
        let cache = BufferCache()
        let first = cache.allocate(count: large)
        cache.release(first, count: large)
        let other = cache.allocate(count: large + 1)
        #expect(other != first)
        #expect(cache.idleBytes == large * 4)
        cache.release(other, count: large + 1)
        #expect(cache.idleBytes == (2 * large + 1) * 4)
    }

    @Test func smallBuffersAreNeverKept() {
        let cache = BufferCache()
        let small = cache.allocate(count: 16)
        cache.release(small, count: 16)
        #expect(cache.idleBytes == 0)
    }

    @Test func theLimitEvictsTheOldestBuffers() {
        let cache = BufferCache()
        let limit = 2 * large * 4
        let buffers = (0..<3).map { cache.allocate(count: large + $0) }
        for (index, buffer) in buffers.enumerated() { cache.release(buffer, count: large + index, limitBytes: limit) }
        // Each release past the limit evicts the oldest idle buffer: only the newest stays.
        #expect(cache.idleBytes == (large + 2) * 4)
        let reused = cache.allocate(count: large + 2)
        #expect(reused == buffers[2])
        cache.release(reused, count: large + 2, limitBytes: limit)
        cache.trim(toBytes: 0)
        #expect(cache.idleBytes == 0)
    }

    @Test func theLimitComesFromTheSettingsInEffect() {
        let cache = BufferCache()
        var settings = ComputeSettings.current
        settings.bufferCacheLimitBytes = (large + 1) * 4
        ComputeSettings.withSettings(settings) {
            cache.release(cache.allocate(count: large), count: large)
            cache.release(cache.allocate(count: large + 1), count: large + 1)
        }
        #expect(cache.idleBytes == (large + 1) * 4)
        cache.trim(toBytes: 0)
    }
}
