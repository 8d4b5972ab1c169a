import Explain
import Foundation
import NN
import TensorCore

/// A model file as ``AnomalyPredictor`` reads and writes it: a safetensors file with the
/// weights and metadata `format` (`fcdd-swift.model`), `objective` (the objective's name;
/// absent in files written before the baselines: `fcdd`), `net` (the architecture's name),
/// `net_hyperparameters` (JSON; absent in older files, whose nets take only
/// `input_channels`), `input_channels`, `input_height`, `input_width`, `preprocessing`
/// (``ModelPreprocessing`` as JSON), an optional `threshold`, an optional
/// `heatmap_calibration` (``HeatmapCalibration`` as JSON; absent in files written before it
/// existed, whose heatmaps are then shown with a per-image scale), and the objective's own
/// settings (`sigma`; `blur_kernel_size`, …).
struct AnomalyModelFile {
    /// The `format` metadata value of model files.
    static let format = "fcdd-swift.model"
    /// The metadata key under which model files and checkpoints record the objective's name.
    static let objectiveKey = "objective"

    /// Where the file was read from.
    let url: URL
    /// The weights.
    let tensors: [String: Tensor]
    /// All metadata.
    let metadata: [String: String]
    /// The objective's name.
    let objective: String
    /// The net's architecture.
    let architecture: NetArchitecture
    /// Channels of the input images.
    let inputChannels: Int
    /// The input height and width.
    let inputSize: Size2D
    /// The test-time preprocessing.
    let preprocessing: ModelPreprocessing
    /// The decision threshold, if calibrated.
    let threshold: Float?
    /// The heatmap scale and pixel threshold, if calibrated.
    let heatmapCalibration: HeatmapCalibration?

    /// Reads a model file and its common metadata.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` for an unreadable file and
    ///   ``CheckpointError/invalidCheckpoint(file:reason:)`` when it is not a model file,
    ///   common metadata is missing or malformed (a heatmap calibration whose values are not
    ///   finite or not ordered included), or the net's hyperparameters name another
    ///   `input_channels` than the file's.
    init(contentsOf url: URL) throws(CheckpointError) {
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: url)
        } catch {
            throw .file(error)
        }
        let metadata = file.metadata
        func invalid(_ reason: String) -> CheckpointError { .invalidCheckpoint(file: url.path, reason: reason) }
        guard metadata["format"] == Self.format else {
            throw invalid("expected metadata format \"\(Self.format)\", found \(metadata["format"] ?? "none")")
        }
        guard let net = metadata["net"],
            let channelText = metadata["input_channels"], let heightText = metadata["input_height"], let widthText = metadata["input_width"],
            let preprocessingText = metadata["preprocessing"]
        else {
            throw invalid("expected net, input_channels, input_height, input_width and preprocessing metadata, found \(metadata.keys.sorted())")
        }
        func integer(_ key: String, _ text: String, in range: ClosedRange<Int>) throws(CheckpointError) -> Int {
            guard let value = Int(text), range.contains(value) else {
                throw invalid("expected \(key) in \(range.lowerBound)...\(range.upperBound), found \"\(text)\"")
            }
            return value
        }
        let channels = try integer("input_channels", channelText, in: AnomalyPredictor.Limits.inputChannels)
        let height = try integer("input_height", heightText, in: AnomalyPredictor.Limits.inputSide)
        let width = try integer("input_width", widthText, in: AnomalyPredictor.Limits.inputSide)
        guard let preprocessing = try? JSONDecoder().decode(ModelPreprocessing.self, from: Data(preprocessingText.utf8)) else {
            throw invalid("expected preprocessing as JSON of a ModelPreprocessing, found \(preprocessingText)")
        }
        var threshold: Float?
        if let text = metadata["threshold"] {
            guard let value = Float(text), value.isFinite else {
                throw invalid("expected threshold as a finite number, found \"\(text)\"")
            }
            threshold = value
        }
        var heatmapCalibration: HeatmapCalibration?
        if let text = metadata[Self.heatmapCalibrationKey] {
            do {
                heatmapCalibration = try JSONDecoder().decode(HeatmapCalibration.self, from: Data(text.utf8))
            } catch {
                let reason = (error as? DecodingError).map(Self.describe) ?? "\(error)"
                throw invalid(
                    "expected \(Self.heatmapCalibrationKey) as JSON of a HeatmapCalibration (finite low ≤ pixel_threshold ≤ high, quantiles in (0, 1], images ≥ 1), found \(text.prefix(200)): \(reason)"
                )
            }
        }
        var hyperparameters = ["input_channels": String(channels)]
        if let json = metadata["net_hyperparameters"] {
            guard let data = json.data(using: .utf8), let decoded = try? JSONDecoder().decode([String: String].self, from: data) else {
                throw invalid("expected net_hyperparameters as a JSON object of strings, found \(json)")
            }
            // The net is built from its hyperparameters and fed images of input_channels:
            // two counts that disagree would load and then stop in the first convolution.
            if let netChannels = decoded["input_channels"], Int(netChannels) != channels {
                throw invalid("expected net_hyperparameters input_channels equal to input_channels (\(channels)), found \"\(netChannels)\"")
            }
            hyperparameters = decoded
        }
        self.url = url
        tensors = file.tensors
        self.metadata = metadata
        objective = metadata[Self.objectiveKey] ?? "fcdd"
        architecture = NetArchitecture(name: net, hyperparameters: hyperparameters)
        inputChannels = channels
        inputSize = Size2D(height, width)
        self.preprocessing = preprocessing
        self.threshold = threshold
        self.heatmapCalibration = heatmapCalibration
    }

    /// The metadata key of the heatmap calibration.
    static let heatmapCalibrationKey = "heatmap_calibration"

    /// The keys the file's own metadata uses; objectives may not use them for their settings.
    static let reservedKeys: Set<String> = [
        "format", objectiveKey, "net", "net_hyperparameters", "input_channels", "input_height", "input_width", "preprocessing", "threshold",
        heatmapCalibrationKey,
    ]

    /// What a decoding error says, without the coding path's internals.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(context): context.debugDescription
        case let .keyNotFound(key, _): "no \(key.stringValue)"
        case let .typeMismatch(type, context): "expected \(type) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let .valueNotFound(type, context): "expected \(type) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: "\(error)"
        }
    }

    /// The metadata of a model file: `extra`, the objective's settings over it, then the
    /// common keys over both.
    static func metadata(
        objective: any AnomalyObjective, architecture: NetArchitecture, inputChannels: Int, inputSize: Size2D,
        preprocessing: ModelPreprocessing, threshold: Float?, heatmapCalibration: HeatmapCalibration?, extra: [String: String]
    ) -> [String: String] {
        var metadata = extra
        metadata.merge(objective.metadata) { _, setting in setting }
        metadata["format"] = format
        metadata[objectiveKey] = objective.name
        metadata["net"] = architecture.name
        metadata["net_hyperparameters"] = json(architecture.hyperparameters)
        metadata["input_channels"] = String(inputChannels)
        metadata["input_height"] = String(inputSize.height)
        metadata["input_width"] = String(inputSize.width)
        metadata["preprocessing"] = json(preprocessing)
        metadata["threshold"] = threshold.map { "\($0)" }
        metadata[heatmapCalibrationKey] = heatmapCalibration.map { json($0) }
        return metadata
    }

    /// `value` as compact JSON with sorted keys.
    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // A dictionary of strings and a Codable enum always encode.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// ``CheckpointError/invalidCheckpoint(file:reason:)`` for this file.
    func invalid(_ reason: String) -> CheckpointError { .invalidCheckpoint(file: url.path, reason: reason) }

    /// Loads the weights into `net`, strictly.
    ///
    /// - Throws: ``CheckpointError/stateDict(file:_:)`` when they do not fit.
    func load(into net: any Module) throws(CheckpointError) {
        do {
            try net.load(tensors, strict: true)
        } catch {
            throw .stateDict(file: url.path, error)
        }
    }
}
