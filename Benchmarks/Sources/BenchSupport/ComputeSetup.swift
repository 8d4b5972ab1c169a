import Foundation
import TensorCore

/// Makes the environment's compute settings (`FCDD_CONVOLUTION`, `FCDD_INSTRUCTION_SET`,
/// `OPENBLAS_NUM_THREADS`; see `ComputeSettings(environment:)`) the process default, with
/// `threads` instead of the environment's thread count when given: every benchmark's start-up,
/// and its switch between the thread counts it measures.
public func useComputeSettings(threads: Int? = nil) throws(TensorError) {
    var settings = try ComputeSettings(environment: ProcessInfo.processInfo.environment)
    if let threads { settings.threads = threads }
    ComputeSettings.setDefault(settings)
}
