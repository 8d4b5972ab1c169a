// The memory passes of batch normalisation over `[N, C, plane]` data, one (image, channel)
// plane at a time. Every kernel works on one plane and returns or writes only that plane's
// values, so the callers can split the planes over threads in any way and combine the
// per-plane partial sums in a fixed order: the results do not depend on the thread count.

/// Floats per block of a plane in ``planeMoments(_:count:)``: its second look at a block finds
/// it in the L1 cache (16 KiB).
private let momentBlock = 4096

/// The activation fused after batch norm's affine map, as the plane kernels apply it
/// (``forward(_:)``) and as they gate the incoming gradient (``gradient(_:preActivation:)``):
/// the pre-activation `z = (x − mean)·scale + shift` is recomputed from `x` in the backward
/// pass, so the activation's output need not be kept for it. Specialised per activation, so the
/// loops stay branch-free.
protocol PlaneActivation: Sendable {
    func forward(_ z: SIMD16<Float>) -> SIMD16<Float>
    func forward(_ z: Float) -> Float
    func gradient(_ g: SIMD16<Float>, preActivation z: SIMD16<Float>) -> SIMD16<Float>
    func gradient(_ g: Float, preActivation z: Float) -> Float
}

/// No activation: the gradient passes unchanged.
struct NoPlaneActivation: PlaneActivation {
    @inline(__always) func forward(_ z: SIMD16<Float>) -> SIMD16<Float> { z }
    @inline(__always) func forward(_ z: Float) -> Float { z }
    @inline(__always) func gradient(_ g: SIMD16<Float>, preActivation z: SIMD16<Float>) -> SIMD16<Float> { g }
    @inline(__always) func gradient(_ g: Float, preActivation z: Float) -> Float { g }
}

/// ReLU, with ``Tensor/relu()``'s results (`z < 0 ? 0 : z`; gradient where `z > 0`).
struct ReluPlaneActivation: PlaneActivation {
    @inline(__always) func forward(_ z: SIMD16<Float>) -> SIMD16<Float> { z.replacing(with: 0, where: z .< 0) }
    @inline(__always) func forward(_ z: Float) -> Float { ReluFunction().apply(z) }
    @inline(__always) func gradient(_ g: SIMD16<Float>, preActivation z: SIMD16<Float>) -> SIMD16<Float> {
        g.replacing(with: 0, where: .!(z .> 0))
    }
    @inline(__always) func gradient(_ g: Float, preActivation z: Float) -> Float { ReluBackward().apply(g, z) }
}

/// Leaky ReLU, with ``Tensor/leakyRelu(negativeSlope:)``'s results (`z > 0 ? z : z·slope`).
struct LeakyReluPlaneActivation: PlaneActivation {
    let slope: Float
    @inline(__always) func forward(_ z: SIMD16<Float>) -> SIMD16<Float> { z.replacing(with: z * slope, where: .!(z .> 0)) }
    @inline(__always) func forward(_ z: Float) -> Float { LeakyReluFunction(slope: slope).apply(z) }
    @inline(__always) func gradient(_ g: SIMD16<Float>, preActivation z: SIMD16<Float>) -> SIMD16<Float> {
        g.replacing(with: g * slope, where: .!(z .> 0))
    }
    @inline(__always) func gradient(_ g: Float, preActivation z: Float) -> Float { LeakyReluBackward(slope: slope).apply(g, z) }
}

/// The affine map and activation of one channel: `activation((x − mean)·scale + shift)`.
struct PlaneMap<Activation: PlaneActivation> {
    let mean: Float
    let scale: Float
    let shift: Float
    let activation: Activation

    @inline(__always) func preActivation(_ x: SIMD16<Float>) -> SIMD16<Float> {
        (x - SIMD16(repeating: mean)) * SIMD16(repeating: scale) + SIMD16(repeating: shift)
    }
    @inline(__always) func preActivation(_ x: Float) -> Float { (x - mean) * scale + shift }
}

/// Per-channel mean and biased variance, in double, of `[N, C, plane]` data.
///
/// One pass over memory: each plane's sum and squared deviations from its own mean come from
/// ``planeMoments(_:count:)`` (planes split over threads), and the planes of a channel are then
/// combined in image order with the parallel-variance formula (Chan et al.), so a large mean
/// costs no accuracy and the thread count changes no bit.
func channelStatistics(_ x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int) -> (mean: [Double], variance: [Double]) {
    let (sums, squares) = perPlanePairs(planes: batch * channels, plane: plane) { index in
        planeMoments(x + index * plane, count: plane)
    }
    var mean = [Double](repeating: 0, count: channels)
    var variance = [Double](repeating: 0, count: channels)
    let count = Double(batch * plane)
    for c in 0..<channels {
        var total = 0.0
        for n in 0..<batch { total += sums[n * channels + c] }
        let m = total / count
        var deviations = 0.0
        for n in 0..<batch {
            let index = n * channels + c
            let offset = sums[index] / Double(plane) - m
            deviations += squares[index] + Double(plane) * offset * offset
        }
        mean[c] = m
        variance[c] = deviations / count
    }
    return (mean, variance)
}

/// The affine maps and activation of every channel of one batch-norm call.
struct ChannelMaps<Activation: PlaneActivation>: Sendable {
    let mean: [Float]
    let scale: [Float]
    let shift: [Float]
    let activation: Activation

    /// The map of one channel.
    subscript(channel: Int) -> PlaneMap<Activation> {
        PlaneMap(mean: mean[channel], scale: scale[channel], shift: shift[channel], activation: activation)
    }
}

/// Per-channel `Σdz` and `Σdz·(x − mean[c])`, in double, of `[N, C, plane]` data, `dz` the
/// gradient `dy` taken back through the maps' activation: one pass over both, planes split over
/// threads, each channel's planes added in image order.
func channelGradientSums<Activation>(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, maps: ChannelMaps<Activation>, batch: Int, channels: Int, plane: Int
) -> (gradient: [Double], product: [Double]) {
    let (planeGradients, planeProducts) = perPlanePairs(planes: batch * channels, plane: plane) { index in
        planeGradientSums(dy + index * plane, x + index * plane, count: plane, map: maps[index % channels])
    }
    var gradient = [Double](repeating: 0, count: channels)
    var product = [Double](repeating: 0, count: channels)
    for c in 0..<channels {
        for n in 0..<batch {
            gradient[c] += planeGradients[n * channels + c]
            product[c] += planeProducts[n * channels + c]
        }
    }
    return (gradient, product)
}

/// Runs `body(offset, channel)` for every `(image, channel)` plane of `[N, C, plane]` data,
/// with the offset of the plane's first value, the planes split over threads.
func forEachPlane(batch: Int, channels: Int, plane: Int, _ body: (_ offset: Int, _ channel: Int) -> Void) {
    parallelChunks(count: batch * channels, minimumChunk: planeChunk(plane)) { range in
        for index in range { body(index * plane, index % channels) }
    }
}

/// `pair(index)` for every plane index below `planes`, the planes split over threads, as two
/// arrays: the per-plane partial sums that the channel statistics then add in a fixed order.
private func perPlanePairs(planes: Int, plane: Int, _ pair: (Int) -> (Double, Double)) -> ([Double], [Double]) {
    var first = [Double](repeating: 0, count: planes)
    var second = [Double](repeating: 0, count: planes)
    first.withUnsafeMutableBufferPointer { firstBuffer in
        second.withUnsafeMutableBufferPointer { secondBuffer in
            let (firsts, seconds) = (firstBuffer.baseAddress!, secondBuffer.baseAddress!)
            parallelChunks(count: planes, minimumChunk: planeChunk(plane)) { range in
                for index in range { (firsts[index], seconds[index]) = pair(index) }
            }
        }
    }
    return (first, second)
}

/// The fewest planes of `plane` floats worth a thread of their own.
private func planeChunk(_ plane: Int) -> Int {
    max(1, parallelGrain / max(1, plane))
}

/// The sum of `count` floats and their squared deviations from their mean, block by block
/// (the corrected two-pass algorithm within a block, Chan et al.'s combination across blocks):
/// a first look at a block, from memory, gives its float mean `s`; a second, from the L1
/// cache, gives `Σ(x − s)` and `Σ(x − s)²` in float lanes, from which the block's sum and
/// squared deviations follow in double without cancellation, whatever the mean.
func planeMoments(_ x: UnsafePointer<Float>, count: Int) -> (sum: Double, squaredDeviations: Double) {
    var (sum, squares) = (0.0, 0.0)
    var start = 0
    while start < count {
        let length = min(momentBlock, count - start)
        let block = x + start
        let shift = floatSum(block, count: length) / Float(length)
        let (deviations, squaredDeviations) = deviationSums(block, count: length, from: shift)
        let blockSum = Double(length) * Double(shift) + Double(deviations)
        var blockSquares = Double(squaredDeviations) - Double(deviations) * Double(deviations) / Double(length)
        if start > 0 {
            let delta = blockSum / Double(length) - sum / Double(start)
            blockSquares += delta * delta * Double(start) * Double(length) / Double(start + length)
        }
        sum += blockSum
        squares += blockSquares
        start += length
    }
    return (sum, max(0, squares))
}

/// The sum of `count` floats, in sixteen float lanes.
private func floatSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    let raw = UnsafeRawPointer(x)
    var lanes = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    var sum = lanes.sum()
    while i < count {
        sum += x[i]
        i += 1
    }
    return sum
}

/// `Σ(x − shift)` and `Σ(x − shift)²` over `count` floats, in sixteen float lanes each.
private func deviationSums(_ x: UnsafePointer<Float>, count: Int, from shift: Float) -> (deviations: Float, squares: Float) {
    let raw = UnsafeRawPointer(x)
    let shifts = SIMD16<Float>(repeating: shift)
    var (deviationLanes, squareLanes) = (SIMD16<Float>(), SIMD16<Float>())
    var i = 0
    while i + 16 <= count {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - shifts
        deviationLanes += d
        squareLanes += d * d
        i += 16
    }
    var (deviations, squares) = (deviationLanes.sum(), squareLanes.sum())
    while i < count {
        let d = x[i] - shift
        deviations += d
        squares += d * d
        i += 1
    }
    return (deviations, squares)
}

/// `Σdz` and `Σdz·(x − mean)` over `count` floats, `dz` the gradient `dy` taken back through
/// the activation of `map` (`dy` itself without one): sixteen float lanes per block of
/// ``momentBlock``, the blocks added in double.
func planeGradientSums<Activation>(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, map: PlaneMap<Activation>
) -> (gradient: Double, product: Double) {
    let (rawGradient, rawInput) = (UnsafeRawPointer(dy), UnsafeRawPointer(x))
    let means = SIMD16<Float>(repeating: map.mean)
    var (gradient, product) = (0.0, 0.0)
    var start = 0
    while start < count {
        let end = min(count, start + momentBlock)
        var (gradientLanes, productLanes) = (SIMD16<Float>(), SIMD16<Float>())
        var i = start
        while i + 16 <= end {
            let v = rawInput.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let g = map.activation.gradient(
                rawGradient.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), preActivation: map.preActivation(v))
            gradientLanes += g
            productLanes += g * (v - means)
            i += 16
        }
        var (blockGradient, blockProduct) = (gradientLanes.sum(), productLanes.sum())
        while i < end {
            let g = map.activation.gradient(dy[i], preActivation: map.preActivation(x[i]))
            blockGradient += g
            blockProduct += g * (x[i] - map.mean)
            i += 1
        }
        gradient += Double(blockGradient)
        product += Double(blockProduct)
        start = end
    }
    return (gradient, product)
}

/// `y = activation((x − mean)·scale + shift)` over `count` floats.
func planeAffine<Activation>(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, map: PlaneMap<Activation>) {
    let (input, output) = (UnsafeRawPointer(x), UnsafeMutableRawPointer(y))
    var i = 0
    while i + 16 <= count {
        let v = input.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        output.storeBytes(of: map.activation.forward(map.preActivation(v)), toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < count {
        y[i] = map.activation.forward(map.preActivation(x[i]))
        i += 1
    }
}

/// How an input-gradient pass combines `dz` (the gradient before the activation) and `x`
/// into `dx`, per value, with the channel's map; specialised per kind, so the loop of
/// ``planeInputGradient(_:_:into:count:map:combination:)`` stays branch-free.
protocol InputGradientCombination {
    func combine<Activation>(_ dz: SIMD16<Float>, _ x: SIMD16<Float>, map: PlaneMap<Activation>) -> SIMD16<Float>
    func combine<Activation>(_ dz: Float, _ x: Float, map: PlaneMap<Activation>) -> Float
}

/// Evaluation mode: `dx = dz·scale`.
struct ScaledInputGradient: InputGradientCombination {
    @inline(__always) func combine<Activation>(_ dz: SIMD16<Float>, _ x: SIMD16<Float>, map: PlaneMap<Activation>) -> SIMD16<Float> {
        dz * map.scale
    }
    @inline(__always) func combine<Activation>(_ dz: Float, _ x: Float, map: PlaneMap<Activation>) -> Float { dz * map.scale }
}

/// Training mode: `dx = (dz − meanGradient − (x − mean)·meanProduct)·scale`.
struct NormalizedInputGradient: InputGradientCombination {
    let meanGradient: Float
    let meanProduct: Float
    @inline(__always) func combine<Activation>(_ dz: SIMD16<Float>, _ x: SIMD16<Float>, map: PlaneMap<Activation>) -> SIMD16<Float> {
        (dz - SIMD16(repeating: meanGradient) - (x - SIMD16(repeating: map.mean)) * meanProduct) * map.scale
    }
    @inline(__always) func combine<Activation>(_ dz: Float, _ x: Float, map: PlaneMap<Activation>) -> Float {
        (dz - meanGradient - (x - map.mean) * meanProduct) * map.scale
    }
}

/// The input gradient over `count` floats: `dy` taken back through the activation of `map`
/// (its pre-activation recomputed from `x`), then combined with `x` by `combination`.
func planeInputGradient<Activation, Combination: InputGradientCombination>(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, count: Int,
    map: PlaneMap<Activation>, combination: Combination
) {
    let (rawGradient, rawInput, output) = (UnsafeRawPointer(dy), UnsafeRawPointer(x), UnsafeMutableRawPointer(dx))
    var i = 0
    while i + 16 <= count {
        let v = rawInput.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        let g = map.activation.gradient(
            rawGradient.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), preActivation: map.preActivation(v))
        output.storeBytes(of: combination.combine(g, v, map: map), toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < count {
        dx[i] = combination.combine(map.activation.gradient(dy[i], preActivation: map.preActivation(x[i])), x[i], map: map)
        i += 1
    }
}
