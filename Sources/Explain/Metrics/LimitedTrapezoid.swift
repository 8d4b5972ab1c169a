/// The trapezoidal integral of a curve from its first point up to `x = limit`, fed one
/// point at a time in ascending `x` (equal `x` allowed: a vertical step adds nothing).
///
/// This is `trapezoid(x, y, x_max=limit)` of the MVTec AD evaluation code
/// (`generic_util.py`): the segments whose both ends lie at or below the limit, plus the
/// piece from the last point at or below the limit to the limit itself, whose height at the
/// limit is interpolated linearly towards the first point beyond it. Points after that one
/// are ignored, so a caller may stop once ``isComplete``.
struct LimitedTrapezoid {
    /// The upper end of the integration range.
    let limit: Double
    /// The integral so far.
    private(set) var area = 0.0
    /// Whether a point beyond the limit has arrived (the integral is final).
    private(set) var isComplete = false
    private var previousX: Double
    private var previousY: Double

    /// An integral that starts at the point (`x`, `y`).
    init(limit: Double, startX x: Double = 0, startY y: Double = 0) {
        self.limit = limit
        previousX = x
        previousY = y
    }

    /// Adds the next point of the curve.
    mutating func add(x: Double, y: Double) {
        guard !isComplete else { return }
        if x <= limit {
            area += 0.5 * (y + previousY) * (x - previousX)
            previousX = x
            previousY = y
        } else {
            // previousX ≤ limit < x: interpolate the height at the limit.
            let yAtLimit = previousY + (y - previousY) * (limit - previousX) / (x - previousX)
            area += 0.5 * (yAtLimit + previousY) * (limit - previousX)
            isComplete = true
        }
    }
}
