import Datasets
import Explain
import NN
import TensorCore

/// A net together with the objective that trains it: what ``AnomalyTrainer`` needs to turn
/// a group of loader batches into a loss, so that one training loop serves every objective.
enum TrainingModel {
    /// An FCDD net; with an up-sampler, groups whose batches all carry masks use the
    /// pixel-wise loss on the up-sampled map, the others the sample-level loss.
    case fcdd(any Module, name: String, upsampler: ReceptiveFieldUpsampler?)
    /// An HSC net with the labelled ``HSCLoss``.
    case hsc(any BaselineNet)
    /// An autoencoder with the MSE of ``AutoencoderLoss``; nominal samples only.
    case autoencoder(any BaselineNet)

    /// The net being trained.
    var module: any Module {
        switch self {
        case let .fcdd(net, _, _): net
        case let .hsc(net), let .autoencoder(net): net
        }
    }

    /// The objective.
    var objective: AnomalyObjective {
        switch self {
        case .fcdd: .fcdd
        case .hsc: .hsc
        case .autoencoder: .ae
        }
    }

    /// The net's official name, recorded in checkpoints.
    var netName: String {
        switch self {
        case let .fcdd(_, name, _): name
        case let .hsc(net), let .autoencoder(net): net.kind.rawValue
        }
    }

    /// The training loss of one forward pass over the concatenated batches of `group`, with
    /// the per-sample anomaly scores (not recorded for differentiation). Masks are used by
    /// the FCDD pixel-wise loss only.
    ///
    /// - Throws: ``FCDDTrainingError/anomaliesRefused(objective:epoch:batch:count:)`` for
    ///   the autoencoder given a sample labelled anomalous (before the forward pass); the
    ///   errors of the net, the losses and the up-sampling otherwise.
    func loss(for group: [Batch], epoch: Int, step: Int) throws -> (loss: Tensor, scores: [Float]) {
        let labels = group.flatMap(\.labels)
        let images = group.count == 1 ? group[0].images : try Tensor.concatenate(group.map(\.images))
        switch self {
        case let .fcdd(net, _, upsampler):
            let phi = try net(images)
            let loss: Tensor
            if let upsampler, group.allSatisfy({ $0.masks != nil }) {
                let masks = group.count == 1 ? group[0].masks! : try Tensor.concatenate(group.map { $0.masks! })
                loss = try FCDDLoss.pixelWise(upsampledMap: upsampler.upsample(FCDDLoss.anomalyMap(phi)), masks: masks)
            } else {
                loss = try FCDDLoss.sampleLevel(phi: phi, labels: labels)
            }
            return (loss, try Self.detachedScores { () throws(TensorError) in try FCDDLoss.scores(phi.detached()) })
        case let .hsc(net):
            let features = try net(images)
            let loss = try HSCLoss.loss(features: features, labels: labels)
            return (loss, try Self.detachedScores { () throws(TensorError) in try HSCLoss.scores(features.detached()) })
        case let .autoencoder(net):
            let anomalies = labels.count(where: { $0 != 0 })
            guard anomalies == 0 else { throw FCDDTrainingError.anomaliesRefused(objective: .ae, epoch: epoch, batch: step, count: anomalies) }
            let inputs = images.detached()
            let reconstruction = try net(inputs)
            let loss = try AutoencoderLoss.loss(reconstruction: reconstruction, inputs: inputs)
            return (loss, try Self.detachedScores { () throws(TensorError) in
                try AutoencoderLoss.scores(reconstruction: reconstruction.detached(), inputs: inputs)
            })
        }
    }

    private static func detachedScores(_ scores: () throws(TensorError) -> Tensor) throws(TensorError) -> [Float] {
        try withoutGradients { () throws(TensorError) -> [Float] in try scores().scalars }
    }
}
