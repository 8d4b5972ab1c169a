/// eˣ for `count` contiguous floats, eight lanes at a time (Cephes' polynomial after a
/// range reduction by ln 2), about 1 ulp from libm's `expf` and several times faster,
/// because libm is called once per element and this loop stays in vector registers.
/// Underflow gives denormals then 0, overflow gives +∞ and NaN stays NaN, as with `expf`.
func vectorExp(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    vectorMap(input, output, count: count, exp8)
}

/// The logistic sigmoid 1 / (1 + e⁻ˣ) for `count` contiguous floats on the vector
/// exponential; saturates to exactly 0 and 1 far out, like the scalar form.
func vectorSigmoid(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    vectorMap(input, output, count: count) { x in 1 / (1 + exp8(-x)) }
}

/// Applies an eight-lane function over contiguous memory, the tail padded with zeros.
@inline(__always)
private func vectorMap(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    _ function: (SIMD8<Float>) -> SIMD8<Float>
) {
    var i = 0
    let raw = UnsafeRawPointer(input)
    let rawOut = UnsafeMutableRawPointer(output)
    while i + 8 <= count {
        let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        rawOut.storeBytes(of: function(x), toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    if i < count {
        var tail = SIMD8<Float>(repeating: 0)
        for lane in 0..<(count - i) { tail[lane] = input[i + lane] }
        let result = function(tail)
        for lane in 0..<(count - i) { output[i + lane] = result[lane] }
    }
}

@inline(__always)
private func exp8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    // Clamp so that n = round(x / ln 2) stays in [-150, 129]; scaling by 2ⁿ in two halves
    // then yields denormals, 0 or +∞ exactly where expf does.
    // (Written with `replacing` and bit casts: SIMD `clamped` and float-to-int conversion
    // compile to per-lane code here and would cost more than the whole polynomial.)
    var x = input.replacing(with: -104, where: input .< -104)
    x.replace(with: 89, where: x .> 89)
    let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5 · 2²³: adding it rounds to an integer
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    var r = x - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    var y = p * (r * r) + r + 1
    let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000  // n as an integer
    let half = exponent &>> 1
    let rest = exponent &- half
    y *= unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
    y *= unsafeBitCast((rest &+ 127) &<< 23, to: SIMD8<Float>.self)
    return y.replacing(with: input, where: input .!= input)  // NaN in, NaN out
}
