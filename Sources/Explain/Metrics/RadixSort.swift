/// Sorting packed score words (see ``ScoreKey``) by their score half.
enum RadixSort {
    /// Below this count a comparison sort of the whole words is cheaper than the buckets.
    static let smallCount = 256

    /// Sorts `words` ascending by their high 32 bits in O(n): a stable least-significant-digit
    /// radix sort over the four bytes of the score key, skipping a pass where every word
    /// has the same byte (scores in a narrow range share the sign and exponent byte;
    /// quantised scores share more). The order of the low halves within a run of equal
    /// scores is unspecified; the metrics only count them.
    static func sortByScore(_ words: inout [UInt64]) {
        let count = words.count
        guard count >= smallCount else {
            words.sort()
            return
        }
        var histograms = [Int](repeating: 0, count: 4 * 256)
        words.withUnsafeBufferPointer { source in
            histograms.withUnsafeMutableBufferPointer { histogram in
                for word in source {
                    histogram[Int((word >> 32) & 0xFF)] += 1
                    histogram[256 + Int((word >> 40) & 0xFF)] += 1
                    histogram[512 + Int((word >> 48) & 0xFF)] += 1
                    histogram[768 + Int(word >> 56)] += 1
                }
            }
        }
        // Every element is written by the first pass that runs before it is read.
        var scratch = [UInt64](unsafeUninitializedCapacity: count) { _, initializedCount in initializedCount = count }
        var sortedInScratch = false
        for pass in 0..<4 {
            let base = pass * 256
            // A pass where one bucket holds everything would only copy.
            if histograms[base..<(base + 256)].contains(count) { continue }
            var offsets = [Int](repeating: 0, count: 256)
            var running = 0
            for bucket in 0..<256 {
                offsets[bucket] = running
                running += histograms[base + bucket]
            }
            let shift = UInt64(32 + 8 * pass)
            if sortedInScratch {
                scatter(from: scratch, into: &words, offsets: &offsets, shift: shift)
            } else {
                scatter(from: words, into: &scratch, offsets: &offsets, shift: shift)
            }
            sortedInScratch.toggle()
        }
        if sortedInScratch { swap(&words, &scratch) }
    }

    /// One counting-sort pass on the byte at `shift`.
    private static func scatter(from source: [UInt64], into destination: inout [UInt64], offsets: inout [Int], shift: UInt64) {
        source.withUnsafeBufferPointer { source in
            destination.withUnsafeMutableBufferPointer { destination in
                offsets.withUnsafeMutableBufferPointer { offsets in
                    for word in source {
                        let digit = Int((word >> shift) & 0xFF)
                        destination[offsets[digit]] = word
                        offsets[digit] += 1
                    }
                }
            }
        }
    }
}
