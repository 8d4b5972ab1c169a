/// Collects the points of a curve in the unit square, keeping the first, the last, and each
/// point that lies at least `resolution` from the previous kept point along x or along y.
///
/// A curve through the kept points stays within `resolution` of the full one wherever the
/// full one is monotone (ROC and PRO curves are), and a curve whose coordinates move by at most
/// 2 in total (x and y each from 0 to 1) keeps at most `2 / resolution + 2` points, however
/// many elements were ranked. A resolution of 0 keeps every point.
struct CurveThinning {
    /// The spacing along either axis below which a point is left out.
    let resolution: Double
    private(set) var xs: [Double] = []
    private(set) var ys: [Double] = []
    private(set) var thresholds: [Float] = []
    /// The latest point left out, added by ``finish()`` so that the curve ends where it should.
    private var skipped: (x: Double, y: Double, threshold: Float)?

    /// A collector that keeps points `resolution` apart (0 keeps all).
    init(resolution: Double) {
        self.resolution = resolution
    }

    /// Offers the next point of the curve.
    mutating func add(x: Double, y: Double, threshold: Float) {
        if let lastX = xs.last, let lastY = ys.last, abs(x - lastX) < resolution, abs(y - lastY) < resolution {
            skipped = (x, y, threshold)
            return
        }
        append(x: x, y: y, threshold: threshold)
    }

    /// Adds the last point offered, if it was left out.
    mutating func finish() {
        if let skipped { append(x: skipped.x, y: skipped.y, threshold: skipped.threshold) }
        skipped = nil
    }

    private mutating func append(x: Double, y: Double, threshold: Float) {
        xs.append(x)
        ys.append(y)
        thresholds.append(threshold)
        skipped = nil
    }

    /// Checks a resolution given by a caller.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` unless it is finite and in [0, 1).
    static func validate(_ resolution: Double, operation: String) throws(ExplainError) {
        guard resolution.isFinite, resolution >= 0, resolution < 1 else {
            throw .invalidArgument(operation: operation, message: "expected a resolution in [0, 1), found \(resolution)")
        }
    }
}
