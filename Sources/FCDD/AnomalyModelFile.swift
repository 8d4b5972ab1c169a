import Foundation
import NN
import TensorCore

/// The parts of a model file that every ``AnomalyPredictor`` shares: the safetensors file
/// with metadata `format` (`fcdd-swift.model`), `objective` (``AnomalyObjective``, absent in
/// files written before the baselines: FCDD), `net`, `input_channels`, `input_height`,
/// `input_width`, `preprocessing` (``FCDDPreprocessing`` as JSON) and an optional
/// `threshold`. Each predictor adds its own keys (`sigma`; `blur_kernel_size`, …).
struct AnomalyModelFile {
    /// The `format` metadata value of model files.
    static let format = "fcdd-swift.model"

    /// Where the file was read from.
    let url: URL
    /// The weights.
    let tensors: [String: Tensor]
    /// All metadata.
    let metadata: [String: String]
    /// The objective the model was trained with.
    let objective: AnomalyObjective
    /// The net's official name.
    let net: String
    /// Channels of the input images.
    let inputChannels: Int
    /// The input height and width.
    let inputSize: Size2D
    /// The test-time preprocessing.
    let preprocessing: FCDDPreprocessing
    /// The decision threshold, if calibrated.
    let threshold: Float?

    /// Reads a model file and its common metadata.
    ///
    /// - Throws: ``CheckpointError/file(_:)`` for an unreadable file and
    ///   ``CheckpointError/invalidCheckpoint(file:reason:)`` when it is not a model file or
    ///   common metadata is missing or malformed.
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
        let objectiveName = metadata[AnomalyObjective.metadataKey] ?? AnomalyObjective.fcdd.rawValue
        guard let objective = AnomalyObjective(rawValue: objectiveName) else {
            throw invalid("unknown objective \"\(objectiveName)\"; expected one of \(AnomalyObjective.allCases.map(\.rawValue))")
        }
        guard let net = metadata["net"],
              let channels = metadata["input_channels"].flatMap(Int.init), channels >= 1,
              let height = metadata["input_height"].flatMap(Int.init), let width = metadata["input_width"].flatMap(Int.init),
              let preprocessingData = metadata["preprocessing"]?.data(using: .utf8),
              let preprocessing = try? JSONDecoder().decode(FCDDPreprocessing.self, from: preprocessingData) else {
            throw invalid("expected net, input_channels, input_height, input_width and preprocessing metadata, found \(metadata.keys.sorted())")
        }
        self.url = url
        tensors = file.tensors
        self.metadata = metadata
        self.objective = objective
        self.net = net
        inputChannels = channels
        inputSize = Size2D(height, width)
        self.preprocessing = preprocessing
        threshold = metadata["threshold"].flatMap(Float.init)
    }

    /// The common metadata of a model file, over `extra`.
    static func metadata(
        objective: AnomalyObjective, net: String, inputChannels: Int, inputSize: Size2D, preprocessing: FCDDPreprocessing,
        threshold: Float?, extra: [String: String]
    ) -> [String: String] {
        var metadata = extra
        metadata["format"] = format
        metadata[AnomalyObjective.metadataKey] = objective.rawValue
        metadata["net"] = net
        metadata["input_channels"] = String(inputChannels)
        metadata["input_height"] = String(inputSize.height)
        metadata["input_width"] = String(inputSize.width)
        // A Codable enum always encodes.
        metadata["preprocessing"] = String(decoding: try! JSONEncoder().encode(preprocessing), as: UTF8.self)
        if let threshold { metadata["threshold"] = "\(threshold)" }
        return metadata
    }

    /// ``CheckpointError/invalidCheckpoint(file:reason:)`` for this file.
    func invalid(_ reason: String) -> CheckpointError { .invalidCheckpoint(file: url.path, reason: reason) }

    /// Checks that the file holds a model of one of `objectives`.
    ///
    /// - Throws: ``CheckpointError/kindMismatch(file:found:reader:expected:)`` naming the
    ///   file's objective and `reader`.
    func require(_ objectives: [AnomalyObjective], reader: String) throws(CheckpointError) {
        guard objectives.contains(objective) else {
            throw .kindMismatch(
                file: url.path, found: "a model of objective \"\(objective.rawValue)\" (\(objective), \(net))", reader: reader,
                expected: "objective " + objectives.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                    + " only (AnomalyPredictors.load(contentsOf:) loads a model of any objective)")
        }
    }

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
