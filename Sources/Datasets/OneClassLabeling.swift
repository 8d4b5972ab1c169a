/// Which label a ``OneClassView`` gives nominal samples and which it gives anomalous ones.
///
/// FCDD's convention (its `--nominal-label`, default 0) is ``nominalZero``: the normal
/// class(es) get 0 and everything else 1, and scores rank label 1 as the positive class of
/// the ROC, so a higher anomaly score should mean "more anomalous". FCDD's Pascal VOC
/// "Clever Hans" experiment swaps them (``nominalOne``). Only these two exist: the labels
/// are always 0 and 1, so that they index ``OneClassView/classNames``.
public enum OneClassLabeling: String, Sendable, CaseIterable {
    /// Nominal samples are 0, anomalous samples 1: FCDD's default.
    case nominalZero
    /// Nominal samples are 1, anomalous samples 0: FCDD with `--nominal-label 1`.
    case nominalOne

    /// FCDD's default convention, ``nominalZero``.
    public static let fcdd = OneClassLabeling.nominalZero

    /// The label of nominal samples (those of a normal class).
    public var nominalLabel: Int { self == .nominalZero ? 0 : 1 }

    /// The label of anomalous samples (those of every other class): `1 - nominalLabel`.
    public var anomalousLabel: Int { 1 - nominalLabel }

    /// The two class names, indexed by label: `["nominal", "anomalous"]` for
    /// ``nominalZero``, the other way round for ``nominalOne``.
    public var classNames: [String] { self == .nominalZero ? ["nominal", "anomalous"] : ["anomalous", "nominal"] }
}
