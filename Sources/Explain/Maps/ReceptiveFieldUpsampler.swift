import NN
import TensorCore

/// Up-samples low-resolution anomaly maps to the input resolution the way the reference
/// does (`ReceptiveModule.receptive_upsample` in `models/bases.py` of the official code):
/// every output pixel's score is spread over its receptive field with the
/// un-normalised Gaussian ``FCDDGaussianKernel`` of size r.
///
/// Per axis, with map size h′, input size W, r, j and s = `int(shift)`:
///
/// 1. a transposed convolution of the maps with `gkern(r, σ)`, stride j, padding 0 and
///    output padding `W − (h′−1)·j − 1` (odd r) or `W − (h′−1)·j − 2` (even r), giving
///    `W + r − 1` (odd r) or `W + r − 2` (even r) pixels;
/// 2. the crop `[pad − s, pad − s + W)` with `pad = (r − 1)/2` (the reference's
///    `[pad − s : −pad − s]`), giving exactly W pixels.
///
/// Closed form: `A′(x, y) = Σ A[i, k]·g(x − (j·i + s))·g(y − (j·k + s))`, g the window
/// centred at index `pad`, contributions outside the input dropped. For even r the two
/// peak samples (0.5 each) sit at `j·i + s` and `j·i + s + 1`, around the true centre.
///
/// The reference handles square inputs and one value of r, j, s; here each axis has its
/// own, and the kernel is `outer(window(r_H), window(r_W))`. Where the reference's call
/// would fail — an output padding outside `[0, j)` (a map that does not match the net's
/// geometry, or a stride-1 net) or a crop outside the convolution's output — the
/// convolution runs without output padding and the missing rows and columns are zeros,
/// which is the closed form above.
///
/// The kernel is separable, so the up-sampling is computed as the closed form factored per
/// axis: `A′ = U_H · A · U_Wᵀ` for each map, with `U[x, i] = g(x − (j·i + s))`, two matrix
/// products instead of the transposed convolution (whose lowering writes r_H·r_W values per
/// map pixel; at 224 pixels the products take a small fraction of its time and memory).
/// Built from TensorCore's `matmul`, so it is differentiable: the pixel-wise FCDD loss
/// (`__gt_loss` in `training/fcdd.py`) trains through it.
public struct ReceptiveFieldUpsampler: Sendable {
    /// The receptive field of the maps' pixels.
    public let receptiveField: ReceptiveField
    /// The input size the maps are up-sampled to.
    public let inputSize: Size2D
    /// σ of the Gaussian window (see the FCDD module's `FCDDHeatmapPreset.gaussianSigma` for the reference's).
    public let sigma: Double
    /// The reference's transposed-convolution weight, `gkern` as `[1, 1, r_H, r_W]`: the
    /// outer product of the two windows the up-sampling applies.
    public let kernel: Tensor
    /// The 1-D windows of `gkern` for the rows and the columns.
    private let rowWindow: [Double]
    private let columnWindow: [Double]
    /// The map size the net's layers compute for ``inputSize`` (an up-sampler made for a net
    /// refuses maps of another size: a net whose forward pass differs from the layers it
    /// lists); `nil` for an up-sampler made from a receptive field alone.
    public private(set) var mapSize: Size2D?

    /// An up-sampler for maps of a net with `receptiveField`, to `inputSize` pixels.
    ///
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a field with a
    ///   size or jump below 1, an input size below 1, or a σ that is not positive and finite.
    public init(receptiveField: ReceptiveField, inputSize: Size2D, sigma: Double) throws(ExplainError) {
        let field = receptiveField
        guard field.size.height >= 1, field.size.width >= 1, field.jump.height >= 1, field.jump.width >= 1,
            field.shift.height.isFinite, field.shift.width.isFinite
        else {
            throw .invalidArgument(
                operation: "ReceptiveFieldUpsampler",
                message: "expected a receptive field with size and jump ≥ 1 and a finite shift, found \(field)")
        }
        guard inputSize.height >= 1, inputSize.width >= 1 else {
            throw .invalidArgument(operation: "ReceptiveFieldUpsampler", message: "expected an input size of at least 1×1, found \(inputSize)")
        }
        let weights = try FCDDGaussianKernel.kernel(size: field.size, sigma: sigma)
        rowWindow = try FCDDGaussianKernel.window(size: field.size.height, sigma: sigma)
        columnWindow = try FCDDGaussianKernel.window(size: field.size.width, sigma: sigma)
        self.receptiveField = field
        self.inputSize = inputSize
        self.sigma = sigma
        self.kernel = weights.reshaped(to: [1, 1, field.size.height, field.size.width])
    }

    /// An up-sampler for the output maps of `net` on inputs of `inputSize`, with the
    /// receptive field its layers compute (`Module.spatialGeometry(forInput:)`).
    ///
    /// - Throws: ``ExplainError/geometry(_:)`` when the net's field cannot be computed (a
    ///   layer that is not a `SpatialModule`, an input too small for the net), and the
    ///   errors of ``init(receptiveField:inputSize:sigma:)``.
    public init(net: any Module, inputSize: Size2D, sigma: Double) throws(ExplainError) {
        let geometry: SpatialGeometry
        do {
            geometry = try net.spatialGeometry(forInput: inputSize)
        } catch {
            throw .geometry(error)
        }
        try self.init(receptiveField: geometry.field, inputSize: inputSize, sigma: sigma)
        mapSize = geometry.size
    }

    /// Up-samples `maps` to ``inputSize``.
    ///
    /// - Parameter maps: Low-resolution maps `[N, 1, h′, w′]` or `[N, h′, w′]`; `[N, C, h′, w′]`
    ///   is up-sampled channel by channel.
    /// - Returns: `[N, 1, H, W]` (`[N, C, H, W]`) or `[N, H, W]`, following the input's layout;
    ///   recorded for differentiation when `maps` tracks gradients.
    /// - Throws: ``ExplainError/shapeMismatch(operation:expected:found:)`` for another rank
    ///   or an empty map.
    public func upsample(_ maps: Tensor) throws(ExplainError) -> Tensor {
        let operation = "ReceptiveFieldUpsampler.upsample"
        guard maps.rank == 3 || maps.rank == 4, maps.shape.allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch(operation: operation, expected: "non-empty maps [N, 1, h, w] or [N, h, w]", found: [maps.shape])
        }
        let (batch, channels) = (maps.shape[0], maps.rank == 4 ? maps.shape[1] : 1)
        let mapSize = Size2D(maps.shape[maps.rank - 2], maps.shape[maps.rank - 1])
        if let expected = self.mapSize, expected != mapSize {
            throw .shapeMismatch(
                operation: operation,
                expected:
                    "maps of \(expected.height)×\(expected.width), the size the net's layers compute for \(inputSize.height)×\(inputSize.width) inputs (a net whose forward pass changes the size with a layer it does not list in spatialLayers gets a wrong receptive field)",
                found: [maps.shape])
        }
        let field = receptiveField
        let rows = Self.spread(
            window: rowWindow, mapSize: mapSize.height, jump: field.jump.height, shift: field.integerShift.height,
            target: inputSize.height, mapAxisFirst: false)
        let columns = Self.spread(
            window: columnWindow, mapSize: mapSize.width, jump: field.jump.width, shift: field.integerShift.width,
            target: inputSize.width, mapAxisFirst: true)
        // One product per map (batched), so that a map's result never depends on the others.
        let planes = maps.reshaped(to: [batch * channels, mapSize.height, mapSize.width])
        let spread = Tensor.matmul(rows, Tensor.matmul(planes, columns))
        let shape = maps.rank == 4 ? [batch, channels, inputSize.height, inputSize.width] : [batch, inputSize.height, inputSize.width]
        return spread.reshaped(to: shape)
    }

    /// The spread matrix of one axis: `U[x, i] = window[x + pad − s − j·i]` where that index
    /// lies in the window, else 0, with `pad = (r − 1) / 2` — the reference's transposed
    /// convolution followed by its crop `[pad − s, pad − s + target)`, whose pixels outside the
    /// convolution's output are zeros. `[target, mapSize]`, or `[mapSize, target]` (Uᵀ) with
    /// `mapAxisFirst`.
    static func spread(window: [Double], mapSize: Int, jump: Int, shift: Int, target: Int, mapAxisFirst: Bool) -> Tensor {
        let field = window.count
        let offset = (field - 1) / 2 - shift
        return Tensor(shape: mapAxisFirst ? [mapSize, target] : [target, mapSize]) { output in
            output.initialize(repeating: 0)
            for i in 0..<mapSize {
                // x + offset − j·i ∈ [0, r): x ∈ [j·i − offset, j·i − offset + r) ∩ [0, target).
                let first = Swift.max(0, jump * i - offset)
                let end = Swift.min(target, jump * i - offset + field)
                guard first < end else { continue }
                for x in first..<end {
                    let value = Float(window[x + offset - jump * i])
                    output[mapAxisFirst ? i * target + x : x * mapSize + i] = value
                }
            }
        }
    }
}
