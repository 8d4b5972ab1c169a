import Datasets
import Foundation

// libFuzzer target: arbitrary bytes through the PNG decoder, and every image it accepts
// through the tensor conversion, the channel conversions and the PNG encoder and back.
// Any thrown error is fine; a crash, trap, sanitizer report, leak or timeout is a finding.

/// Small caps so that a header announcing a huge image is refused quickly (the defaults
/// allow 64 Mi samples, which would make every such input slow rather than wrong).
private let limits = DatasetLimits(maximumDecompressedBytes: 1 << 24, maximumImageSamples: 1 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let image = try? Image(pngData: bytes, source: "fuzz input", limits: limits) else { return 0 }
    precondition(image.pixels.count == image.width * image.height * image.channels, "pixel count disagrees with the size")
    _ = image.tensor()
    for channels in 1...4 { _ = image.converted(toChannels: channels) }
    for depth in [8, 16] {
        guard let encoded = try? image.pngData(bitDepth: depth) else { continue }
        let decoded = try? Image(pngData: encoded, source: "re-encoded fuzz input", limits: limits)
        precondition(
            decoded?.width == image.width && decoded?.height == image.height && decoded?.channels == image.channels,
            "an encoded image does not decode to its own size")
    }
    return 0
}
