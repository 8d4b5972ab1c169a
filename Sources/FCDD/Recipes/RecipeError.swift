import TensorCore

/// Why a ``Recipe`` cannot build its net, objective or training.
public enum RecipeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reference pairs no baseline of the objective with the FCDD net.
    case noPairedBaseline(objective: ReferenceObjective, net: FCDDNetKind, nets: [FCDDNetKind])
    /// The net cannot take the recipe's input size.
    case inputSize(net: String, expected: String, found: Size2D)
    /// An ImageNet backbone was given for a net without VGG or for another channel count.
    case backbone(net: String, channels: Int)
    /// A baseline needs VGG11-BN's classifier as well as its features, and the backbone file has none.
    case backboneWithoutClassifier(net: String, file: String)
    /// The recipe needs real anomalies and the data has none.
    case noRealAnomalies(data: String)
    /// A field of the recipe or of its run options is out of range.
    case invalidValue(field: String, expected: String, found: String)
    /// A training image, after the recipe's transforms, is not of the net's input shape.
    case trainingImageShape(sample: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .noPairedBaseline(objective, net, nets):
            "the reference pairs no \(objective) baseline with \(net); choose the net from \(nets.map(\.rawValue).joined(separator: ", ")) (the 28×28 and 32×32 nets need an image size of 28 or 32 for MVTec-AD and folders)"
        case let .inputSize(net, expected, found):
            "\(net) takes \(expected), found an input size of \(found.height)×\(found.width)"
        case let .backbone(net, channels):
            "the ImageNet backbone loads into a VGG net with 3 input channels; found \(net) with \(channels) (give folders of grey images 3 channels)"
        case let .backboneWithoutClassifier(net, file):
            "\(net) needs VGG11-BN's classifier as well as its features, and \(file) has no classifier: convert it with Scripts/convert_vgg11_bn.py --classifier"
        case let .noRealAnomalies(data):
            "the recipe trains on real anomalies and \(data) has none; load the data with supervised anomalies"
        case let .invalidValue(field, expected, found):
            "\(field) must be \(expected), found \(found)"
        case let .trainingImageShape(sample, expected, found):
            "\(sample): the net takes training images of shape \(expected) after the recipe's transforms, found \(found); set the recipe's channels and input size to the data's, or pre-resize the images"
        }
    }
}
