import Datasets
import Foundation

// libFuzzer target: arbitrary bytes through the JPEG decoder, and every image it accepts
// through the tensor conversion and the channel conversions.
// Any thrown error is fine; a crash, trap, sanitizer report, leak or timeout is a finding.

/// Small caps so that a header announcing a huge image is refused quickly.
private let limits = DatasetLimits(maximumDecompressedBytes: 1 << 24, maximumImageSamples: 1 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let image = try? Image(jpegData: bytes, source: "fuzz input", limits: limits) else { return 0 }
    precondition(image.pixels.count == image.width * image.height * image.channels, "pixel count disagrees with the size")
    _ = image.tensor()
    for channels in 1...4 { _ = image.converted(toChannels: channels) }
    return 0
}
