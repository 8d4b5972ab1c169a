import Foundation

/// Readable names and formats of the metrics in `metrics.json`.
enum MetricNames {
    /// The known metrics in a fixed order: key, name, and whether the value is a rate (shown in %).
    static let known: [(key: String, name: String, percent: Bool)] = [
        ("image_auroc", "Image ROC AUC", false),
        ("pixel_auroc", "Pixel ROC AUC", false),
        ("pixel_aupro", "AU-PRO (up to FPR 0.3)", false),
        ("threshold", "Decision threshold", false),
        ("pixel_threshold", "Pixel threshold (masks)", false),
        ("test_detection_rate", "Test anomalies flagged", true),
        ("test_false_alarm_rate", "Nominal test images flagged (false alarms)", true),
        ("epochs", "Epochs", false),
        ("train_seconds", "Training time (s)", false),
        ("world_size", "Processes (data-parallel)", false),
    ]

    /// The rows of `metrics`: the known ones first in their order, then the others by key.
    static func rows(_ metrics: [String: Double]) -> [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = []
        for entry in known {
            guard let value = metrics[entry.key] else { continue }
            rows.append((entry.name, entry.percent ? String(format: "%.1f %%", 100 * value) : format(value)))
        }
        let knownKeys = Set(known.map(\.key))
        for key in metrics.keys.sorted() where !knownKeys.contains(key) {
            rows.append((key, format(metrics[key] ?? .nan)))
        }
        return rows
    }

    /// Whole numbers without decimals, others as ``HTMLPage/number(_:)``.
    static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : HTMLPage.number(value)
    }
}
