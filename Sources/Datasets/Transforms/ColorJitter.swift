import TensorCore

/// Randomly changes brightness, contrast, saturation and hue, as torchvision's
/// `ColorJitter`: a random order of the four adjustments is drawn first (torchvision's
/// `randperm(4)`), then one factor per enabled adjustment (brightness, contrast, saturation,
/// hue, each uniform in its range), and the enabled adjustments are applied in the drawn
/// order with the functions of ``ColorAdjustment``. Only the image changes.
///
/// A parameter `b` for brightness, contrast or saturation gives factors in
/// `[max(0, 1 − b), 1 + b]`; a hue parameter `h` in `[0, 0.5]` gives shifts in `[−h, h]`. A
/// parameter of 0 disables that adjustment (no factor is drawn for it).
///
/// FCDD applies `ColorJitter` to 8-bit PIL images, where every step rounds to whole grey
/// levels, the contrast mean is rounded to an integer and hue shifts are truncated to
/// multiples of 1/255 of a turn; this float version follows torchvision's tensor definitions
/// instead, so it matches FCDD only up to that quantisation.
public struct ColorJitter: SampleTransform {
    /// The range of brightness factors, or `nil` when brightness is not changed.
    public let brightness: ClosedRange<Float>?
    /// The range of contrast factors, or `nil` when contrast is not changed.
    public let contrast: ClosedRange<Float>?
    /// The range of saturation factors, or `nil` when saturation is not changed.
    public let saturation: ClosedRange<Float>?
    /// The range of hue shifts (in turns), or `nil` when hue is not changed.
    public let hue: ClosedRange<Float>?

    /// torchvision's `ColorJitter(brightness, contrast, saturation, hue)` with scalar
    /// parameters.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a negative parameter or a hue parameter above 0.5.
    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0, hue: Float = 0) throws(DatasetError) {
        func factorRange(_ value: Float, _ name: String) throws(DatasetError) -> ClosedRange<Float> {
            guard value >= 0, value.isFinite else {
                throw .invalidTransformParameter(transform: "ColorJitter", parameter: name, expected: "a finite non-negative value", found: "\(value)")
            }
            return max(0, 1 - value)...(1 + value)
        }
        guard hue >= 0, hue <= 0.5 else {
            throw .invalidTransformParameter(transform: "ColorJitter", parameter: "hue", expected: "in [0, 0.5]", found: "\(hue)")
        }
        try self.init(
            brightnessRange: try factorRange(brightness, "brightness"),
            contrastRange: try factorRange(contrast, "contrast"),
            saturationRange: try factorRange(saturation, "saturation"),
            hueRange: -hue...hue)
    }

    /// torchvision's `ColorJitter` with explicit `(min, max)` ranges. A factor range of
    /// exactly `1...1` or a hue range of `0...0` disables that adjustment, as `nil` does.
    ///
    /// - Throws: ``DatasetError/invalidTransformParameter(transform:parameter:expected:found:)``
    ///   for a factor range reaching below 0 or a hue range outside `[−0.5, 0.5]`.
    public init(
        brightnessRange: ClosedRange<Float>?, contrastRange: ClosedRange<Float>?,
        saturationRange: ClosedRange<Float>?, hueRange: ClosedRange<Float>?
    ) throws(DatasetError) {
        func checked(_ range: ClosedRange<Float>?, _ name: String, bounds: ClosedRange<Float>, identity: Float) throws(DatasetError) -> ClosedRange<Float>? {
            guard let range else { return nil }
            guard bounds.contains(range.lowerBound), bounds.contains(range.upperBound) else {
                throw .invalidTransformParameter(
                    transform: "ColorJitter", parameter: "\(name) range", expected: "within \(bounds)", found: "\(range)")
            }
            return range == identity...identity ? nil : range
        }
        brightness = try checked(brightnessRange, "brightness", bounds: 0...Float.greatestFiniteMagnitude, identity: 1)
        contrast = try checked(contrastRange, "contrast", bounds: 0...Float.greatestFiniteMagnitude, identity: 1)
        saturation = try checked(saturationRange, "saturation", bounds: 0...Float.greatestFiniteMagnitude, identity: 1)
        hue = try checked(hueRange, "hue", bounds: -0.5...0.5, identity: 0)
    }

    /// The random choices for one sample: the order of the four adjustments (0 brightness,
    /// 1 contrast, 2 saturation, 3 hue) and the factor of each enabled one.
    public struct Parameters: Sendable, Equatable {
        /// The order in which the adjustments are applied: a permutation of 0 (brightness),
        /// 1 (contrast), 2 (saturation) and 3 (hue). Kept in a SIMD vector so that drawing
        /// it allocates nothing.
        public var order: SIMD4<Int32>
        /// The brightness factor, or `nil` when brightness is not changed.
        public var brightness: Float?
        /// The contrast factor, or `nil` when contrast is not changed.
        public var contrast: Float?
        /// The saturation factor, or `nil` when saturation is not changed.
        public var saturation: Float?
        /// The hue shift, or `nil` when hue is not changed.
        public var hue: Float?

        /// Parameters given explicitly; `order` must be a permutation of 0, 1, 2, 3 (other
        /// values are read as hue).
        public init(order: SIMD4<Int32> = SIMD4(0, 1, 2, 3), brightness: Float? = nil, contrast: Float? = nil, saturation: Float? = nil, hue: Float? = nil) {
            (self.order, self.brightness, self.contrast, self.saturation, self.hue) = (order, brightness, contrast, saturation, hue)
        }
    }

    /// Draws the parameters of one application (torchvision's `get_params`): a random
    /// permutation of the four adjustments (Fisher–Yates), then the enabled factors in the
    /// order brightness, contrast, saturation, hue.
    public func drawParameters(using generator: inout SeededGenerator) -> Parameters {
        var order = SIMD4<Int32>(0, 1, 2, 3)
        for i in stride(from: 3, to: 0, by: -1) {
            let j = generator.uniformInteger(below: i + 1)
            let swapped = order[i]
            order[i] = order[j]
            order[j] = swapped
        }
        return Parameters(
            order: order,
            brightness: brightness.map { generator.uniformFloat(in: $0) },
            contrast: contrast.map { generator.uniformFloat(in: $0) },
            saturation: saturation.map { generator.uniformFloat(in: $0) },
            hue: hue.map { generator.uniformFloat(in: $0) })
    }

    /// Draws the parameters and adjusts the image (one output allocation; the adjustments
    /// run in place on it).
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image without 1 or 3 channels.
    public func apply(_ sample: DatasetSample, using generator: inout SeededGenerator) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "ColorJitter", allowedChannels: [1, 3])
        let parameters = drawParameters(using: &generator)
        var result = sample
        result.image = Self.adjusted(sample.image, geometry: geometry, parameters: parameters)
        return result
    }

    /// Applies `parameters` to `image`, which has 1 or 3 channels (checked by the caller).
    static func adjusted(_ image: Tensor, geometry: ImageGeometry, parameters: Parameters) -> Tensor {
        if parameters.brightness == nil, parameters.contrast == nil, parameters.saturation == nil, parameters.hue == nil {
            return image
        }
        return transformed(image, to: geometry.shape) { x, y in
            y.update(from: x, count: geometry.channels * geometry.plane)
            for index in 0..<4 {
                switch parameters.order[index] {
                case 0: if let factor = parameters.brightness { ColorAdjustment.brightness(y, geometry: geometry, factor: factor) }
                case 1: if let factor = parameters.contrast { ColorAdjustment.contrast(y, geometry: geometry, factor: factor) }
                case 2: if let factor = parameters.saturation { ColorAdjustment.saturation(y, geometry: geometry, factor: factor) }
                default: if let shift = parameters.hue { ColorAdjustment.hue(y, geometry: geometry, shift: shift) }
                }
            }
        }
    }

    /// Applies given parameters instead of random ones: for tests and for replaying a
    /// recorded augmentation.
    ///
    /// - Throws: ``DatasetError/transformInputMismatch(transform:sample:expected:found:)``
    ///   for an image without 1 or 3 channels.
    public func apply(_ sample: DatasetSample, parameters: Parameters) throws(DatasetError) -> DatasetSample {
        let geometry = try sample.imageGeometry(for: "ColorJitter", allowedChannels: [1, 3])
        var result = sample
        result.image = Self.adjusted(sample.image, geometry: geometry, parameters: parameters)
        return result
    }
}
