import FCDD
import Foundation

extension TrainingCallbacks {
    /// Callbacks that print one line per epoch prefixed with `label` (mean loss, mean
    /// training score of the nominal images and, with `anomalies`, of the anomalous ones,
    /// seconds) and stop training early once an epoch's mean loss falls below `stopBelow`.
    static func epochLog(_ label: String, anomalies: Bool, stopBelow: Float) -> TrainingCallbacks {
        TrainingCallbacks(afterEpoch: { record in
            let scores =
                String(format: "nominal score %.4f", record.nominalScore)
                + (anomalies ? String(format: ", anomalous score %.4f", record.anomalousScore) : "")
            print(String(format: "  %@ epoch %d: loss %.4f, %@, %.1f s", label, record.epoch + 1, record.loss, scores, record.seconds))
            return record.loss < stopBelow ? .stop : .proceed
        })
    }
}
