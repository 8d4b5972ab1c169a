import TensorCore

/// How ``Resize`` computes the pixels of the resized image.
///
/// None of the modes antialiases: downscaling reads 1 (nearest) or 2×2 (bilinear) source
/// pixels per output pixel, as PyTorch's `interpolate` and torchvision's tensor `Resize`
/// with `antialias=False`. torchvision's `Resize` on PIL images (what FCDD uses for
/// ImageNet and custom data) always antialiases, so bilinear downscaling differs from it.
public enum ResizeInterpolation: Sendable, Equatable, CaseIterable {
    /// PyTorch's `nearest`: output index `i` reads input `⌊i · in/out⌋`.
    case nearest
    /// Pixel-centre nearest neighbour, PyTorch's `nearest-exact`: output index `i` reads
    /// input `⌊(i + ½) · in/out⌋`. This is what PIL's `NEAREST` resize computes, and so what
    /// FCDD's MVTec-AD pipeline (`transforms.Resize(224, Image.NEAREST)` on PIL images) does.
    case nearestExact
    /// PyTorch's `bilinear` with `align_corners=False` (torchvision tensor `Resize` with
    /// `antialias=False`).
    case bilinear

    /// The mode used for a mask next to an image resized with this mode: a nearest mode, so
    /// the mask stays binary, with the same pixel alignment where the image's mode has one.
    var maskMode: ResizeInterpolation { self == .nearestExact ? .nearestExact : .nearest }
}

/// Resizes every plane of a checked `[C, H, W]` tensor to `height × width`.
func resizedPlanes(
    _ tensor: Tensor, geometry: ImageGeometry, height: Int, width: Int, mode: ResizeInterpolation
) -> Tensor {
    if height == geometry.height, width == geometry.width { return tensor }
    switch mode {
    case .nearest, .bilinear:
        let batch = tensor.reshaped(to: [1] + geometry.shape)
        let resized = batch.resized(to: Size2D(height, width), mode: mode == .nearest ? .nearest : .bilinear)
        return resized.reshaped(to: [geometry.channels, height, width])
    case .nearestExact:
        let (inputHeight, inputWidth) = (geometry.height, geometry.width)
        let rowScale = Double(inputHeight) / Double(height)
        let columnScale = Double(inputWidth) / Double(width)
        return transformed(tensor, to: [geometry.channels, height, width]) { x, y in
            var output = y
            for channel in 0..<geometry.channels {
                let plane = x + channel * geometry.plane
                for i in 0..<height {
                    let sourceRow = min(Int(((Double(i) + 0.5) * rowScale).rounded(.down)), inputHeight - 1)
                    let row = plane + sourceRow * inputWidth
                    for j in 0..<width {
                        output[j] = row[min(Int(((Double(j) + 0.5) * columnScale).rounded(.down)), inputWidth - 1)]
                    }
                    output += width
                }
            }
        }
    }
}
