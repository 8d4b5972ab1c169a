import Explain
import NN

extension GaussianBlur {
    /// The reference's blur of a baseline's heatmaps (`--blur-heatmaps`, in
    /// `BaseADTrainer._image_processing` of the official `training/bases.py`) for the
    /// baseline paired with the FCDD net `kind` (``BaselineNetKind/hsc(pairedWith:)``,
    /// ``BaselineNetKind/autoencoder(pairedWith:)``): kernel size the receptive field of
    /// `kind` made odd, σ = `sigma` (`--gauss-std`) or, when `nil`,
    /// `FCDDGaussianKernel.defaultSigma(kernelSize:)` of that size; reflect border. See
    /// `reference(receptiveFieldSize:sigma:)`.
    ///
    /// - Throws: `ExplainError.invalidArgument(operation:message:)` for a σ that is not
    ///   positive and finite.
    public static func reference(pairedWith kind: FCDDNetKind, sigma: Double?) throws(ExplainError) -> GaussianBlur {
        let field: ReceptiveField
        do {
            field = try kind.receptiveField
        } catch {
            throw .geometry(error)
        }
        return try reference(receptiveFieldSize: field.size.height, sigma: sigma)
    }
}
