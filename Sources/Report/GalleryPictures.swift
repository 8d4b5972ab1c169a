import Datasets
import Explain
import FCDD
import Foundation
import TensorCore

extension AnomalyEvaluation {
    /// The longest side of a gallery picture's two panels; larger inputs are scaled down to it.
    public static let galleryPanelSide = 128

    /// Writes one picture per test image of `selection` to `report/gallery/<index>.png` in
    /// `folder`: the input as the net saw it (before preprocessing) beside it with its heatmap
    /// blended over it (jet, half opacity, all the selection's heatmaps scaled together by
    /// `display`) and, where the data set has masks, the ground truth's outline in white.
    /// Inputs larger than ``galleryPanelSide`` are scaled down (bilinear; masks nearest).
    ///
    /// - Throws: `ExplainError`, `DatasetError` and ``ReportError`` from the rendering,
    ///   the masks and the files.
    public func writeGalleryPictures(_ selection: GallerySelection, test: any ImageDataset, display: HeatmapDisplay, into folder: URL) throws {
        let indices = selection.indices
        guard !indices.isEmpty else { return }
        let (height, width) = (heatmaps.shape[1], heatmaps.shape[2])
        let scale = min(1, Double(Self.galleryPanelSide) / Double(max(height, width)))
        let (panelHeight, panelWidth) = (max(1, Int((Double(height) * scale).rounded())), max(1, Int((Double(width) * scale).rounded())))
        let resize = try Resize(height: panelHeight, width: panelWidth)
        let resizeMask = try Resize(height: panelHeight, width: panelWidth, interpolation: .nearest)
        func panel(_ tensor: Tensor, _ transform: Resize) throws(DatasetError) -> Tensor {
            guard panelHeight != height || panelWidth != width else { return tensor }
            return try transform.apply(DatasetSample(image: tensor, label: 0, name: "gallery"), seed: 0).image
        }
        let normalized = try display.normalize(heatmaps.gathered(atIndices: indices, alongAxis: 0))
        let masks = try TestSamples.groundTruth(test, at: indices, height: height, width: width)
        let channels = images.shape[1]
        for (position, index) in indices.enumerated() {
            let input = try panel(images.slice(alongAxis: 0, index..<(index + 1)).reshaped(to: [channels, height, width]), resize)
            let shown = try HeatmapSamples.displayImages(input.reshaped(to: [1] + input.shape), display: .clamped)[0].converted(toChannels: 3)
            let heatmap = try panel(normalized.slice(alongAxis: 0, position..<(position + 1)), resize).reshaped(to: [panelHeight, panelWidth])
            var overlay = try shown.overlaying(heatmap: heatmap, colorMap: .jet, opacity: 0.5)
            if let masks {
                let mask = try panel(masks.slice(alongAxis: 0, position..<(position + 1)), resizeMask).reshaped(to: [panelHeight, panelWidth])
                overlay = try overlay.drawingContour(Contour(mask: mask), color: .white)
            }
            let picture = Self.sideBySide(shown, overlay, gap: 2)
            let data = try picture.pngData(bitDepth: 8)
            try RunFile.write(data, to: RunFile.galleryPicture(index), in: folder)
        }
    }

    /// Two RGB images of one size next to each other, `gap` white columns between them.
    private static func sideBySide(_ left: Image, _ right: Image, gap: Int) -> Image {
        let (width, height) = (left.width * 2 + gap, left.height)
        var pixels = [Float](repeating: 1, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<left.width {
                for channel in 0..<3 {
                    pixels[(y * width + x) * 3 + channel] = left.pixels[(y * left.width + x) * 3 + channel]
                    pixels[(y * width + left.width + gap + x) * 3 + channel] = right.pixels[(y * right.width + x) * 3 + channel]
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: 3, pixels: pixels)
    }
}
