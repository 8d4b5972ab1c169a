import ArgumentParser
import Foundation
import TensorCore

/// The compute settings of a command: `--threads`, else `OPENBLAS_NUM_THREADS`, and
/// `FCDD_CONVOLUTION` and `FCDD_INSTRUCTION_SET` (see `ComputeSettings(environment:)`). Shared
/// by every `fcdd` command.
struct ComputeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Compute threads for the kernels (default: OPENBLAS_NUM_THREADS, else the number of cores).")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...ComputeSettings.maximumThreads).contains(threads) {
            throw ValidationError("--threads must be in 1...\(ComputeSettings.maximumThreads), found \(threads).")
        }
    }

    /// Runs `body` under the settings these options and the environment name.
    func run<Value>(_ body: () throws -> Value) throws -> Value {
        var settings = try ComputeSettings(environment: ProcessInfo.processInfo.environment)
        if let threads { settings.threads = threads }
        return try ComputeSettings.withSettings(settings, operation: body)
    }
}
