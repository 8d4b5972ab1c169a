import ArgumentParser
import Datasets

/// The caps on what reading a data set may allocate (`DatasetLimits`), raised or lowered from
/// the command line; shared by every `fcdd` command that reads images.
struct LimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The most bytes one gzip or zlib file may inflate to (default 1GiB). A number of bytes, or with KiB, MiB or GiB.",
            valueName: "size"))
    var maxDecompressed: ByteCount?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The most samples (width × height × channels) one image may hold (default 67108864, e.g. 8192 × 8192 grey).",
            valueName: "samples"))
    var maxImageSamples: Int?

    @Option(
        help: ArgumentHelp(
            "The most bytes all images decoded at the same time may take, 6 bytes a sample (default 4GiB).", valueName: "size"))
    var maxDecoding: ByteCount?

    func validate() throws {
        if let maxImageSamples, maxImageSamples < 1 {
            throw ValidationError("--max-image-samples must be at least 1, found \(maxImageSamples).")
        }
        if let maxDecoding, maxDecoding.bytes < 1 {
            throw ValidationError("--max-decoding must be at least 1 byte, found \(maxDecoding.bytes).")
        }
    }

    /// Makes these limits the process's `DatasetLimits.default`; call it before reading.
    func apply() {
        var limits = DatasetLimits.default
        if let maxDecompressed { limits.maximumDecompressedBytes = maxDecompressed.bytes }
        if let maxImageSamples { limits.maximumImageSamples = maxImageSamples }
        if let maxDecoding { limits.maximumDecodingBytes = maxDecoding.bytes }
        DatasetLimits.setDefault(limits)
    }
}

/// A number of bytes written as `1048576`, `512KiB`, `64MiB` or `2GiB` (binary units; `K`,
/// `M`, `G` and the `B`-less forms too).
struct ByteCount: ExpressibleByArgument {
    /// The bytes.
    let bytes: Int

    init?(argument: String) {
        let units: [(suffixes: [String], scale: Int)] = [
            (["GiB", "GB", "G"], 1 << 30), (["MiB", "MB", "M"], 1 << 20), (["KiB", "KB", "K"], 1 << 10), (["B", ""], 1),
        ]
        for (suffixes, scale) in units {
            for suffix in suffixes where argument.hasSuffix(suffix) {
                guard let count = Int(argument.dropLast(suffix.count)), count >= 0 else { continue }
                let (bytes, overflow) = count.multipliedReportingOverflow(by: scale)
                guard !overflow else { return nil }
                self.bytes = bytes
                return
            }
        }
        return nil
    }
}
