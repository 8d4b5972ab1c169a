import TensorCore

/// The deterministic colour adjustments behind ``ColorJitter`` and ``Grayscale``, with
/// torchvision's tensor definitions (`torchvision.transforms.functional.adjust_*` on float
/// images in `[0, 1]`), computed in single precision in the same order.
///
/// Each function takes a `[C, H, W]` image with 1 or 3 channels (RGB) and returns a new
/// one; nothing else is allocated. One deliberate difference from torchvision's tensor
/// code: grey levels use the ITU-R BT.601 luma weights 0.299, 0.587, 0.114 (``lumaWeights``),
/// as PIL's `convert("L")` does and as FCDD's PIL-based pipelines therefore see them, where
/// torchvision's tensor `rgb_to_grayscale` uses 0.2989 for red. This shifts grey levels by
/// at most 0.0001.
public enum ColorAdjustment {
    /// The ITU-R BT.601 luma weights of red, green and blue.
    public static let lumaWeights: (red: Float, green: Float, blue: Float) = (0.299, 0.587, 0.114)

    /// `clamp(factor · x, 0, 1)`: a blend with black (`adjust_brightness`). A factor of 1
    /// leaves the image unchanged, 0 makes it black.
    ///
    /// - Throws: ``DatasetError`` for a negative factor or an image without 1 or 3 channels.
    public static func adjustBrightness(_ image: Tensor, factor: Float) throws(DatasetError) -> Tensor {
        try adjusted(image, "adjustBrightness", parameter: "brightness factor", factor, valid: factor >= 0) { x, geometry in
            brightness(x, geometry: geometry, factor: factor)
        }
    }

    /// `clamp(factor · x + (1 − factor) · m, 0, 1)` where `m` is the mean grey level of the
    /// whole image (`adjust_contrast`). A factor of 1 leaves the image unchanged, 0 makes it
    /// uniformly grey.
    ///
    /// - Throws: ``DatasetError`` for a negative factor or an image without 1 or 3 channels.
    public static func adjustContrast(_ image: Tensor, factor: Float) throws(DatasetError) -> Tensor {
        try adjusted(image, "adjustContrast", parameter: "contrast factor", factor, valid: factor >= 0) { x, geometry in
            contrast(x, geometry: geometry, factor: factor)
        }
    }

    /// `clamp(factor · x + (1 − factor) · grey(x), 0, 1)` per pixel (`adjust_saturation`).
    /// A factor of 1 leaves the image unchanged, 0 makes it grey; a 1-channel image is
    /// returned unchanged, as in torchvision and PIL.
    ///
    /// - Throws: ``DatasetError`` for a negative factor or an image without 1 or 3 channels.
    public static func adjustSaturation(_ image: Tensor, factor: Float) throws(DatasetError) -> Tensor {
        try adjusted(image, "adjustSaturation", parameter: "saturation factor", factor, valid: factor >= 0) { x, geometry in
            saturation(x, geometry: geometry, factor: factor)
        }
    }

    /// Rotates the hue by `shift` turns in HSV space (`adjust_hue`): RGB → HSV, `h ← (h +
    /// shift) mod 1`, HSV → RGB. `shift` lies in `[−0.5, 0.5]`; 0 leaves the image
    /// unchanged (up to rounding); a 1-channel image is returned unchanged.
    ///
    /// - Throws: ``DatasetError`` for a shift outside `[−0.5, 0.5]` or an image without 1
    ///   or 3 channels.
    public static func adjustHue(_ image: Tensor, shift: Float) throws(DatasetError) -> Tensor {
        try adjusted(image, "adjustHue", parameter: "hue shift", shift, valid: shift >= -0.5 && shift <= 0.5, range: "in [-0.5, 0.5]") {
            x, geometry in
            hue(x, geometry: geometry, shift: shift)
        }
    }

    /// Checks the arguments, copies the image once and adjusts the copy in place.
    private static func adjusted(
        _ image: Tensor, _ function: String, parameter: String, _ value: Float, valid: Bool, range: String = "non-negative",
        _ body: (UnsafeMutablePointer<Float>, ImageGeometry) -> Void
    ) throws(DatasetError) -> Tensor {
        guard valid else {
            throw .invalidTransformParameter(transform: function, parameter: parameter, expected: range, found: "\(value)")
        }
        let geometry = try ImageGeometry(of: image, transform: function, sample: "image", allowedChannels: [1, 3])
        return transformed(image, to: geometry.shape) { x, y in
            y.update(from: x, count: geometry.channels * geometry.plane)
            body(y, geometry)
        }
    }

    // MARK: In-place kernels (the image has 1 or 3 channels; checked by the callers)

    /// torchvision's `_blend`: `clamp(ratio · a + (1 − ratio) · b, 0, 1)`, with `1 − ratio`
    /// computed in double and rounded to float as PyTorch does with a Python scalar.
    @inline(__always)
    static func blend(_ a: Float, _ b: Float, ratio: Float, complement: Float) -> Float {
        min(max(ratio * a + complement * b, 0), 1)
    }

    /// `1 − ratio` as torchvision computes it (in double, then rounded to float).
    @inline(__always)
    static func complement(_ ratio: Float) -> Float { Float(1 - Double(ratio)) }

    /// The grey level of one RGB pixel.
    @inline(__always)
    static func luma(_ r: Float, _ g: Float, _ b: Float) -> Float {
        lumaWeights.red * r + lumaWeights.green * g + lumaWeights.blue * b
    }

    /// Brightness in place.
    static func brightness(_ x: UnsafeMutablePointer<Float>, geometry: ImageGeometry, factor: Float) {
        let complement = complement(factor)
        for i in 0..<(geometry.channels * geometry.plane) {
            x[i] = blend(x[i], 0, ratio: factor, complement: complement)
        }
    }

    /// Contrast in place.
    static func contrast(_ x: UnsafeMutablePointer<Float>, geometry: ImageGeometry, factor: Float) {
        let plane = geometry.plane
        var sum = 0.0
        if geometry.channels == 3 {
            let (r, g, b) = (x, x + plane, x + 2 * plane)
            for i in 0..<plane { sum += Double(luma(r[i], g[i], b[i])) }
        } else {
            for i in 0..<plane { sum += Double(x[i]) }
        }
        let mean = Float(sum / Double(plane))
        let complement = complement(factor)
        for i in 0..<(geometry.channels * plane) {
            x[i] = blend(x[i], mean, ratio: factor, complement: complement)
        }
    }

    /// Saturation in place (a 1-channel image is left unchanged).
    static func saturation(_ x: UnsafeMutablePointer<Float>, geometry: ImageGeometry, factor: Float) {
        guard geometry.channels == 3 else { return }
        let plane = geometry.plane
        let (r, g, b) = (x, x + plane, x + 2 * plane)
        let complement = complement(factor)
        for i in 0..<plane {
            let grey = luma(r[i], g[i], b[i])
            r[i] = blend(r[i], grey, ratio: factor, complement: complement)
            g[i] = blend(g[i], grey, ratio: factor, complement: complement)
            b[i] = blend(b[i], grey, ratio: factor, complement: complement)
        }
    }

    /// Hue rotation in place (a 1-channel image is left unchanged).
    static func hue(_ x: UnsafeMutablePointer<Float>, geometry: ImageGeometry, shift: Float) {
        guard geometry.channels == 3 else { return }
        let plane = geometry.plane
        let (r, g, b) = (x, x + plane, x + 2 * plane)
        for i in 0..<plane {
            (r[i], g[i], b[i]) = shiftedHue(r[i], g[i], b[i], shift: shift)
        }
    }

    /// One pixel through torchvision's `_rgb2hsv`, the hue shift and `_hsv2rgb`.
    @inline(__always)
    static func shiftedHue(_ r: Float, _ g: Float, _ b: Float, shift: Float) -> (Float, Float, Float) {
        // _rgb2hsv
        let maxc = max(r, g, b)
        let minc = min(r, g, b)
        let equal = maxc == minc
        let chroma = maxc - minc
        let s = chroma / (equal ? 1 : maxc)
        let divisor: Float = equal ? 1 : chroma
        let rc = (maxc - r) / divisor
        let gc = (maxc - g) / divisor
        let bc = (maxc - b) / divisor
        let h6: Float
        if maxc == r {
            h6 = bc - gc
        } else if maxc == g {
            h6 = 2 + rc - bc
        } else {
            h6 = 4 + gc - rc
        }
        let h = (h6 / 6 + 1).truncatingRemainder(dividingBy: 1)
        // (h + shift) % 1.0, PyTorch's remainder (the sign of the divisor)
        var shifted = (h + shift).truncatingRemainder(dividingBy: 1)
        if shifted < 0 { shifted += 1 }
        // _hsv2rgb
        let v = maxc
        let sector = (shifted * 6).rounded(.down)
        let f = shifted * 6 - sector
        let p = min(max(v * (1 - s), 0), 1)
        let q = min(max(v * (1 - s * f), 0), 1)
        let t = min(max(v * (1 - s * (1 - f)), 0), 1)
        switch Int(sector) % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}
