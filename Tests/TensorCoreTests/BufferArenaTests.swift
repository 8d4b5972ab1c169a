import Testing

@testable import TensorCore

/// The bookkeeping of the buffer cache: best fit, splitting, merging and eviction. The arena
/// never touches the memory it manages, so the segments here are made-up addresses.
@Suite struct BufferArenaTests {
    /// A made-up, 64-byte-aligned segment start; never dereferenced.
    func base(_ index: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutablePointer(bitPattern: (index + 1) << 32)!
    }

    /// An arena holding one wholly free segment of `count` floats per entry of `counts`.
    func arena(freeSegments counts: [Int], minimumSplit: Int = 64) -> BufferArena {
        var arena = BufferArena(minimumSplit: minimumSplit)
        for (index, count) in counts.enumerated() {
            arena.addSegment(base: base(index), count: count)
            let released = arena.release(base(index))
            #expect(released)
        }
        return arena
    }

    @Test func aRequestIsCarvedFromTheStartOfAFreeBlockAndTheBlocksMergeAgain() throws {
        var arena = arena(freeSegments: [1024])
        #expect(arena.idleCount == 1024)
        let taken = arena.take(count: 100)
        let first = try #require(taken)
        #expect(first == base(0))
        #expect(arena.idleCount == 1024 - 112)  // 100 rounded up to whole 16-float granules
        let taken2 = arena.take(count: 200)
        let second = try #require(taken2)
        #expect(second == base(0) + 112)
        let released = arena.release(first)
        #expect(released)
        #expect(arena.segments[0]?.blocks.map(\.isFree) == [true, false, true])
        let released2 = arena.release(second)
        #expect(released2)
        // Both neighbours were free: the segment is one free block again, and serves its size.
        #expect(arena.segments[0]?.blocks == [BufferArena.Block(offset: 0, count: 1024, isFree: true)])
        let taken3 = arena.take(count: 1024)
        #expect(taken3 == base(0))
        let taken4 = arena.take(count: 16)
        #expect(taken4 == nil)
    }

    @Test func theSmallestFreeBlockThatHoldsTheRequestIsTaken() {
        var arena = arena(freeSegments: [1024, 512, 256])
        let taken = arena.take(count: 300)
        #expect(taken == base(1))
        let taken2 = arena.take(count: 256)
        #expect(taken2 == base(2))
        let taken3 = arena.take(count: 600)
        #expect(taken3 == base(0))
        let taken4 = arena.take(count: 600)
        #expect(taken4 == nil)
        // The 512-float segment's remainder (512 − 304 = 208 floats) is the best fit now.
        let taken5 = arena.take(count: 200)
        #expect(taken5 == base(1) + 304)
    }

    @Test func aRemainderBelowTheMinimumSplitStaysWithTheBlock() {
        var arena = arena(freeSegments: [128])
        let pointer = arena.take(count: 80)
        #expect(pointer == base(0))
        #expect(arena.idleCount == 0)
        #expect(arena.segments[0]?.blocks.count == 1)
        let released = arena.release(base(0))
        #expect(released)
        #expect(arena.idleCount == 128)
    }

    @Test func evictionGivesBackWhollyFreeSegmentsFreedLongestAgoFirst() throws {
        var arena = BufferArena(minimumSplit: 64)
        for (index, count) in [256, 256, 192].enumerated() { arena.addSegment(base: base(index), count: count) }
        let released = arena.release(base(1))
        #expect(released)
        let released2 = arena.release(base(0))
        #expect(released2)
        // Segment 2, the best fit, is split: 128 floats in use, 64 free.
        let released3 = arena.release(base(2))
        #expect(released3)
        let taken = arena.take(count: 128)
        let inUse = try #require(taken)
        #expect(inUse == base(2))
        #expect(arena.idleCount == 256 + 256 + 64)
        let evicted = arena.evict(beyond: 300)
        #expect(evicted == [base(1), base(0)])
        // The free part of a segment still in use cannot be given back.
        let evicted2 = arena.evict(beyond: 0)
        #expect(evicted2 == [])
        #expect(arena.idleCount == 64)
        let released4 = arena.release(inUse)
        #expect(released4)
        let evicted3 = arena.evict(beyond: 0)
        #expect(evicted3 == [base(2)])
        #expect(arena.segments.isEmpty && arena.idleCount == 0)
    }

    @Test func anAddressThatIsNotInUseIsNotReleased() {
        var arena = arena(freeSegments: [256])
        let released = arena.release(base(0))
        #expect(!released)
        let released2 = arena.release(base(5))
        #expect(!released2)
        #expect(arena.idleCount == 256)
    }

    /// Random takes, new segments and releases; after every operation the blocks tile each
    /// segment exactly, no two free blocks are neighbours, the free count adds up, and the
    /// blocks in use never overlap.
    @Test func randomSequencesKeepTheBlocksConsistent() throws {
        var generator = SeededGenerator(seed: 7)
        var arena = BufferArena(minimumSplit: 64)
        var inUse: [UnsafeMutablePointer<Float>: Int] = [:]
        var segmentCount = 0
        var peakInUse = 0
        for _ in 0..<2000 {
            if inUse.count > 12 || (!inUse.isEmpty && Bool.random(using: &generator)) {
                let pointer = inUse.keys.sorted()[Int.random(in: 0..<inUse.count, using: &generator)]
                let released = arena.release(pointer)
                #expect(released)
                inUse[pointer] = nil
            } else {
                let count = Int.random(in: 1...3000, using: &generator)
                if let pointer = arena.take(count: count) {
                    inUse[pointer] = BufferArena.blockCount(count)
                } else {
                    let size = BufferArena.blockCount(count)
                    arena.addSegment(base: base(segmentCount), count: size)
                    inUse[base(segmentCount)] = size
                    segmentCount += 1
                }
            }
            var free = 0
            for segment in arena.segments.values {
                var offset = 0
                for (index, block) in segment.blocks.enumerated() {
                    #expect(block.offset == offset && block.count > 0 && block.offset % BufferArena.granule == 0)
                    if index > 0 { #expect(!(block.isFree && segment.blocks[index - 1].isFree)) }
                    if block.isFree { free += block.count } else { #expect(inUse[segment.base + block.offset].map { $0 <= block.count } == true) }
                    offset += block.count
                }
                #expect(offset == segment.count)
            }
            #expect(free == arena.idleCount)
            peakInUse = max(peakInUse, inUse.values.reduce(0, +))
            #expect(arena.segments.values.reduce(0) { $0 + $1.blocks.filter { !$0.isFree }.count } == inUse.count)
        }
        // Best fit with merging reuses memory: what the arena holds stays within a small
        // multiple of the most that was in use at once.
        let held = arena.segments.values.reduce(0) { $0 + $1.count }
        #expect(held <= 3 * peakInUse, "held \(held) floats for a peak of \(peakInUse) in use")
    }
}
