import CImageCodecs
import Foundation
import TensorCore

extension Image {
    /// Decodes a PNG: 1, 2, 4, 8 or 16 bits per sample; grey, grey and alpha, RGB, RGBA or
    /// palette colour; interlaced (Adam7) or not. Palette images become RGB, or RGBA when
    /// they have a transparency (tRNS) chunk, as do grey and RGB images with one; grey
    /// images of fewer than 8 bits are scaled to 8 bits. Samples are taken as stored, with
    /// no gamma or colour-profile correction (as PIL and most training pipelines read them),
    /// and 16-bit samples keep their precision (`v / 65535`). The whole file is checked, up
    /// to its IEND chunk.
    ///
    /// - Parameters:
    ///   - data: The PNG file's bytes.
    ///   - source: Names the data in errors, such as the file's path.
    ///   - limits: The caps; ``DatasetLimits/maximumImageSamples`` bounds the image's size.
    /// - Throws: ``DatasetError/notAnImage(file:expected:found:)`` when `data` does not start
    ///   with the PNG signature, ``DatasetError/truncatedImage(file:format:foundBytes:)``
    ///   when it ends early, ``DatasetError/corruptImage(file:format:reason:)`` with libpng's
    ///   message when it is damaged (a bad CRC, invalid compressed data, ...), and
    ///   ``DatasetError/limitExceeded(file:limit:maximum:found:)`` when its header announces
    ///   more than `limits.maximumImageSamples` samples (checked before anything is
    ///   allocated).
    public init(pngData data: Data, source: String = "<PNG in memory>", limits: DatasetLimits = .default) throws(DatasetError) {
        try self.init(decoding: data, as: [.png], source: source, limits: limits)
    }

    /// The image encoded as a PNG of `bitDepth` bits per sample (8 or 16), non-interlaced, of
    /// the image's colour type (grey, grey and alpha, RGB or RGBA), with no other chunks.
    /// Each value is clamped to `[0, 1]` (NaN becomes 0) and rounded to the nearest of 256
    /// or 65536 levels, so an image decoded from a PNG of the same bit depth encodes to the
    /// same samples.
    ///
    /// - Throws: ``DatasetError/unsupportedImage(file:format:reason:)`` when `bitDepth` is
    ///   not 8 or 16, and ``DatasetError/fileOperationFailed(file:operation:reason:)`` with
    ///   libpng's message when encoding fails (such as for lack of memory).
    public func pngData(bitDepth: Int = 8) throws(DatasetError) -> Data {
        try encodedPNG(bitDepth: bitDepth, destination: "<PNG in memory>")
    }

    /// Writes the image as a PNG file (see ``pngData(bitDepth:)``) atomically, through
    /// `AtomicFile`: readers of `url` see the old file or the complete new one, never part
    /// of it. Use it for heatmaps and other images that later runs read back.
    ///
    /// - Throws: the errors of ``pngData(bitDepth:)``, and
    ///   ``DatasetError/fileOperationFailed(file:operation:reason:)`` when the file cannot
    ///   be written (its directory is missing or read-only, the disk is full, ...).
    public func writePNG(to url: URL, bitDepth: Int = 8) throws(DatasetError) {
        let data = try encodedPNG(bitDepth: bitDepth, destination: url.path)
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw .fileOperationFailed(file: url.path, operation: "write the PNG", reason: "\(error.operation) failed: \(error.reason)")
        }
    }

    /// Encodes with libpng; `destination` names the result in errors.
    private func encodedPNG(bitDepth: Int, destination: String) throws(DatasetError) -> Data {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw .unsupportedImage(file: destination, format: "PNG", reason: "bit depth \(bitDepth); expected 8 or 16")
        }
        var png: UnsafeMutablePointer<UInt8>?
        var size = 0
        let (status, message) = withCodecMessage { text, capacity in
            pixels.withUnsafeBufferPointer { samples in
                fcdd_png_encode(
                    samples.baseAddress, UInt32(width), UInt32(height), UInt32(channels), UInt32(bitDepth),
                    &png, &size, text, capacity)
            }
        }
        guard status == .ok, let png else {
            throw .fileOperationFailed(file: destination, operation: "encode the PNG", reason: message)
        }
        return Data(bytesNoCopy: png, count: size, deallocator: .free)
    }
}
