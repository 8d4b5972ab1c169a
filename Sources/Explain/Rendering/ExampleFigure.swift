import Datasets
import Foundation
import TensorCore

/// The example heatmap figure of the documentation (`example-heatmaps.png` in the catalog's
/// Resources, shown on the module's landing page and in <doc:ExplainGuide>):
/// Fashion-MNIST test images from the package's bundled sample in the layout of the FCDD
/// paper's Figure 1, with a heatmap row under the nominal row as well.
///
/// Heatmaps come from a ``HeatmapProvider``; without one, ``syntheticHeatmaps(nominalClass:)``
/// stands in. Pass an FCDD model's (up-sampled, normalised) maps to get the real figure:
///
/// ```swift
/// let grid = try ExampleFigure.fashionMNIST(nominalClass: 0) { inputs in
///     try normalisedHeatmaps(model, inputs)    // [N, 28, 28] in [0, 1]
/// }
/// try grid.writePNG(to: URL(fileURLWithPath: "Sources/Explain/Explain.docc/Resources/example-heatmaps.png"))
/// ```
public enum ExampleFigure {
    /// Gives the heatmaps `[N, H, W]`, values in `[0, 1]`, of inputs `[N, 1, 28, 28]`
    /// (Fashion-MNIST pixels in `[0, 1]`, nominal inputs first).
    public typealias HeatmapProvider = (_ inputs: Tensor) throws -> Tensor

    /// The figure for Fashion-MNIST's class `nominalClass` (0 T-shirt/top … 9 Ankle boot):
    /// a "Nominal" row of the first `columns` test images of that class, its heatmap row,
    /// an "Anomalous" row of test images of the other classes (taking the classes in turn,
    /// so 9 columns show one of each), its heatmap row, and a colour bar.
    ///
    /// - Parameters:
    ///   - nominalClass: The nominal class, in `0..<10`.
    ///   - columns: Images per row, in `1...100`.
    ///   - heatmaps: The maps of the `2 × columns` inputs (nominal first); `nil` uses
    ///     ``syntheticHeatmaps(nominalClass:)``.
    ///   - style: Scale, colours and labels; see ``FigureStyle``.
    /// - Throws: ``ExplainError/invalidArgument(operation:message:)`` for a class or column
    ///   count out of range, `DatasetError` when the bundled sample cannot be read, what
    ///   `heatmaps` throws, and the errors of
    ///   ``HeatmapFigure/explanation(nominal:anomalous:heatmaps:groundTruth:nominalHeatmaps:title:style:)``.
    public static func fashionMNIST(
        nominalClass: Int = 0, columns: Int = 9, heatmaps: HeatmapProvider? = nil, style: FigureStyle = FigureStyle()
    ) throws -> TileGrid {
        let operation = "ExampleFigure.fashionMNIST"
        let classNames = FashionMNIST.classNames
        guard classNames.indices.contains(nominalClass), (1...100).contains(columns) else {
            throw ExplainError.invalidArgument(
                operation: operation,
                message: "expected a class in 0..<\(classNames.count) and 1...100 columns, found class \(nominalClass) and \(columns) columns")
        }
        let test = try FashionMNIST.bundledSample(split: .test)
        var byClass = [Int: [Int]]()
        for (index, label) in test.labels.enumerated() { byClass[label, default: []].append(index) }
        let others = classNames.indices.filter { $0 != nominalClass }
        let nominal = Array((byClass[nominalClass] ?? []).prefix(columns))
        var anomalous = [Int]()
        for column in 0..<columns {
            let members = byClass[others[column % others.count]] ?? []
            if column / others.count < members.count { anomalous.append(members[column / others.count]) }
        }
        guard nominal.count == columns, anomalous.count == columns else {
            throw ExplainError.invalidArgument(operation: operation, message: "the bundled sample has too few test images for \(columns) columns")
        }
        let inputs = test.images.gathered(atIndices: nominal + anomalous, alongAxis: 0)
        let provider = try heatmaps ?? syntheticHeatmaps(nominalClass: nominalClass)
        let maps = try provider(inputs)
        let (height, width) = (inputs.shape[2], inputs.shape[3])
        guard maps.shape == [2 * columns, height, width] else {
            throw ExplainError.shapeMismatch(operation: operation, expected: "heatmaps [\(2 * columns), \(height), \(width)]", found: [maps.shape])
        }
        let images = try HeatmapSamples.displayImages(inputs, display: .clamped)
        let nominalMaps = maps.slice(alongAxis: 0, 0..<columns)
        let anomalousMaps = maps.slice(alongAxis: 0, columns..<(2 * columns))
        let title = "Fashion-MNIST, nominal class: \(classNames[nominalClass])" + (heatmaps == nil ? " (synthetic heatmaps)" : "")
        return try HeatmapFigure.explanation(
            nominal: Array(images[..<columns]), anomalous: Array(images[columns...]), heatmaps: anomalousMaps,
            nominalHeatmaps: nominalMaps, title: title, style: style)
    }

    /// The stand-in heatmaps: ``SyntheticHeatmaps/deviation(of:fromNominal:blurSigma:)``
    /// against the class's images in the bundled training sample (blur σ = 1.5 pixels),
    /// normalised over the batch as the reference's global normalisation does with its
    /// default quantile: minus the minimum, divided by the 0.97-quantile of what is left,
    /// clamped to `[0, 1]`.
    ///
    /// - Throws: `DatasetError` when the bundled sample cannot be read, and
    ///   ``ExplainError/invalidArgument(operation:message:)`` for a class without images.
    public static func syntheticHeatmaps(nominalClass: Int) throws -> HeatmapProvider {
        let train = try FashionMNIST.bundledSample(split: .train)
        let members = train.labels.indices.filter { train.labels[$0] == nominalClass }
        guard !members.isEmpty else {
            throw ExplainError.invalidArgument(
                operation: "ExampleFigure.syntheticHeatmaps", message: "expected a class with training images, found class \(nominalClass)")
        }
        let nominal = train.images.gathered(atIndices: members, alongAxis: 0)
        return { inputs in
            try HeatmapNormalization.semiGlobal(quantile: 0.97)
                .normalize(SyntheticHeatmaps.deviation(of: inputs, fromNominal: nominal, blurSigma: 1.5))
        }
    }
}
