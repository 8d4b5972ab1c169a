import Foundation
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

    @Test func aSmallerRequestIsCarvedFromAFreeBufferAndALargerOneGetsItsOwn() {
        let cache = BufferCache()
        let first = cache.allocate(count: 3 * large)
        cache.release(first, count: 3 * large)
        let part = cache.allocate(count: large)
        #expect(part == first)
        #expect(cache.idleBytes == 2 * large * 4)
        let larger = cache.allocate(count: 3 * large)
        #expect(larger != first)
        #expect(cache.heldBytes == 6 * large * 4)
        cache.release(part, count: large)
        cache.release(larger, count: 3 * large)
        #expect(cache.idleBytes == 6 * large * 4)
        cache.trim(toBytes: 0)
        #expect(cache.heldBytes == 0)
    }

    @Test func smallBuffersAreNeverKept() {
        let cache = BufferCache()
        let small = cache.allocate(count: 16)
        cache.release(small, count: 16)
        #expect(cache.idleBytes == 0)
    }

    @Test func theLimitEvictsTheBuffersFreedLongestAgo() {
        let cache = BufferCache()
        let limit = 2 * large * 4
        let counts = [large, large + 16, large + 32]
        let buffers = counts.map { cache.allocate(count: $0) }
        for (buffer, count) in zip(buffers, counts) { cache.release(buffer, count: count, limitBytes: limit) }
        // Each release past the limit gives back the buffer freed longest ago: only the newest stays.
        #expect(cache.idleBytes == counts[2] * 4)
        let reused = cache.allocate(count: counts[2])
        #expect(reused == buffers[2])
        cache.release(reused, count: counts[2], limitBytes: limit)
        cache.trim(toBytes: 0)
        #expect(cache.idleBytes == 0)
    }

    @Test func theLimitComesFromTheSettingsInEffect() {
        let cache = BufferCache()
        var settings = ComputeSettings.current
        settings.bufferCacheLimitBytes = (large + 16) * 4
        ComputeSettings.withSettings(settings) {
            cache.release(cache.allocate(count: large), count: large)
            cache.release(cache.allocate(count: large + 16), count: large + 16)
        }
        #expect(cache.idleBytes == (large + 16) * 4)
        cache.trim(toBytes: 0)
    }

    @Test func aLimitOfZeroWhereABufferIsRequestedBypassesTheCache() {
        let cache = BufferCache()
        var settings = ComputeSettings.current
        settings.bufferCacheLimitBytes = 0
        let pointer = ComputeSettings.withSettings(settings) { cache.allocate(count: large) }
        #expect(cache.heldBytes == 0)
        cache.release(pointer, count: large, limitBytes: 1 << 30)
        #expect(cache.heldBytes == 0 && cache.idleBytes == 0)
    }

    /// Threads allocating and releasing at once get disjoint memory: each fills its buffers
    /// with its own pattern and finds it intact before releasing them.
    @Test func concurrentUseHandsOutDisjointMemory() {
        let cache = BufferCache()
        let large = large
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var generator = SeededGenerator(seed: UInt64(thread))
            var held: [(UnsafeMutablePointer<Float>, Int)] = []
            for step in 0..<150 {
                if held.count > 3 || (!held.isEmpty && Bool.random(using: &generator)) {
                    let (pointer, count) = held.removeFirst()
                    let expected = Float(thread * 1000 + Int(pointer[0]) % 1000)
                    #expect((0..<count).allSatisfy { pointer[$0] == expected })
                    cache.release(pointer, count: count, limitBytes: 1 << 30)
                } else {
                    let count = Int.random(in: large...(3 * large), using: &generator)
                    let pointer = cache.allocate(count: count)
                    pointer.update(repeating: Float(thread * 1000 + step % 1000), count: count)
                    held.append((pointer, count))
                }
            }
            for (pointer, count) in held { cache.release(pointer, count: count, limitBytes: 1 << 30) }
        }
        #expect(cache.idleBytes == cache.heldBytes)
    }
}
