import NN
import TensorCore
import Testing

// Receptive fields and output sizes computed from the layers (SpatialModule): hand-checked
// nets with average pools, upsampling and residual blocks; a brute-force probe that perturbs
// every input pixel and checks that each output pixel's computed window contains every input
// pixel it reacts to (and, for windows, nothing more); the errors for layers without a rule.

@Suite("Spatial geometry")
struct SpatialGeometryTests {
    static func conv(_ kernel: Int, stride: Int = 1, padding: Int = 0, channels: (Int, Int) = (1, 1), seed: UInt64 = 0) throws -> Conv2d {
        var generator = SeededGenerator(seed: seed)
        return Conv2d(
            channels.0, channels.1, kernelSize: Size2D(kernel, kernel), stride: Size2D(stride, stride),
            padding: Padding2D(height: padding, width: padding), using: &generator)
    }

    static func field(_ r: Int, _ j: Int, _ s: Double) -> ReceptiveField {
        ReceptiveField(size: Size2D(r, r), jump: Size2D(j, j), shift: .init(s, s))
    }

    // MARK: - Hand-checked nets

    @Test("conv, average pool, conv: r, j, s by the reference's rule")
    func averagePool() throws {
        // conv 3 p1: r 1+2 = 3, j 1, s 0 + (1 − 1)·1 = 0.
        // avg-pool 2: r 3 + 1·1 = 4, j 2, s 0 + (½ − 0)·1 = 0.5.
        // conv 3 p1: r 4 + 2·2 = 8, j 2, s 0.5 + (1 − 1)·2 = 0.5.
        let net = Sequential(try Self.conv(3, padding: 1), ReLU(), AvgPool2d(kernelSize: 2), try Self.conv(3, padding: 1))
        let geometry = try net.spatialGeometry(forInput: 16)
        #expect(geometry == SpatialGeometry(size: 8, field: Self.field(8, 2, 0.5)))
        #expect(try net.spatialGeometry(forInput: Size2D(16, 10)).size == Size2D(8, 5))
    }

    @Test("nearest and bilinear upsampling halve the jump and widen the window")
    func upsampling() throws {
        // conv 3 p1 (3, 1, 0), max-pool 2 (4, 2, 0.5), max-pool 2 (6, 4, 1.5); then ×2:
        // nearest r 6 + (2 − 1)·2 = 8, bilinear r 6 + (2·2 − 1)·2 = 12; both j 2, s 1.5 − ½·2 = 0.5.
        let body: [any Module] = [try Self.conv(3, padding: 1), MaxPool2d(kernelSize: 2), MaxPool2d(kernelSize: 2)]
        let nearest = Sequential(body + [Upsample(.scaleFactor(2))])
        #expect(try nearest.spatialGeometry(forInput: 16) == SpatialGeometry(size: 8, field: Self.field(8, 2, 0.5)))
        let bilinear = Sequential(body + [Upsample(.size(8), mode: .bilinear)])
        #expect(try bilinear.spatialGeometry(forInput: 16) == SpatialGeometry(size: 8, field: Self.field(12, 2, 0.5)))
        // A factor of 3 on a jump of 4 would put pixels 4/3 input pixels apart.
        let third = Sequential(body + [Upsample(.scaleFactor(3))])
        #expect(throws: SpatialGeometryError.self) { try third.spatialGeometry(forInput: 16) }
        do {
            _ = try third.spatialGeometry(forInput: 16)
        } catch {
            #expect(error.path == "3")
        }
    }

    @Test("a residual block's field is the union of its branches")
    func residual() throws {
        // body: conv 3 p1 (3, 1, 0), conv 3 p1 (5, 1, 0); identity shortcut (1, 1, 0): union r 5.
        let plain = Residual(Sequential(try Self.conv(3, padding: 1), ReLU(), try Self.conv(3, padding: 1)))
        #expect(try plain.spatialGeometry(forInput: 9) == SpatialGeometry(size: 9, field: Self.field(5, 1, 0)))
        // body: conv 3 s2 p1 (3, 2, 0), conv 3 p1 (3 + 2·2 = 7, 2, 0); shortcut 1×1 s2 (1, 2, 0): union r 7.
        let strided = Residual(
            Sequential(try Self.conv(3, stride: 2, padding: 1), try Self.conv(3, padding: 1)),
            shortcut: try Self.conv(1, stride: 2))
        #expect(try strided.spatialGeometry(forInput: 9) == SpatialGeometry(size: 5, field: Self.field(7, 2, 0)))
        // body: conv 3 (no padding) shifts its centre by 1 to (3, 1, 1); union with (1, 1, 0) spans [−0, 2] ∪ [0, 0].
        let unpadded = Residual(try Self.conv(3), shortcut: Sequential(try Self.conv(3, padding: 1), try Self.conv(3)))
        #expect(try unpadded.spatialGeometry(forInput: 9) == SpatialGeometry(size: 7, field: Self.field(5, 1, 1)))
        // Branches whose maps differ in size cannot be added.
        let mismatched = Residual(try Self.conv(3), shortcut: Identity())
        #expect(throws: SpatialGeometryError.self) { try mismatched.spatialGeometry(forInput: 9) }
    }

    // MARK: - Errors

    /// A net written as plain Swift with a block inside: the error names the nested path.
    final class TwoStageNet: SpatialChain {
        var isTraining = true
        let stem: Conv2d
        let block: Sequential
        init(head: any Module) throws {
            stem = try SpatialGeometryTests.conv(3, padding: 1)
            block = Sequential(ReLU(), head)
        }
        var childModules: [(name: String, module: any Module)] { [("stem", stem), ("block", block)] }
        var spatialLayers: [any Module] { [stem, block] }
        func forward(_ input: Tensor) -> Tensor { block(stem(input)) }
    }

    @Test("a layer without a rule is an error naming its path, never skipped")
    func unknownLayer() throws {
        let net = try TwoStageNet(head: AdaptiveAvgPool2d(outputSize: 2))
        #expect(throws: SpatialGeometryError.notSpatial(path: "block.1", type: "AdaptiveAvgPool2d")) {
            try net.spatialGeometry(forInput: 8)
        }
        let error = SpatialGeometryError.notSpatial(path: "block.1", type: "AdaptiveAvgPool2d")
        #expect(error.description.contains("module block.1 (AdaptiveAvgPool2d) does not state its receptive field"))
        #expect(throws: SpatialGeometryError.notSpatial(path: "", type: "Flatten")) { try Flatten().spatialGeometry(forInput: 8) }
        let tooSmall = try TwoStageNet(head: MaxPool2d(kernelSize: 5))
        #expect(throws: SpatialGeometryError.self) { try tooSmall.spatialGeometry(forInput: 4) }
        #expect(try tooSmall.spatialGeometry(forInput: 5).size == 1)
    }

    @Test("window output sizes agree with the pooling and convolution kernels, ceil mode included")
    func windowSizes() throws {
        let input = Tensor.zeros(shape: [1, 1, 11, 8])
        for (kernel, stride, padding, ceil) in [(3, 2, 1, true), (3, 2, 0, true), (2, 2, 0, false), (3, 3, 1, true), (4, 1, 2, false)] {
            let pool = MaxPool2d(kernelSize: Size2D(kernel, kernel), stride: Size2D(stride, stride), padding: Size2D(padding, padding), ceilMode: ceil)
            let output = pool(input)
            #expect(
                try pool.spatialGeometry(forInput: Size2D(11, 8)).size == Size2D(output.shape[2], output.shape[3]),
                "\(pool.window)")
        }
        let conv = try Self.conv(3, stride: 2, padding: 2)
        let output = conv(input)
        #expect(try conv.spatialGeometry(forInput: Size2D(11, 8)).size == Size2D(output.shape[2], output.shape[3]))
    }

    // MARK: - Brute-force probe

    /// For each input pixel of a `size`×`size` one-channel image, the output pixels (flat
    /// indices) whose value changes when that pixel alone is raised by 10.
    static func dependencies(of net: any Module, size: Int) throws -> [[Int]] {
        var generator = SeededGenerator(seed: 7)
        let base = Tensor.randomUniform(shape: [1, 1, size, size], low: 0.5, high: 1, using: &generator)
        let pixels = size * size
        let baseScalars = base.scalars
        var batch: [Float] = []
        for pixel in 0..<pixels {
            var image = baseScalars
            image[pixel] += 10
            batch += image
        }
        net.eval()
        let reference = net(base).scalars
        let outputs = net(Tensor(shape: [pixels, 1, size, size], scalars: batch))
        let perImage = reference.count
        let scalars = outputs.scalars
        return (0..<pixels).map { pixel in
            (0..<perImage).filter { abs(scalars[pixel * perImage + $0] - reference[$0]) > 1e-4 * max(1, abs(reference[$0])) }
        }
    }

    /// Checks every dependency against the computed windows; with `tight`, also that every
    /// in-image pixel of a window is a dependency.
    static func probe(_ net: any Module, size: Int, tight: Bool, _ comment: Comment) throws {
        let geometry = try net.spatialGeometry(forInput: Size2D(size, size))
        let (outputHeight, outputWidth) = (geometry.size.height, geometry.size.width)
        let field = geometry.field
        let dependencies = try dependencies(of: net, size: size)
        func window(_ index: Int, _ r: Int, _ j: Int, _ s: Double) -> ClosedRange<Double> {
            let centre = s + Double(index * j)
            return (centre - Double(r - 1) / 2)...(centre + Double(r - 1) / 2)
        }
        var seen = Set<[Int]>()
        for (pixel, outputs) in dependencies.enumerated() {
            let (y, x) = (pixel / size, pixel % size)
            for output in outputs {
                let (i, k) = (output / outputWidth, output % outputWidth)
                #expect(i < outputHeight)
                seen.insert([output, pixel])
                let rows = window(i, field.size.height, field.jump.height, field.shift.height)
                let columns = window(k, field.size.width, field.jump.width, field.shift.width)
                #expect(
                    rows.contains(Double(y)) && columns.contains(Double(x)),
                    "\(comment): output (\(i), \(k)) depends on input (\(y), \(x)) outside \(rows) × \(columns) of \(field)")
            }
        }
        guard tight else { return }
        for i in 0..<outputHeight {
            for k in 0..<outputWidth {
                let rows = window(i, field.size.height, field.jump.height, field.shift.height)
                let columns = window(k, field.size.width, field.jump.width, field.shift.width)
                for y in 0..<size where rows.contains(Double(y)) {
                    for x in 0..<size where columns.contains(Double(x)) {
                        #expect(
                            seen.contains([i * outputWidth + k, y * size + x]),
                            "\(comment): output (\(i), \(k)) does not depend on (\(y), \(x)) inside its window \(field)")
                    }
                }
            }
        }
    }

    /// A convolution whose weights are all positive, so no dependency cancels out.
    static func positiveConv(_ kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) throws -> Conv2d {
        var generator = SeededGenerator(seed: UInt64(kernel * 31 + stride * 7 + padding))
        let layer = Conv2d(
            1, 1, kernelSize: Size2D(kernel, kernel), stride: Size2D(stride, stride),
            padding: Padding2D(height: padding, width: padding), dilation: Size2D(dilation, dilation),
            using: &generator)
        layer.weight.value = Tensor.randomUniform(shape: layer.weight.value.shape, low: 0.2, high: 1, using: &generator)
        return layer
    }

    @Test("windows of convolutions and pools are exactly the pixels each output depends on")
    func windowsAreExact() throws {
        try Self.probe(
            Sequential(try Self.positiveConv(3, padding: 1), MaxPool2d(kernelSize: 2), try Self.positiveConv(3, padding: 1)),
            size: 12, tight: true, "conv · max-pool · conv")
        try Self.probe(
            Sequential(
                try Self.positiveConv(5, stride: 2, padding: 2), AvgPool2d(kernelSize: 3, stride: 2, padding: 1),
                try Self.positiveConv(1)),
            size: 13, tight: true, "strided conv · padded average pool")
        try Self.probe(
            Sequential(try Self.positiveConv(3, padding: 2, dilation: 2), MaxPool2d(kernelSize: 3, stride: 2)),
            size: 11, tight: true, "dilated conv · overlapping max-pool")
    }

    @Test("upsampled and residual windows contain every pixel each output depends on")
    func windowsContainDependencies() throws {
        let down: [any Module] = [try Self.positiveConv(3, padding: 1), MaxPool2d(kernelSize: 2), MaxPool2d(kernelSize: 2)]
        try Self.probe(Sequential(down + [Upsample(.scaleFactor(2))]), size: 16, tight: false, "nearest ×2")
        try Self.probe(Sequential(down + [Upsample(.scaleFactor(4), mode: .bilinear)]), size: 16, tight: false, "bilinear ×4")
        try Self.probe(
            Sequential([try Self.positiveConv(3, stride: 3)] + [Upsample(.scaleFactor(3), mode: .bilinear)]),
            size: 12, tight: false, "bilinear ×3")
        try Self.probe(
            Residual(
                Sequential(try Self.positiveConv(3, stride: 2, padding: 1), try Self.positiveConv(3, padding: 1)),
                shortcut: try Self.positiveConv(1, stride: 2)),
            size: 12, tight: true, "residual block with a strided projection")
    }
}
