import Dispatch

/// The median of `values` (the upper one of the two middle values for an even count).
///
/// - Precondition: `values` is not empty.
public func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}

/// Calls `body` once to warm up, then `runs` times, and returns the median wall time of
/// those calls in milliseconds: the timing of every plain benchmark executable.
public func medianMilliseconds(runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<max(runs, 1) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return median(samples)
}
