import Testing

@testable import TensorCore

// Finite-difference checks (`checkGradients`, in Support/GradientChecker.swift) of every
// differentiable op, and exact gradient rules at ties, kinks and bounds.

// MARK: - Test data

/// The draws only these tests need.
extension GradientTestData {
    fileprivate mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    fileprivate mutating func float(_ range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnitFloat()
    }

    fileprivate mutating func bool() -> Bool { Bool.random(using: &rng) }

    /// A random sign times a magnitude in `low...high`, so `|x| ≥ low`.
    fileprivate mutating func signed(_ shape: [Int], _ low: Float, _ high: Float) throws -> Tensor {
        var values: [Float] = []
        for _ in 0..<shapeElementCount(shape) {
            let magnitude = float(low...high)
            values.append(bool() ? magnitude : -magnitude)
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Values in `range` at least `margin` away from every point of `kinks`.
    fileprivate mutating func avoiding(
        _ kinks: [Float], _ shape: [Int], in range: ClosedRange<Float>,
        margin: Float = 0.05
    ) throws -> Tensor {
        var values: [Float] = []
        while values.count < shapeElementCount(shape) {
            let candidate = float(range)
            if kinks.allSatisfy({ Swift.abs(candidate - $0) >= margin }) { values.append(candidate) }
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Tensors of the given shapes whose elements, all of them together, are distinct and
    /// at least `gap` apart (for max/min and maximum/minimum away from ties).
    fileprivate mutating func distinct(_ shapes: [[Int]], gap: Float = 0.07) throws -> [Tensor] {
        let total = shapes.reduce(0) { $0 + shapeElementCount($1) }
        let levels = (0..<total).map { (Float($0) - Float(total) / 2) * gap }.shuffled(using: &rng)
        var start = 0
        var tensors: [Tensor] = []
        for shape in shapes {
            let count = shapeElementCount(shape)
            tensors.append(Tensor(shape: shape, scalars: Array(levels[start..<(start + count)])))
            start += count
        }
        return tensors
    }

    /// A shape of `rank` with sizes in `1...maxSize`.
    fileprivate mutating func shape(rank: Int, maxSize: Int = 4) -> [Int] {
        var shape: [Int] = []
        for _ in 0..<rank { shape.append(int(1...maxSize)) }
        return shape
    }

    /// A few shapes for one op: a rank-3 shape with a size-1 axis, a rank-2 and a rank-1
    /// shape, all with sizes of at least 2 elsewhere.
    fileprivate mutating func trialShapes() -> [[Int]] {
        var withUnitAxis = [int(2...4), int(2...4), int(2...4)]
        withUnitAxis[int(0...2)] = 1
        return [withUnitAxis, [int(2...4), int(2...5)], [int(2...6)]]
    }

    /// Two shapes that broadcast: a random result shape, each operand taking a suffix of
    /// it with some sizes set to 1.
    fileprivate mutating func broadcastPair() -> ([Int], [Int]) {
        let full = shape(rank: int(2...4), maxSize: 4)
        var operands: [[Int]] = []
        for _ in 0..<2 {
            var operand = Array(full.dropFirst(int(0...(full.count - 1))))
            for axis in operand.indices where int(0...2) == 0 { operand[axis] = 1 }
            operands.append(operand)
        }
        return (operands[0], operands[1])
    }
}

/// Fixed broadcasting cases: rank mismatch both ways, scalars, size-1 axes on both sides.
private let broadcastCases: [([Int], [Int])] = [
    ([3, 1, 4], [2, 1]), ([2, 1], [3, 1, 4]), ([2, 3], []), ([], [2, 3]), ([1], [2, 3]),
    ([4, 1], [1, 5]), ([2, 3], [2, 3]), ([2, 1, 3], [4, 1]), ([1, 1], [1]),
]

// MARK: - Finite-difference checks of every differentiable op

@Suite struct GradientCheckTests {
    @Test func arithmeticWithBroadcasting() throws {
        var data = GradientTestData(seed: 1)
        var pairs = broadcastCases
        for _ in 0..<3 { pairs.append(data.broadcastPair()) }
        for (sa, sb) in pairs {
            let a = try data.normal(sa), b = try data.normal(sb)
            let denominator = try data.signed(sb, 0.5, 2)
            try checkGradients("add \(sa) + \(sb)", [a, b]) { $0[0] + $0[1] }
            try checkGradients("subtract \(sa) - \(sb)", [a, b]) { $0[0] - $0[1] }
            try checkGradients("multiply \(sa) * \(sb)", [a, b]) { $0[0] * $0[1] }
            try checkGradients("divide \(sa) / \(sb)", [a, denominator]) { $0[0] / $0[1] }
        }
    }

    @Test func scalarOverloadsAndNegation() throws {
        var data = GradientTestData(seed: 2)
        for shape in data.trialShapes() + [[]] {
            let x = try data.normal(shape)
            let away = try data.signed(shape, 0.5, 2)
            try checkGradients("x + 2 \(shape)", [x]) { $0[0] + 2 }
            try checkGradients("2 + x \(shape)", [x]) { 2 + $0[0] }
            try checkGradients("x - 2 \(shape)", [x]) { $0[0] - 2 }
            try checkGradients("2 - x \(shape)", [x]) { 2 - $0[0] }
            try checkGradients("x * 3 \(shape)", [x]) { $0[0] * 3 }
            try checkGradients("3 * x \(shape)", [x]) { 3 * $0[0] }
            try checkGradients("x / 3 \(shape)", [x]) { $0[0] / 3 }
            try checkGradients("3 / x \(shape)", [away]) { 3 / $0[0] }
            try checkGradients("-x \(shape)", [x]) { -$0[0] }
        }
    }

    @Test func powWithTensorExponent() throws {
        var data = GradientTestData(seed: 3)
        var pairs = broadcastCases
        pairs.append(data.broadcastPair())
        for (sa, sb) in pairs {
            let base = try data.uniform(sa, 0.5, 2), exponent = try data.uniform(sb, -2, 2)
            try checkGradients("pow \(sa) ^ \(sb)", [base, exponent]) { $0[0].pow($0[1]) }
        }
    }

    @Test(arguments: [Float(2), 0.5, 3, 1, -1.5, 0])
    func powWithScalarExponent(exponent: Float) throws {
        var data = GradientTestData(seed: 4)
        for shape in data.trialShapes() {
            let x = try data.uniform(shape, 0.3, 2)
            try checkGradients("pow(\(exponent)) \(shape)", [x]) { $0[0].pow(exponent) }
            if exponent == exponent.rounded() {
                // Integral exponents are defined for negative bases too.
                let signed = try data.signed(shape, 0.3, 2)
                try checkGradients("pow(\(exponent)) signed \(shape)", [signed]) { $0[0].pow(exponent) }
            }
        }
    }

    @Test(arguments: GradientCheckUnaryOp.allCases)
    func unary(_ unary: GradientCheckUnaryOp) throws {
        var data = GradientTestData(seed: 5)
        for shape in data.trialShapes() + [[]] {
            let x = try unary.input(shape, &data)
            try checkGradients("\(unary) \(shape)", [x]) { try unary.apply($0[0]) }
        }
    }

    @Test func maximumAndMinimumWithBroadcasting() throws {
        var data = GradientTestData(seed: 6)
        var pairs = broadcastCases
        for _ in 0..<2 { pairs.append(data.broadcastPair()) }
        for (sa, sb) in pairs {
            let ab = try data.distinct([sa, sb])
            try checkGradients("maximum \(sa) \(sb)", ab) { $0[0].maximum($0[1]) }
            try checkGradients("minimum \(sa) \(sb)", ab) { $0[0].minimum($0[1]) }
        }
    }

    @Test func whereWithBroadcastCondition() throws {
        var data = GradientTestData(seed: 7)
        let cases: [(condition: [Int], a: [Int], b: [Int])] = [
            ([3, 4], [3, 4], [3, 4]), ([3, 1], [3, 4], [4]), ([4], [2, 4], []),
            ([2, 1, 4], [3, 1], [1, 4]), ([], [2, 3], [2, 3]), ([2, 3], [1], [2, 1]),
        ]
        for (sc, sa, sb) in cases {
            var bits: [Float] = []
            for _ in 0..<shapeElementCount(sc) { bits.append(data.bool() ? 1 : 0) }
            if bits.count > 1 { bits[0] = 1; bits[1] = 0 }  // both branches are picked somewhere
            for scalars in sc.isEmpty ? [[Float(1)], [0]] : [bits] {
                let condition = Tensor(shape: sc, scalars: scalars)
                let a = try data.normal(sa), b = try data.normal(sb)
                try checkGradients("where \(sc) \(scalars.prefix(4)) \(sa) \(sb)", [a, b]) {
                    Tensor.where(condition, $0[0], $0[1])
                }
            }
        }
        // The same tensor in both branches collects both contributions.
        let x = try data.normal([3, 4])
        let condition = try data.uniform([3, 4], 0, 1).isGreater(than: 0.5)
        try checkGradients("where(c, x, x * 2)", [x]) { Tensor.where(condition, $0[0], $0[0] * 2) }
    }

    @Test func sumMeanAndVarianceAlongAxes() throws {
        var data = GradientTestData(seed: 8)
        let shapes: [[Int]] = [[3, 1, 4], [2, 3, 4], data.shape(rank: 3), [2, 3, 2, 3]]
        for shape in shapes {
            let x = try data.normal(shape)
            var axisSets: [[Int]] = [[0], [1], [-1], [0, 2], [2, 0], Array(0..<shape.count)]
            if shape.count == 4 { axisSets += [[1, 3], [0, 3], [0, 1, 3]] }
            for axes in axisSets {
                for keep in [false, true] {
                    let tag = "\(shape) axes \(axes) keep \(keep)"
                    try checkGradients("sum \(tag)", [x]) { $0[0].sum(alongAxes: axes, keepingDimensions: keep) }
                    try checkGradients("mean \(tag)", [x]) { $0[0].mean(alongAxes: axes, keepingDimensions: keep) }
                    let count = axes.reduce(1) { $0 * shape[($1 + shape.count) % shape.count] }
                    for correction in [0, 1] where count > correction {
                        try checkGradients("variance(\(correction)) \(tag)", [x]) {
                            $0[0].variance(alongAxes: axes, correction: correction, keepingDimensions: keep)
                        }
                    }
                }
            }
            try checkGradients("sum() \(shape)", [x]) { $0[0].sum() }
            try checkGradients("mean() \(shape)", [x]) { $0[0].mean() }
            try checkGradients("variance() \(shape)", [x]) { $0[0].variance() }
            try checkGradients("variance(0) \(shape)", [x]) { $0[0].variance(correction: 0) }
        }
        let scalar = try data.normal([])
        try checkGradients("sum() of a scalar", [scalar]) { $0[0].sum() }
        try checkGradients("mean() of a scalar", [scalar]) { $0[0].mean() }
    }

    @Test func maxAndMinAlongAxes() throws {
        var data = GradientTestData(seed: 9)
        let shapes: [[Int]] = [[3, 1, 4], [2, 3, 4], data.shape(rank: 3), [2, 3, 2, 3]]
        for shape in shapes {
            let x = try data.distinct([shape])[0]
            var axisSets: [[Int]] = [[0], [1], [-1], [0, 2], Array(0..<shape.count)]
            if shape.count == 4 { axisSets += [[1, 3], [0, 3]] }
            for axes in axisSets {
                for keep in [false, true] {
                    let tag = "\(shape) axes \(axes) keep \(keep)"
                    try checkGradients("max \(tag)", [x]) { $0[0].max(alongAxes: axes, keepingDimensions: keep) }
                    try checkGradients("min \(tag)", [x]) { $0[0].min(alongAxes: axes, keepingDimensions: keep) }
                }
            }
            try checkGradients("max() \(shape)", [x]) { $0[0].max() }
            try checkGradients("min() \(shape)", [x]) { $0[0].min() }
        }
        let scalar = try data.normal([])
        try checkGradients("max() of a scalar", [scalar]) { $0[0].max() }
        try checkGradients("min() of a scalar", [scalar]) { $0[0].min() }
    }

    @Test func reshapeFlattenSqueezeUnsqueeze() throws {
        var data = GradientTestData(seed: 10)
        let x = try data.normal([2, 1, 3, 2])
        try checkGradients("reshape [3, 4]", [x]) { $0[0].reshaped(to: [3, 4]) }
        try checkGradients("reshape [-1, 2]", [x]) { $0[0].reshaped(to: [-1, 2]) }
        try checkGradients("reshape [12]", [x]) { $0[0].reshaped(to: [12]) }
        try checkGradients("flatten default", [x]) { $0[0].flattened() }
        try checkGradients("flatten 0...1", [x]) { $0[0].flattened(startAxis: 0, endAxis: 1) }
        try checkGradients("flatten 2...-1", [x]) { $0[0].flattened(startAxis: 2, endAxis: -1) }
        try checkGradients("squeeze all", [x]) { $0[0].squeezed() }
        try checkGradients("squeeze axis 1", [x]) { $0[0].squeezed(axis: 1) }
        try checkGradients("unsqueeze 0", [x]) { $0[0].unsqueezed(axis: 0) }
        try checkGradients("unsqueeze 2", [x]) { $0[0].unsqueezed(axis: 2) }
        try checkGradients("unsqueeze -1", [x]) { $0[0].unsqueezed(axis: -1) }
        let scalar = try data.normal([])
        try checkGradients("flatten scalar", [scalar]) { $0[0].flattened() }
        try checkGradients("unsqueeze scalar", [scalar]) { $0[0].unsqueezed(axis: 0) }
        // Chained views followed by a non-linear op, so the gradient is not all ones.
        try checkGradients("reshape then square", [x]) { $0[0].reshaped(to: [6, 2]).squared().unsqueezed(axis: 1) }
    }

    @Test func permuteAndTranspose() throws {
        var data = GradientTestData(seed: 11)
        for shape in [[2, 3, 4], [3, 1, 2]] {
            let x = try data.normal(shape)
            for permutation in [[2, 0, 1], [1, 2, 0], [0, 2, 1], [2, 1, 0], [-1, 0, 1]] {
                try checkGradients("permute \(shape) \(permutation)", [x]) { $0[0].permuted(permutation) }
            }
            try checkGradients("transpose() \(shape)", [x]) { $0[0].transposed() }
            try checkGradients("transpose(0, 2) \(shape)", [x]) { $0[0].transposed(0, 2) }
        }
        let x4 = try data.normal([2, 3, 1, 4])
        try checkGradients("permute rank 4", [x4]) { $0[0].permuted([3, 1, 0, 2]) }
        let matrix = try data.normal([3, 5])
        try checkGradients("transpose matrix", [matrix]) { $0[0].transposed() }
    }

    @Test func expand() throws {
        var data = GradientTestData(seed: 12)
        let cases: [([Int], [Int])] = [
            ([3, 1], [2, 3, 4]), ([1, 4], [3, 4]), ([4], [2, 3, 4]), ([], [2, 3]), ([1], [5]),
            ([2, 1, 3], [2, 4, 3]), ([3], [1, 3]),
        ]
        for (from, to) in cases {
            let x = try data.normal(from)
            try checkGradients("expand \(from) -> \(to)", [x]) { $0[0].expanded(to: to) }
        }
    }

    @Test func slice() throws {
        var data = GradientTestData(seed: 13)
        let x = try data.normal([4, 3, 5])
        try checkGradients("slice axis 0 1..<3", [x]) { $0[0].slice(alongAxis: 0, 1..<3) }
        try checkGradients("slice axis 1 0..<1", [x]) { $0[0].slice(alongAxis: 1, 0..<1) }
        try checkGradients("slice axis -1 2..<5", [x]) { $0[0].slice(alongAxis: -1, 2..<5) }
        try checkGradients("slice full range", [x]) { $0[0].slice(alongAxis: 2, 0..<5) }
        try checkGradients("slice twice", [x]) {
            $0[0].slice(alongAxis: 2, 1..<4).slice(alongAxis: 0, 3..<4).exp()
        }
        for shape in data.trialShapes() {
            let y = try data.normal(shape)
            let axis = data.int(0...(shape.count - 1))
            let lower = data.int(0...(shape[axis] - 1))
            let upper = data.int((lower + 1)...shape[axis])
            try checkGradients("slice \(shape) axis \(axis) \(lower)..<\(upper)", [y]) {
                $0[0].slice(alongAxis: axis, lower..<upper)
            }
        }
    }

    @Test func concatenateAndStack() throws {
        var data = GradientTestData(seed: 14)
        let parts = [try data.normal([2, 1, 3]), try data.normal([2, 3, 3]), try data.normal([2, 2, 3])]
        try checkGradients("concatenate axis 1", parts) { Tensor.concatenate($0, alongAxis: 1) }
        let rows = [try data.normal([1, 4]), try data.normal([3, 4])]
        try checkGradients("concatenate axis 0", rows) { Tensor.concatenate($0) }
        let columns = [try data.normal([3, 2]), try data.normal([3, 1]), try data.normal([3, 3])]
        try checkGradients("concatenate axis -1", columns) { Tensor.concatenate($0, alongAxis: -1) }
        let single = [try data.normal([2, 3])]
        try checkGradients("concatenate one tensor", single) { Tensor.concatenate($0, alongAxis: 0) }
        // The same tensor twice accumulates both slices of the gradient.
        let x = try data.normal([2, 3])
        try checkGradients("concatenate [x, x * 2]", [x]) { Tensor.concatenate([$0[0], $0[0] * 2], alongAxis: 1) }

        let same = [try data.normal([2, 3]), try data.normal([2, 3]), try data.normal([2, 3])]
        for axis in [0, 1, 2, -1] {
            try checkGradients("stack axis \(axis)", same) { Tensor.stack($0, alongAxis: axis) }
        }
        let scalars = [try data.normal([]), try data.normal([])]
        try checkGradients("stack scalars", scalars) { Tensor.stack($0) }
    }

    @Test func padZeroAndReflect() throws {
        var data = GradientTestData(seed: 15)
        let x = try data.normal([2, 3, 4])
        try checkGradients("zero pad", [x]) { $0[0].padded([(0, 0), (1, 2), (2, 1)]) }
        try checkGradients("zero pad first axis", [x]) { $0[0].padded([(1, 0), (0, 0), (0, 0)]) }
        try checkGradients("zero pad none", [x]) { $0[0].padded([(0, 0), (0, 0), (0, 0)]) }
        try checkGradients("reflect pad", [x], seed: 1) { $0[0].padded([(0, 0), (2, 2), (3, 1)], mode: .reflect) }
        try checkGradients("reflect pad all axes", [x], seed: 2) { $0[0].padded([(1, 1), (1, 2), (1, 3)], mode: .reflect) }
        let image = try data.normal([1, 2, 4, 3])
        try checkGradients("reflect pad NCHW", [image]) { $0[0].padded([(0, 0), (0, 0), (3, 3), (2, 2)], mode: .reflect) }
        try checkGradients("zero pad NCHW", [image]) { $0[0].padded([(0, 0), (0, 0), (1, 1), (1, 1)]) }
    }

    @Test func gatherWithRepeatedIndices() throws {
        var data = GradientTestData(seed: 16)
        let x = try data.normal([4, 3, 2])
        try checkGradients("gather axis 0", [x]) { $0[0].gathered(atIndices: [3, 1, 1, 0, 3, 1], alongAxis: 0) }
        try checkGradients("gather axis 1", [x]) { $0[0].gathered(atIndices: [2, 2, 0], alongAxis: 1) }
        try checkGradients("gather axis -1", [x]) { $0[0].gathered(atIndices: [1, 0, 1, 1], alongAxis: -1) }
        try checkGradients("gather empty", [x]) { $0[0].gathered(atIndices: [], alongAxis: 1) }
        let vector = try data.normal([5])
        try checkGradients("gather vector", [vector]) { $0[0].gathered(atIndices: [4, 4, 4, 0, 2], alongAxis: 0).squared() }
    }

    @Test func matmul() throws {
        var data = GradientTestData(seed: 17)
        let cases: [([Int], [Int])] = [
            ([3, 4], [4, 5]), ([1, 4], [4, 1]), ([4, 1], [1, 3]), ([2, 3, 4], [2, 4, 5]),
            ([2, 3, 4], [4, 5]), ([4, 5], [2, 5, 3]), ([2, 1, 3, 4], [3, 4, 2]),
            ([1, 3, 4], [2, 4, 5]), ([2, 3, 4], [1, 4, 2]), ([3, 1, 2, 3], [1, 2, 3, 2]),
        ]
        for (sa, sb) in cases {
            let a = try data.normal(sa), b = try data.normal(sb)
            try checkGradients("matmul \(sa) x \(sb)", [a, b]) { Tensor.matmul($0[0], $0[1]) }
        }
        // The same matrix on both sides.
        let square = try data.normal([3, 3])
        try checkGradients("matmul x x", [square]) { Tensor.matmul($0[0], $0[0]) }
        try checkGradients("matmul x xᵀ", [square]) { Tensor.matmul($0[0], $0[0].transposed()) }
    }

    /// Shape, joining, padding, gathering and matmul ops on random shapes and arguments.
    @Test func randomizedShapeAndJoiningOps() throws {
        var data = GradientTestData(seed: 19)
        for trial in 0..<4 {
            let rank = data.int(2...4)
            let shape = data.shape(rank: rank, maxSize: 3)
            let x = try data.normal(shape)
            let permutation = Array(0..<rank).shuffled(using: &data.rng)
            try checkGradients("permute \(shape) \(permutation)", [x]) { $0[0].permuted(permutation) }
            try checkGradients("reshape \(shape) reversed", [x]) { $0[0].reshaped(to: Array(shape.reversed())) }

            // expand: a suffix of the shape with some sizes set to 1.
            var source = Array(shape.dropFirst(data.int(0...(rank - 1))))
            for axis in source.indices where data.bool() { source[axis] = 1 }
            let small = try data.normal(source)
            try checkGradients("expand \(source) -> \(shape)", [small]) { $0[0].expanded(to: shape) }

            var zeroWidths: [(before: Int, after: Int)] = []
            var reflectWidths: [(before: Int, after: Int)] = []
            for size in shape {
                zeroWidths.append((data.int(0...2), data.int(0...2)))
                reflectWidths.append((data.int(0...(size - 1)), data.int(0...(size - 1))))
            }
            try checkGradients("zero pad \(shape) \(zeroWidths)", [x]) { $0[0].padded(zeroWidths) }
            try checkGradients("reflect pad \(shape) \(reflectWidths)", [x]) { $0[0].padded(reflectWidths, mode: .reflect) }

            let axis = data.int(0...(rank - 1))
            var indices: [Int] = []
            for _ in 0..<data.int(1...6) { indices.append(data.int(0...(shape[axis] - 1))) }
            try checkGradients("gather \(shape) axis \(axis) \(indices)", [x]) {
                $0[0].gathered(atIndices: indices, alongAxis: axis)
            }

            var parts: [Tensor] = []
            for _ in 0..<data.int(2...3) {
                var partShape = shape
                partShape[axis] = data.int(1...3)
                parts.append(try data.normal(partShape))
            }
            try checkGradients("concatenate \(parts.map(\.shape)) axis \(axis)", parts) {
                Tensor.concatenate($0, alongAxis: axis)
            }
            let stackAxis = data.int(0...rank)
            let same = [x, try data.normal(shape)]
            try checkGradients("stack \(shape) axis \(stackAxis)", same) { Tensor.stack($0, alongAxis: stackAxis) }

            // matmul with random sizes and broadcast batch axes.
            let (batchA, batchB) = trial == 0 ? ([], []) : data.broadcastPair()
            let (m, k, n) = (data.int(1...3), data.int(1...3), data.int(1...3))
            let a = try data.normal(Array(batchA.suffix(2)) + [m, k])
            let b = try data.normal(Array(batchB.suffix(2)) + [k, n])
            try checkGradients("matmul \(a.shape) x \(b.shape)", [a, b]) { Tensor.matmul($0[0], $0[1]) }
        }
    }

    @Test func compositions() throws {
        var data = GradientTestData(seed: 18)
        // A two-layer perceptron with a mean squared error loss; every parameter is checked.
        let mlp = [
            try data.normal([4, 3]),  // x
            try data.normal([3, 5], scale: 0.7),  // W1
            try data.normal([5], scale: 0.3),  // b1
            try data.normal([5, 2], scale: 0.7),  // W2
            try data.normal([2], scale: 0.3),  // b2
        ]
        let target = try data.normal([4, 2])
        try checkGradients("tanh MLP + MSE", mlp) { p in
            let hidden = (Tensor.matmul(p[0], p[1]) + p[2]).tanh()
            let output = Tensor.matmul(hidden, p[3]) + p[4]
            return (output - target).squared().mean()
        }
        try checkGradients("softplus/sigmoid MLP", mlp) { p in
            let hidden = (Tensor.matmul(p[0], p[1]) + p[2]).softplus()
            return (Tensor.matmul(hidden, p[3]) + p[4]).sigmoid().sum(alongAxes: [1])
        }

        // FCDD's pseudo-Huber heatmap and its loss on normal/anomalous samples.
        let heatmap = try data.normal([2, 1, 3, 3])
        try checkGradients("pseudo-Huber", [heatmap]) { p in
            ((p[0].squared() + 1).sqrt() - 1).mean()
        }
        let labels = Tensor(shape: [2], scalars: [0, 1])
        try checkGradients("FCDD loss", [heatmap]) { p in
            let score = ((p[0].squared() + 1).sqrt() - 1).mean(alongAxes: [1, 2, 3])
            let anomalous = -((1 - (-score).exp()).clamped(min: 1e-6).log())
            return Tensor.where(labels, anomalous, score).mean()
        }

        // Cross entropy through a numerically stable log-softmax.
        let logits = try data.distinct([[3, 4]], gap: 0.3)[0]
        let oneHot = Tensor(shape: [3, 4], scalars: [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0])
        try checkGradients("log-softmax cross entropy", [logits]) { p in
            let peak = p[0].max(alongAxes: [1], keepingDimensions: true)
            let shifted = p[0] - peak
            let logSum = shifted.exp().sum(alongAxes: [1], keepingDimensions: true).log()
            return -((shifted - logSum) * oneHot).sum(alongAxes: [1]).mean()
        }

        // Layer normalisation with an affine transform.
        let layer = [try data.normal([3, 5]), try data.normal([5]), try data.normal([5])]
        try checkGradients("layer norm", layer) { p in
            let mean = p[0].mean(alongAxes: [1], keepingDimensions: true)
            let variance = p[0].variance(alongAxes: [1], correction: 0, keepingDimensions: true)
            let normalised = (p[0] - mean) / (variance + 1e-5).sqrt()
            return normalised * p[1] + p[2]
        }

        // A small convolution-like pipeline: reflect pad, gather, permute, matmul, pool.
        let image = try data.normal([1, 2, 3, 3])
        let weight = try data.normal([4, 2])
        try checkGradients("pad/permute/matmul/max-pool", [image, weight]) { p in
            let padded = p[0].padded([(0, 0), (0, 0), (1, 1), (1, 1)], mode: .reflect)
            let channelsLast = padded.permuted([0, 2, 3, 1])
            let mixed = Tensor.matmul(channelsLast, p[1].transposed()).tanh()
            return mixed.gathered(atIndices: [0, 2, 4], alongAxis: 1).mean(alongAxes: [1, 2])
        }
    }
}

/// The elementwise unary ops, each with inputs kept away from its kinks and singularities.
enum GradientCheckUnaryOp: String, CaseIterable, Sendable, CustomStringConvertible {
    case exp, log, sqrt, abs, tanh, sigmoid, relu, leakyRelu, leakyReluSlope, leakyReluNegativeSlope, softplus, softplusLarge
    case squared, clampedBoth, clampedMin, clampedMax

    var description: String { rawValue }

    fileprivate func input(_ shape: [Int], _ data: inout GradientTestData) throws -> Tensor {
        switch self {
        case .exp: try data.normal(shape)
        case .log: try data.uniform(shape, 0.3, 3)
        case .sqrt: try data.uniform(shape, 0.3, 3)
        case .abs, .relu, .leakyRelu, .leakyReluSlope, .leakyReluNegativeSlope: try data.signed(shape, 0.05, 2)
        case .tanh, .sigmoid, .softplus, .squared: try data.normal(shape, scale: 2)
        case .softplusLarge: try data.signed(shape, 18, 26)  // both sides of the threshold at 20
        case .clampedBoth: try data.avoiding([-0.5, 0.7], shape, in: -1.5...1.5)
        case .clampedMin, .clampedMax: try data.avoiding([0.25], shape, in: -1.5...1.5)
        }
    }

    func apply(_ x: Tensor) throws -> Tensor {
        switch self {
        case .exp: x.exp()
        case .log: x.log()
        case .sqrt: x.sqrt()
        case .abs: x.abs()
        case .tanh: x.tanh()
        case .sigmoid: x.sigmoid()
        case .relu: x.relu()
        case .leakyRelu: x.leakyRelu()
        case .leakyReluSlope: x.leakyRelu(negativeSlope: 0.2)
        // A negative slope makes y > 0 on both sides, so its backward pass must read x.
        case .leakyReluNegativeSlope: x.leakyRelu(negativeSlope: -0.5)
        case .softplus, .softplusLarge: x.softplus()
        case .squared: x.squared()
        case .clampedBoth: x.clamped(min: -0.5, max: 0.7)
        case .clampedMin: x.clamped(min: 0.25)
        case .clampedMax: x.clamped(max: 0.25)
        }
    }
}

// MARK: - Exact gradient rules at ties, kinks and bounds

/// Gradients of `loss(x)` with respect to a leaf holding `values`.
private func gradient(of values: [Float], shape: [Int]? = nil, _ loss: (Tensor) -> Tensor) -> Tensor {
    let x = Tensor(shape: shape ?? [values.count], scalars: values).trackingGradients()
    return loss(x).gradient(wrt: x)
}

@Suite struct GradientCheckExactRuleTests {
    @Test func maxAndMinReductionSplitTiesEvenly() throws {
        #expect(gradient(of: [1, 3, 3]) { $0.max() }.scalars == [0, 0.5, 0.5])
        #expect(gradient(of: [2, 1, 1, 5]) { $0.min() }.scalars == [0, 0.5, 0.5, 0])
        #expect(gradient(of: [1, 3, 3]) { $0.max() * 3 }.scalars == [0, 1.5, 1.5])
        let third = gradient(of: [5, 5, 5]) { $0.max() }.scalars
        #expect(third.allSatisfy { Swift.abs($0 - 1.0 / 3) < 1e-7 })
        #expect(gradient(of: [4, 4, 4, 4]) { $0.min() }.scalars == [0.25, 0.25, 0.25, 0.25])

        // Along an axis: each row splits its own ties.
        let rows: [Float] = [1, 3, 3, 4, 2, 0]
        #expect(
            gradient(of: rows, shape: [2, 3]) { $0.max(alongAxes: [1]).sum() }.scalars
                == [0, 0.5, 0.5, 1, 0, 0])
        #expect(
            gradient(of: rows, shape: [2, 3]) { $0.max(alongAxes: [1], keepingDimensions: true).sum() }.scalars
                == [0, 0.5, 0.5, 1, 0, 0])
        #expect(gradient(of: [2, 7, 7, 1], shape: [2, 2]) { $0.max() }.scalars == [0, 0.5, 0.5, 0])
        #expect(
            gradient(of: [2, 7, 2, 1], shape: [2, 2]) { $0.min(alongAxes: [0]).sum() }.scalars
                == [0.5, 0, 0.5, 1])
        // Over two axes of a rank-3 tensor with a tie across both.
        // Slice j = 0 holds elements 0, 1, 4, 5 and slice j = 1 holds 2, 3, 6, 7.
        let cube: [Float] = [1, 9, 2, 8, 9, 4, 5, 8]
        #expect(
            gradient(of: cube, shape: [2, 2, 2]) { $0.max(alongAxes: [0, 2]).sum() }.scalars
                == [0, 0.5, 0, 0.5, 0.5, 0, 0, 0.5])
        // The incoming gradient is shared, not copied: weighted rows.
        let weights = Tensor([2, -1])
        #expect(
            gradient(of: rows, shape: [2, 3]) { ($0.max(alongAxes: [1]) * weights).sum() }.scalars
                == [0, 1, 1, -1, 0, 0])
    }

    @Test func elementwiseMaximumAndMinimumSplitTies() throws {
        let a = Tensor([1, 2, 3]).trackingGradients()
        let b = Tensor([1, 5, 0]).trackingGradients()
        let maxGradients = a.maximum(b).sum().gradients(wrt: [a, b])
        #expect(maxGradients[0].scalars == [0.5, 0, 1])
        #expect(maxGradients[1].scalars == [0.5, 1, 0])
        let minGradients = a.minimum(b).sum().gradients(wrt: [a, b])
        #expect(minGradients[0].scalars == [0.5, 1, 0])
        #expect(minGradients[1].scalars == [0.5, 0, 1])

        // Ties against a broadcast scalar: the scalar collects its halves.
        let matrix = Tensor(shape: [2, 2], scalars: [1, 2, 2, 3]).trackingGradients()
        let two = Tensor(Float(2)).trackingGradients()
        let broadcastMax = matrix.maximum(two).sum().gradients(wrt: [matrix, two])
        #expect(broadcastMax[0].scalars == [0, 0.5, 0.5, 1])
        #expect(broadcastMax[1].shape == [])
        #expect(broadcastMax[1].scalars == [2])
        let broadcastMin = matrix.minimum(two).sum().gradients(wrt: [matrix, two])
        #expect(broadcastMin[0].scalars == [1, 0.5, 0.5, 0])
        #expect(broadcastMin[1].scalars == [2])

        // maximum(x, x): both halves go to the same leaf and add up to 1.
        #expect(gradient(of: [-1, 0, 2]) { $0.maximum($0).sum() }.scalars == [1, 1, 1])
    }

    @Test func reluAndLeakyReluAtZero() throws {
        #expect(gradient(of: [-1, 0, 2]) { $0.relu().sum() }.scalars == [0, 0, 1])
        // PyTorch's leaky_relu backward takes the negative slope at exactly 0.
        #expect(gradient(of: [-1, 0, 2]) { $0.leakyRelu(negativeSlope: 0.1).sum() }.scalars == [0.1, 0.1, 1])
        #expect(gradient(of: [-1, 0, 2]) { $0.leakyRelu(negativeSlope: 0).sum() }.scalars == [0, 0, 1])
        #expect(gradient(of: [-1, 0, 2]) { $0.leakyRelu(negativeSlope: -0.5).sum() }.scalars == [-0.5, -0.5, 1])
        // NaN passes through, and its gradient is that of the x ≤ 0 side, as in PyTorch.
        #expect(gradient(of: [.nan, 1]) { $0.relu().sum() }.scalars == [0, 1])
        #expect(gradient(of: [.nan, 1]) { $0.leakyRelu(negativeSlope: 0.1).sum() }.scalars == [0.1, 1])
    }

    /// ReLU and leaky ReLU (slope ≥ 0) keep their output for the backward pass, not their
    /// input: the input of a ReLU that nothing else reads is freed during the forward pass,
    /// as PyTorch's in-place ReLU frees it. A negative slope has to keep the input.
    @Test func reluDoesNotKeepItsInput() throws {
        let x = Tensor(shape: [4], scalars: [-1, 0.5, 2, -3]).trackingGradients()
        let cases: [(name: String, activation: (Tensor) -> Tensor, gradient: [Float])] = [
            ("relu", { $0.relu() }, [0, 2, 2, 0]),
            ("leakyRelu", { $0.leakyRelu() }, [0.02, 2, 2, 0.02]),
            ("leakyRelu 0", { $0.leakyRelu(negativeSlope: 0) }, [0, 2, 2, 0]),
        ]
        for (name, activation, expected) in cases {
            weak var intermediate: TensorStorage?
            let y: Tensor = {
                let scaled = x * 2
                intermediate = scaled.storage
                return activation(scaled)
            }()
            #expect(intermediate == nil, "\(name) kept its input alive")
            #expect(y.sum().gradient(wrt: x).scalars == expected, "\(name)")
        }
        weak var kept: TensorStorage?
        let y: Tensor = {
            let scaled = x * 2
            kept = scaled.storage
            return scaled.leakyRelu(negativeSlope: -0.5)
        }()
        #expect(kept != nil, "a negative slope needs its input for the backward pass")
        #expect(y.sum().gradient(wrt: x).scalars == [-1, 2, 2, -1])
    }

    @Test func absAtZero() throws {
        #expect(gradient(of: [-2, 0, 3]) { $0.abs().sum() }.scalars == [-1, 0, 1])
        #expect(gradient(of: [-0.0, 0]) { $0.abs().sum() }.scalars == [0, 0])
    }

    @Test func clampPassesGradientAtBoundsInclusive() throws {
        let values: [Float] = [-2, -1, 0, 1, 2]
        #expect(gradient(of: values) { $0.clamped(min: -1, max: 1).sum() }.scalars == [0, 1, 1, 1, 0])
        #expect(gradient(of: values) { $0.clamped(min: 0).sum() }.scalars == [0, 0, 1, 1, 1])
        #expect(gradient(of: values) { $0.clamped(max: 0).sum() }.scalars == [1, 1, 1, 0, 0])
        #expect(gradient(of: values) { $0.clamped(min: 1, max: 1).sum() }.scalars == [0, 0, 0, 1, 0])
    }

    @Test func powEdgeCases() throws {
        // A constant exponent of 0 has a zero gradient everywhere, including at 0.
        #expect(gradient(of: [0, 2, -3]) { $0.pow(0).sum() }.scalars == [0, 0, 0])
        // pow(x, 1) at 0 is 1 (0⁰ = 1).
        #expect(gradient(of: [0, 2]) { $0.pow(1).sum() }.scalars == [1, 1])
        // Tensor exponent: d/dexponent is 0 where the base is 0 (for exponents ≥ 0).
        let base = Tensor([0, 2]).trackingGradients()
        let exponent = Tensor([2, 3]).trackingGradients()
        let gradients = base.pow(exponent).sum().gradients(wrt: [base, exponent])
        #expect(gradients[0].scalars == [0, 12])
        #expect(Swift.abs(gradients[1].scalars[1] - 8 * Float(0.6931472)) < 1e-5)
        #expect(gradients[1].scalars[0] == 0)
    }

    @Test func powTensorExponentZeroHasZeroBaseGradient() throws {
        // PyTorch's pow_backward_self: where(exponent == 0, 0, g · p · x^(p−1)), so a base of
        // 0 with exponent 0 gets 0, not 0 · 0⁻¹ = NaN.
        let base = Tensor([0, 2]).trackingGradients()
        let exponent = Tensor([0, 0]).trackingGradients()
        let gradients = base.pow(exponent).sum().gradients(wrt: [base, exponent])
        #expect(gradients[0].scalars == [0, 0])
    }

    @Test func reflectPadAccumulatesIntoMirroredPositions() throws {
        // [a, b, c] padded by 2 on each side is [c, b, a, b, c, b, a].
        #expect(gradient(of: [1, 2, 3]) { $0.padded([(2, 2)], mode: .reflect).sum() }.scalars == [2, 3, 2])
        // Weighted, so each output position is identifiable: positions 0…6 weigh 1…7.
        let ramp = Tensor.arange(from: 1, to: 8)
        let weighted = gradient(of: [1, 2, 3]) { x -> Tensor in (x.padded([(2, 2)], mode: .reflect) * ramp).sum() }
        #expect(weighted.scalars == [10, 12, 6], "positions 0…6 weigh 1…7: [3 + 7, 2 + 4 + 6, 1 + 5]")
        // Two axes: corners are reflected along both.
        let grid = gradient(of: [1, 2, 3, 4, 5, 6], shape: [2, 3]) {
            $0.padded([(1, 0), (1, 1)], mode: .reflect).sum()
        }
        // Output rows read input rows [1, 0, 1] and columns [1, 0, 1, 2, 1], so element
        // (r, c) is read (uses of row r) × (uses of column c) times: rows 1, 2; columns 1, 3, 1.
        #expect(grid.scalars == [1, 3, 1, 2, 6, 2])
        #expect(gradient(of: [1, 2, 3]) { $0.padded([(2, 1)]).sum() }.scalars == [1, 1, 1])
    }

    @Test func gatherAccumulatesRepeatedIndices() throws {
        #expect(
            gradient(of: [1, 2, 3, 4]) { $0.gathered(atIndices: [1, 1, 3, 1], alongAxis: 0).sum() }.scalars
                == [0, 3, 0, 1])
        let rows = gradient(of: [1, 2, 3, 4, 5, 6], shape: [3, 2]) {
            ($0.gathered(atIndices: [2, 0, 2], alongAxis: 0) * Tensor([1, 10])).sum()
        }
        #expect(rows.scalars == [1, 10, 0, 0, 2, 20])
    }

    @Test func whereSendsZeroToTheUnpickedBranch() throws {
        let a = Tensor([1, 2, 3]).trackingGradients()
        let b = Tensor([4, 5, 6]).trackingGradients()
        let condition = Tensor([1, 0, 1])
        let gradients = (Tensor.where(condition, a, b) * Tensor([1, 2, 3])).sum().gradients(wrt: [a, b])
        #expect(gradients[0].scalars == [1, 0, 3])
        #expect(gradients[1].scalars == [0, 2, 0])
        // An infinite value in the unpicked branch does not poison the picked gradient.
        let x = Tensor([0, 1]).trackingGradients()
        let picked = Tensor.where(Tensor([0, 1]), x.log(), x).sum().gradient(wrt: x)
        #expect(picked.scalars[1] == 1)
    }
}
