import TensorCore

// Internal helpers of the map files (Maps/): the
// [N, H, W] / [N, 1, H, W] layouts, and the k-th smallest value that the display
// normalisation takes its quantiles from.

/// Helpers shared by the files under Maps/.
enum MapsSupport {
    /// The 1-based rank of the `quantile`-quantile among `count` values as the reference
    /// takes it: torch `kthvalue(int(qu · N))`, the product in double precision as in
    /// Python, and at least 1 (where the reference's `kthvalue(0)` fails).
    static func quantileRank(_ quantile: Double, count: Int) -> Int {
        Swift.max(1, Swift.min(count, Int((quantile * Double(count)).rounded(.down))))
    }

    /// Throws unless `quantile` lies in (0, 1].
    static func validateQuantile(_ quantile: Double, operation: String) throws(ExplainError) {
        guard quantile > 0, quantile <= 1 else {
            throw .invalidArgument(operation: operation, message: "expected a quantile in (0, 1], found \(quantile)")
        }
    }

    /// The `rank`-th smallest value (1-based) of `values`, found by quickselect (Hoare
    /// partitioning around a median of three, so runs of ties split evenly). Reorders
    /// `values`. Requires 1 ≤ rank ≤ count and no NaN.
    static func kthSmallest(_ values: UnsafeMutableBufferPointer<Float>, rank: Int) -> Float {
        let target = rank - 1
        var low = 0
        var high = values.count - 1
        while low < high {
            let middle = low + (high - low) / 2
            if values[middle] < values[low] { values.swapAt(middle, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[middle] { values.swapAt(high, middle) }
            let pivot = values[middle]
            var i = low
            var j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while pivot < values[j] { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now values[low...j] ≤ pivot ≤ values[i...high], and everything between is the pivot.
            if target <= j {
                high = j
            } else if target >= i {
                low = i
            } else {
                return values[target]
            }
        }
        return values[target]
    }

    /// The flat index of the first NaN of `values`, if any.
    static func firstNaN(_ values: UnsafeBufferPointer<Float>) -> Int? {
        for index in 0..<values.count where values[index].isNaN { return index }
        return nil
    }
}

/// A batch of single-channel maps given as `[N, H, W]` or `[N, 1, H, W]`, seen as
/// `[N, 1, H, W]`, that remembers the caller's layout for the result.
struct SingleChannelMaps {
    /// The maps as `[N, 1, H, W]` (sharing the caller's storage).
    let planes: Tensor
    /// Whether the caller gave `[N, 1, H, W]` rather than `[N, H, W]`.
    let hasChannelAxis: Bool

    var count: Int { planes.shape[0] }
    var height: Int { planes.shape[2] }
    var width: Int { planes.shape[3] }

    /// Reads `maps`, or throws a shape mismatch naming `operation` and `name`.
    init(_ maps: Tensor, operation: String, name: String = "maps") throws(ExplainError) {
        switch maps.rank {
        case 3:
            hasChannelAxis = false
            planes = maps.unsqueezed(axis: 1)
        case 4 where maps.shape[1] == 1:
            hasChannelAxis = true
            planes = maps
        default:
            throw .shapeMismatch(operation: operation, expected: "\(name) [N, H, W] or [N, 1, H, W]", found: [maps.shape])
        }
        guard planes.shape[0] >= 1, planes.shape[2] >= 1, planes.shape[3] >= 1 else {
            throw .shapeMismatch(operation: operation, expected: "at least one non-empty map in \(name)", found: [maps.shape])
        }
    }

    /// `result` (`[N, 1, H', W']`) in the caller's layout.
    func restoringLayout(_ result: Tensor) -> Tensor {
        if hasChannelAxis { return result }
        return result.squeezed(axis: 1)
    }
}
