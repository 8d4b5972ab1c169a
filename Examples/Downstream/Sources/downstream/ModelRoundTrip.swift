import Datasets
import FCDD
import Foundation
import NN

/// A check of the example that failed; `main` prints it and exits with status 1.
struct CheckFailure: Error, CustomStringConvertible {
    /// What differed.
    let description: String
}

/// Saving a trained model and loading it back as another program would: the model file
/// names the net's architecture and the objective, and a `ModelRegistry` that knows our
/// own ``ResidualFCN`` and ``DeepSVDDObjective`` rebuilds both before the weights load.
enum ModelRoundTrip {
    /// The library's registry extended by our net and objective.
    static var registry: ModelRegistry {
        var registry = ModelRegistry.standard
        registry.nets.register(ResidualFCN.architectureName) { architecture in try ResidualFCN(architecture) }
        registry.registerObjective(DeepSVDDObjective.registeredName) { metadata in try DeepSVDDObjective(metadata: metadata) }
        return registry
    }

    /// Saves `predictor` to `url`, loads it through ``registry`` and scores `image` with
    /// both; returns the score.
    ///
    /// - Throws: ``CheckFailure`` when the loaded model has another objective or settings,
    ///   or its score or heatmap differs in any bit; the library's errors when saving,
    ///   loading or predicting fails.
    static func check(_ predictor: AnomalyPredictor, image: Image, file url: URL) throws -> Float {
        try predictor.save(to: url)
        let loaded = try AnomalyPredictor(contentsOf: url, registry: registry)
        let (name, settings) = (predictor.objective.name, predictor.objective.metadata)
        guard loaded.objective.name == name, loaded.objective.metadata == settings else {
            throw CheckFailure(
                description: "\(url.lastPathComponent): expected objective \(name) \(settings), loaded \(loaded.objective.name) \(loaded.objective.metadata)")
        }
        let expected = try predictor.predict(image: image), found = try loaded.predict(image: image)
        guard found.score.bitPattern == expected.score.bitPattern else {
            throw CheckFailure(description: "\(url.lastPathComponent): the loaded model scores \(found.score), the trained one \(expected.score)")
        }
        guard found.heatmap.shape == expected.heatmap.shape, found.heatmap.scalars == expected.heatmap.scalars else {
            throw CheckFailure(description: "\(url.lastPathComponent): the loaded model's heatmap differs from the trained one's")
        }
        return found.score
    }
}
