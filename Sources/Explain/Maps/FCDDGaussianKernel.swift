import Foundation
import TensorCore

/// The un-normalised Gaussian kernel of the reference implementation, `gkern(k, std)` in
/// `datasets/noise.py` of the official code, with which FCDD spreads each low-resolution
/// score over its receptive field.
///
/// * The 1-D window is SciPy's `signal.gaussian(M, std)`:
///   `w[n] = exp(−(n − (M−1)/2)² / (2·std²))` for `n = 0..<M`, peak 1, not normalised.
/// * An odd size `k` is the window of length `k`.
/// * An even size `k` is the window of length `k − 1` with its centre sample duplicated
///   (inserted at index `(k − 1)/2`), then halved: the two middle samples are 0.5 and the
///   2-D peak is 0.25.
/// * The 2-D kernel is the outer product of the windows (here one per axis, so a
///   rectangular receptive field gets a rectangular kernel; the reference is square).
public enum FCDDGaussianKernel {
    /// The reference's σ when none is given, `kernel_size_to_std(k)`:
    /// `log10(0.45·k + 1) + 0.25` for `k < 32`, else 10. The runner always passes
    /// `--gauss-std` (see the FCDD module's `FCDDHeatmapPreset.gaussianSigma`), so the reference uses this only
    /// to blur baseline heatmaps when no σ is set.
    public static func defaultSigma(kernelSize: Int) -> Double {
        kernelSize < 32 ? log10(0.45 * Double(kernelSize) + 1) + 0.25 : 10
    }

    /// The smallest σ accepted: below about 1e-154, `2σ²` underflows to 0 and the window's
    /// centre becomes 0/0; far below one pixel the window is a single 1 anyway.
    public static let minimumSigma = 0.001

    /// Checks that `sigma` is a usable σ: finite and at least ``minimumSigma``.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` otherwise.
    public static func validate(sigma: Double) throws(ExplainError) {
        guard sigma >= minimumSigma, sigma.isFinite else {
            throw .invalidArgument(operation: "FCDDGaussianKernel", message: "expected a finite σ of at least \(minimumSigma), found \(sigma)")
        }
    }

    /// The 1-D window of `gkern(size, sigma)`, in double precision.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a size below 1 or a
    ///   σ that ``validate(sigma:)`` refuses.
    public static func window(size: Int, sigma: Double) throws(ExplainError) -> [Double] {
        guard size >= 1 else {
            throw .invalidArgument(operation: "FCDDGaussianKernel", message: "expected a kernel size ≥ 1, found \(size)")
        }
        try validate(sigma: sigma)
        if size % 2 == 1 { return gaussian(length: size, sigma: sigma) }
        var window = gaussian(length: size - 1, sigma: sigma)
        let centre = (size - 1) / 2
        window.insert(window[centre], at: centre)
        return window.map { $0 / 2 }
    }

    /// The 2-D kernel `outer(window(size.height), window(size.width))` as a float32 tensor
    /// `[size.height, size.width]` (the reference computes it in double and converts it
    /// with `.float()`).
    ///
    /// - Throws: The errors of ``window(size:sigma:)``.
    public static func kernel(size: Size2D, sigma: Double) throws(ExplainError) -> Tensor {
        let rows = try window(size: size.height, sigma: sigma)
        let columns = try window(size: size.width, sigma: sigma)
        return Tensor(shape: [size.height, size.width]) { output in
            var index = 0
            for row in rows {
                for column in columns {
                    output[index] = Float(row * column)
                    index += 1
                }
            }
        }
    }

    /// SciPy's `signal.windows.gaussian(length, sigma)`, written as SciPy evaluates it.
    private static func gaussian(length: Int, sigma: Double) -> [Double] {
        let twiceVariance = 2 * sigma * sigma
        let centre = (Double(length) - 1) / 2
        return (0..<length).map { n in
            let offset = Double(n) - centre
            return exp(-(offset * offset) / twiceVariance)
        }
    }
}
