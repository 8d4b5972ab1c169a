import Foundation
import NN

/// Loading a model file of any ``AnomalyObjective``.
public enum AnomalyPredictors {
    /// The predictor a model file holds: an ``FCDDPredictor`` for objective `fcdd` (and for
    /// files without an `objective` key, written before the baselines existed), a
    /// ``BaselinePredictor`` for `hsc` and `ae`.
    ///
    /// - Throws: ``CheckpointError`` when the file is unreadable, not a model file, or its
    ///   weights do not fit the net it names.
    public static func load(contentsOf url: URL) throws(CheckpointError) -> any AnomalyPredictor {
        let file = try AnomalyModelFile(contentsOf: url)
        switch file.objective {
        case .fcdd: return try FCDDPredictor(file: file)
        case .hsc, .ae: return try BaselinePredictor(file: file)
        }
    }
}
