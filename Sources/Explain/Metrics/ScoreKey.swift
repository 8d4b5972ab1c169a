/// The packing that lets every metric rank scores with one integer sort.
///
/// A score becomes a 32-bit key whose unsigned order is the numeric order of the scores
/// (−∞ lowest, +∞ highest; −0 and +0 are one key, as they compare equal), and sits in the
/// high half of a 64-bit word whose low half carries what the metric needs per element: the
/// 0/1 label for ROC and precision-recall, the ground-truth region for AU-PRO. Sorting the
/// words by their high half groups tied scores together; NaN must be rejected before.
enum ScoreKey {
    /// The order-preserving key of a score that is not NaN.
    @inline(__always)
    static func key(_ score: Float) -> UInt32 {
        let bits = score == 0 ? 0 : score.bitPattern  // −0 and +0: one threshold
        return bits & 0x8000_0000 == 0 ? bits | 0x8000_0000 : ~bits
    }

    /// The score whose key is `key` (+0 for the key of a zero).
    @inline(__always)
    static func score(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// The score's key in the high half and `payload` in the low half.
    @inline(__always)
    static func packed(_ score: Float, payload: UInt32) -> UInt64 {
        UInt64(key(score)) << 32 | UInt64(payload)
    }

    /// The score of a packed word.
    @inline(__always)
    static func score(packed word: UInt64) -> Float {
        score(UInt32(truncatingIfNeeded: word >> 32))
    }
}
