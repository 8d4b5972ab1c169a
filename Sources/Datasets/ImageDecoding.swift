import CImageCodecs
import Foundation

extension ImageFormat {
    /// The C functions that read the header and decode the pixels.
    fileprivate var codec: (readInfo: CodecReadInfo, decode: CodecDecode) {
        switch self {
        case .png: (fcdd_png_read_info, fcdd_png_decode)
        case .jpeg: (fcdd_jpeg_read_info, fcdd_jpeg_decode)
        }
    }
}

/// `fcdd_png_read_info` and `fcdd_jpeg_read_info`.
private typealias CodecReadInfo =
    @convention(c) (
        UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<fcdd_image_info>?, UnsafeMutablePointer<CChar>?, Int
    ) -> fcdd_image_status

/// `fcdd_png_decode` and `fcdd_jpeg_decode`.
private typealias CodecDecode =
    @convention(c) (
        UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<Float>?, Int, UnsafeMutablePointer<CChar>?, Int
    ) -> fcdd_image_status

extension Image {
    /// Decodes the PNG or JPEG file at `url`. The format is recognised from the file's first
    /// bytes, whatever its name; a gzipped file (name ending in `.gz`, or gzip's signature) is
    /// decompressed first. `limits` caps the decompressed bytes and the image's samples
    /// (checked from its header, before the pixels are allocated).
    ///
    /// - Throws: ``DatasetError/missingFiles(directory:expected:howToObtain:)`` when there is
    ///   no such file, ``DatasetError/unreadableFile(file:reason:)`` for a directory or a
    ///   file that cannot be read, ``DatasetError/notAnImage(file:expected:found:)`` for
    ///   other formats, and the errors of ``init(pngData:source:limits:)`` and
    ///   ``init(jpegData:source:limits:)``, each naming the file, and those of
    ///   ``DatasetFile/contents(of:limits:)``.
    public init(contentsOf url: URL, limits: DatasetLimits = .default) throws(DatasetError) {
        try self.init(
            decoding: try DatasetFile.contents(of: url, limits: limits), as: ImageFormat.allCases, source: url.path, limits: limits)
    }

    /// Decodes `data`, which must start with the signature of one of `formats`: reads the
    /// header, checks the size against `limits`, reserves the decoding bytes in the
    /// process's ``DecodingBudget`` (waiting while other images use it), then lets the codec
    /// write the samples straight into the new pixel array.
    init(decoding data: Data, as formats: [ImageFormat], source: String, limits: DatasetLimits) throws(DatasetError) {
        let format = try ImageFormat.identify(data, among: formats, source: source)
        let (readInfo, decode) = format.codec
        var info = fcdd_image_info()
        try callCodec(format: format, source: source, byteCount: data.count) { message, capacity in
            data.withUnsafeBytes { bytes in
                readInfo(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &info, message, capacity)
            }
        }
        let width = Int(info.width), height = Int(info.height), channels = Int(info.channels)
        guard width >= 1, height >= 1, (1...4).contains(channels) else {
            throw .corruptImage(file: source, format: format.name, reason: "the header announces \(width) × \(height) pixels of \(channels) channels")
        }
        let (area, areaOverflows) = width.multipliedReportingOverflow(by: height)
        let (count, countOverflows) = area.multipliedReportingOverflow(by: channels)
        let maximum = limits.maximumImageSamples
        guard !areaOverflows, !countOverflows, count <= maximum else {
            let samples = areaOverflows || countOverflows ? "more than \(Int.max)" : "\(count)"
            throw .limitExceeded(
                file: source, limit: .imageSamples, maximum: maximum,
                found: "a \(format.name) header announcing \(width) × \(height) pixels of \(channels) channels (\(samples) samples)")
        }
        // The header's size is within maximumImageSamples, so this product cannot overflow.
        let pixels = try DecodingBudget.shared.withReservation(
            of: count * DatasetLimits.decodingBytesPerSample, maximum: limits.maximumDecodingBytes, file: source,
            describing: "a \(format.name) image of \(width) × \(height) pixels of \(channels) channels"
        ) { () throws(DatasetError) -> [Float] in
            var pixels: [Float] = []
            try callCodec(format: format, source: source, byteCount: data.count) { message, capacity in
                var status: fcdd_image_status = .ok
                pixels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    status = data.withUnsafeBytes { bytes in
                        decode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, buffer.baseAddress, count, message, capacity)
                    }
                    initialized = status == .ok ? count : 0
                }
                return status
            }
            return pixels
        }
        self.init(validatedWidth: width, height: height, channels: channels, pixels: pixels)
    }
}

/// Runs a codec call with a buffer for its message and turns a failed status into the
/// matching ``DatasetError``, naming `source`.
private func callCodec(
    format: ImageFormat, source: String, byteCount: Int,
    _ body: (UnsafeMutablePointer<CChar>?, Int) -> fcdd_image_status
) throws(DatasetError) {
    let (status, reason) = withCodecMessage(body)
    switch status {
    case .ok:
        return
    case .truncated:
        throw .truncatedImage(file: source, format: format.name, foundBytes: byteCount)
    case .unsupported:
        throw .unsupportedImage(file: source, format: format.name, reason: reason)
    case .noMemory:
        throw .unsupportedImage(file: source, format: format.name, reason: "not enough memory to decode it (\(reason))")
    case .corrupt:
        throw .corruptImage(file: source, format: format.name, reason: reason)
    }
}

/// Calls `body` with a zeroed buffer and its capacity, for a codec function to write its
/// NUL-terminated message into; returns the codec's status and the message.
func withCodecMessage(
    _ body: (UnsafeMutablePointer<CChar>?, Int) -> fcdd_image_status
) -> (status: fcdd_image_status, message: String) {
    var buffer = [CChar](repeating: 0, count: 512)
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress, $0.count) }
    return (status, String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}
