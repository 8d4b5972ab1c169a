/// Scores with 0/1 labels, validated and sorted once: what ROC, precision-recall and the
/// pixel-level AUC are computed from.
struct RankedScores {
    /// Packed words (see ``ScoreKey``) sorted ascending by score; the low bit is the label.
    let words: [UInt64]
    /// The number of label-1 (anomalous) elements.
    let positives: Int
    /// The number of label-0 (nominal) elements.
    let negatives: Int

    /// Words that are already packed and counted, not yet sorted (sorted in place: pass
    /// the caller's last reference so that nothing is copied).
    init(unsortedWords: consuming [UInt64], positives: Int) {
        RadixSort.sortByScore(&unsortedWords)
        words = unsortedWords
        self.positives = positives
        negatives = words.count - positives
    }

    /// Validates and ranks `scores` with their `labels`.
    ///
    /// - Throws: ``ExplainError/countMismatch(operation:scores:labels:)``,
    ///   ``ExplainError/emptyScores(operation:)``,
    ///   ``ExplainError/invalidLabel(operation:index:label:)`` or
    ///   ``ExplainError/nanScore(operation:index:)``, for the first offending index.
    init(scores: [Float], labels: [Int], operation: String) throws(ExplainError) {
        guard scores.count == labels.count else {
            throw .countMismatch(operation: operation, scores: scores.count, labels: labels.count)
        }
        guard !scores.isEmpty else { throw .emptyScores(operation: operation) }
        var positives = 0
        var failure: ExplainError?
        let words = [UInt64](unsafeUninitializedCapacity: scores.count) { words, initializedCount in
            scores.withUnsafeBufferPointer { scores in
                labels.withUnsafeBufferPointer { labels in
                    for index in 0..<scores.count {
                        let label = labels[index]
                        guard label == 0 || label == 1 else {
                            failure = .invalidLabel(operation: operation, index: index, label: label)
                            return
                        }
                        let score = scores[index]
                        guard !score.isNaN else {
                            failure = .nanScore(operation: operation, index: index)
                            return
                        }
                        positives += label
                        words[index] = ScoreKey.packed(score, payload: UInt32(label))
                    }
                }
            }
            initializedCount = failure == nil ? scores.count : 0
        }
        if let failure { throw failure }
        self.init(unsortedWords: consume words, positives: positives)
    }

    /// Throws unless both classes are present.
    func requireBothClasses(operation: String) throws(ExplainError) {
        if positives == 0 { throw .missingClass(operation: operation, label: 1) }
        if negatives == 0 { throw .missingClass(operation: operation, label: 0) }
    }

    /// The area under the ROC curve: the trapezoid over the distinct thresholds, which is
    /// the Mann–Whitney statistic with ties counted ½. Sums exact integers,
    /// Σ negatives(t)·(2·positives above t + positives(t)), and divides once; both classes
    /// must be present.
    func areaUnderCurve() -> Double {
        var twiceArea = 0.0  // integers, exact below 2^53
        var truePositives = 0
        words.withUnsafeBufferPointer { words in
            var end = words.count
            while end > 0 {
                let score = words[end - 1] >> 32
                var start = end - 1
                var positivesHere = Int(words[start] & 1)
                while start > 0 && words[start - 1] >> 32 == score {
                    start -= 1
                    positivesHere += Int(words[start] & 1)
                }
                let negativesHere = end - start - positivesHere
                if negativesHere > 0 {
                    twiceArea += Double(negativesHere) * Double(2 * truePositives + positivesHere)
                }
                truePositives += positivesHere
                end = start
            }
        }
        return twiceArea / (2 * Double(positives) * Double(negatives))
    }

    /// Calls `body` for each run of tied scores from the highest score down, with the
    /// score and how many positives and negatives share it. Inlined into each caller, so
    /// the call per run costs nothing.
    @inline(__always)
    func forEachThresholdDescending(_ body: (_ score: Float, _ positives: Int, _ negatives: Int) -> Void) {
        words.withUnsafeBufferPointer { words in
            var end = words.count
            while end > 0 {
                let score = words[end - 1] >> 32
                var start = end - 1
                var positivesHere = Int(words[start] & 1)
                while start > 0 && words[start - 1] >> 32 == score {
                    start -= 1
                    positivesHere += Int(words[start] & 1)
                }
                body(ScoreKey.score(packed: words[start]), positivesHere, end - start - positivesHere)
                end = start
            }
        }
    }
}
