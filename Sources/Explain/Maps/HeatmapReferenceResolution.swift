/// At which resolution the reference set of global heatmap normalisation is measured
/// (`BaseADTrainer._image_processing` and `__global_norm` in `training/bases.py` of the
/// official code, which take the statistics of the low-resolution maps).
///
/// The maps shown in a figure are Gaussian-up-sampled to the input size before they are
/// normalised. Their statistics (minimum and quantile) come from a reference set:
///
/// | | reference set | matches |
/// |---|---|---|
/// | ``lowResolution`` | the raw low-resolution A maps (u×v) | the published pictures |
/// | ``upsampled`` | the same maps after the same up-sampling (H×W) | the displayed maps' own scale |
///
/// Up-sampled values are sums of overlapping, un-normalised kernels, so their scale differs
/// from A's: an all-ones map becomes ≈3.4 on average for the VGG net with σ = 12 (MVTec),
/// ≈1.6 with σ = 8 (ImageNet) and ≈0.24 for the 28/32 nets with σ = 1.2. With
/// ``lowResolution`` global MVTec heatmaps therefore saturate and CIFAR-10 / Fashion-MNIST
/// ones darken; ``upsampled`` normalises the shown maps by statistics of their own kind.
/// Local normalisation is unaffected (each map is its own reference).
public enum HeatmapReferenceResolution: String, Sendable, Equatable, CaseIterable {
    /// The reference implementation's behaviour (the "low-resolution quirk"): statistics of
    /// the raw low-resolution maps, applied to up-sampled maps.
    case lowResolution
    /// Resolution-consistent: statistics of the reference maps after the same up-sampling
    /// as the maps they normalise.
    case upsampled
}
