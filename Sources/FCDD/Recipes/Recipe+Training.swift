import Datasets
import Explain
import Foundation
import NN
import TensorCore

extension Recipe {
    /// The net that trains: the FCDD net for FCDD, the paired baseline net otherwise.
    ///
    /// - Throws: ``RecipeError/noPairedBaseline(objective:net:nets:)`` when the reference pairs
    ///   no baseline with ``net``.
    public var baselineNet: BaselineNetKind? {
        get throws(RecipeError) {
            let paired: BaselineNetKind? =
                switch objective {
                case .fcdd: nil
                case .hsc: BaselineNetKind.hsc(pairedWith: net)
                case .ae: BaselineNetKind.autoencoder(pairedWith: net)
                }
            guard objective == .fcdd || paired != nil else {
                throw .noPairedBaseline(objective: objective, net: net, nets: FCDDNetKind.allCases.filter { BaselineNetKind.hsc(pairedWith: $0) != nil })
            }
            return paired
        }
    }

    /// The name of the net that trains (`FCDD_CNN28_W`, `CNN28_W`, `AE28`).
    public var netName: String {
        get throws(RecipeError) { try baselineNet?.rawValue ?? net.rawValue }
    }

    /// A fresh net (seeded with the training seed) for the recipe's input size and channels,
    /// with the ImageNet backbone loaded when ``backbone`` is set.
    ///
    /// - Throws: ``RecipeError`` for a net that cannot take the input size, no paired
    ///   baseline, a backbone for a net without VGG, or a channel count outside 1…4096;
    ///   `CheckpointError` for a backbone file that does not fit.
    public func makeNet() throws -> any Module {
        try Self.check("channels", channels, in: AnomalyPredictor.Limits.inputChannels)
        var generator = SeededGenerator(seed: training.seed)
        if let kind = try baselineNet {
            guard Size2D(kind.designedInputSize, kind.designedInputSize) == inputSize else {
                throw RecipeError.inputSize(net: kind.rawValue, expected: "\(kind.designedInputSize)×\(kind.designedInputSize) images", found: inputSize)
            }
            let model = kind.makeNet(inputChannels: channels, using: &generator)
            if let backbone {
                guard kind.isVGG, channels == 3 else { throw RecipeError.backbone(net: kind.rawValue, channels: channels) }
                do {
                    try model.loadBackbone(from: backbone)
                } catch {
                    guard case let .stateDict(_, mismatch) = error, mismatch.report.missingKeys.contains(where: { $0.contains("classifier.") }) else {
                        throw error
                    }
                    throw RecipeError.backboneWithoutClassifier(net: kind.rawValue, file: backbone.path)
                }
            }
            return model
        }
        let model = net.makeNet(inputChannels: channels, using: &generator)
        do {
            _ = try model.spatialGeometry(forInput: inputSize)
        } catch {
            throw RecipeError.inputSize(net: net.rawValue, expected: "inputs its layers fit (\(error))", found: inputSize)
        }
        if let backbone {
            guard let vgg = model as? FCDDCNN224VGG, channels == 3 else { throw RecipeError.backbone(net: net.rawValue, channels: channels) }
            try vgg.loadBackbone(from: backbone)
        }
        return model
    }

    /// The objective: FCDD with σ and the pixel-wise loss, or the baseline with its heatmap
    /// blur (the paired FCDD net's receptive field, σ) and, for HSC, ``gradientMethod``.
    ///
    /// - Throws: `ExplainError` for a σ that is not positive, or a net whose receptive field
    ///   cannot be computed.
    public func makeObjective() throws(ExplainError) -> any AnomalyObjective {
        switch objective {
        case .fcdd: FCDDObjective(sigma: sigma, pixelWiseLoss: pixelWiseLoss)
        case .hsc: HSCObjective(gradientMethod: gradientMethod, blur: try GaussianBlur.reference(pairedWith: net, sigma: sigma))
        case .ae: AutoencoderObjective(blur: try GaussianBlur.reference(pairedWith: net, sigma: sigma))
        }
    }

    /// The training transform for `data`: the pre-resize, the anomalies (none for an
    /// objective that trains on nominal images only), the augmentation and the preprocessing.
    ///
    /// - Throws: `DatasetError` for an empty outlier set, and
    ///   ``RecipeError/noRealAnomalies(data:)`` when real anomalies are asked for and `data` has none.
    public func trainingTransform(for data: OneClassData) throws -> any SampleTransform {
        let preResize = try preResize.map { size throws(DatasetError) in try Resize(height: size.height, width: size.width) }
        var transforms: [any SampleTransform] = preResize.map { [$0] } ?? []
        if objective != .ae {
            switch anomalies {
            case .none:
                break
            case let .synthetic(mode, .noiseImage):
                transforms.append(try AnomalyInjection(.noise(mode)))
            case let .synthetic(mode, .onNominalImage):
                transforms.append(try AnomalyInjection(.malformedNormal(mode, groundTruth: false)))
            case let .outlierExposure(outliers, limit):
                transforms.append(try AnomalyInjection.outlierExposure(outliers, preprocessing: outlierPreprocessing, limit: limit, seed: training.seed))
            case .realAnomalies:
                guard let real = data.realAnomalies else { throw RecipeError.noRealAnomalies(data: data.description) }
                transforms.append(try AnomalyInjection(.realAnomalies(real, preprocessing: preResize)))
            }
        }
        return Compose(transforms + augmentation + [try preprocessing.transform()])
    }

    /// A predictor of a trained `net` with this recipe's objective and preprocessing.
    ///
    /// - Throws: as ``makeObjective()``.
    public func makePredictor(net: any Module) throws(ExplainError) -> AnomalyPredictor {
        AnomalyPredictor(
            net: net, objective: try makeObjective(), preprocessing: preprocessing, inputSize: inputSize,
            inputChannels: channels)
    }
}
