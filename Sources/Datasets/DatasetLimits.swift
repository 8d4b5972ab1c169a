import TensorCore

/// Caps on the memory that reading one dataset file may take, so that a small damaged or
/// hostile file (a gzip "bomb", a PNG header announcing 100000 × 100000 pixels) is refused
/// with a ``DatasetError`` instead of exhausting memory.
///
/// A file's own header or trailer never decides how much is allocated: gzip output grows as
/// it is inflated and stops at ``maximumDecompressedBytes``; an image's size is checked
/// against ``maximumImageSamples`` from its header, before its pixels are allocated.
///
/// Images decoded at the same time (the parallel decoders of a ``DataLoader`` or of
/// ``DecodedImageCache``, on as many threads as the machine has) share one budget,
/// ``maximumDecodingBytes``: a decoder waits until the images being decoded leave room for
/// its own, so that many cores cannot multiply the peak.
///
/// The defaults fit a 24 GiB machine: 1 GiB of decompressed bytes per file (Fashion-MNIST's
/// largest file is 47 MB), 64 Mi samples per image (256 MiB of floats; an 8192 × 8192 grey
/// image, or 4096 × 4096 RGBA; MVTec-AD's largest images are 1024 × 1024 × 3, 3 Mi samples)
/// and 4 GiB for all images being decoded at once (ten of the largest images allowed).
///
/// Readers take the limits as a parameter (``Gzip/decompress(_:file:limits:)``,
/// ``DatasetFile/contents(of:limits:)``, ``Image/init(contentsOf:limits:)``, ...) that
/// defaults to the process-wide ``default``; the datasets read their files with
/// ``default``. To read larger files, raise the default at start-up:
///
/// ```swift
/// var limits = DatasetLimits.default
/// limits.maximumImageSamples = 256 << 20      // 16384 × 16384 grey images
/// DatasetLimits.setDefault(limits)
/// ```
public struct DatasetLimits: Sendable, Hashable {
    /// The default of ``maximumDecompressedBytes``: 1 GiB.
    public static let standardMaximumDecompressedBytes = 1 << 30
    /// The default of ``maximumImageSamples``: 64 Mi (2²⁶) samples, 256 MiB as floats.
    public static let standardMaximumImageSamples = 1 << 26
    /// The default of ``maximumDecodingBytes``: 4 GiB.
    public static let standardMaximumDecodingBytes = 1 << 32
    /// The bytes one sample takes while its image is decoded: 4 for the float pixel, up to
    /// 2 for the codec's row buffers (16-bit PNG rows, interlaced PNG images held whole).
    public static let decodingBytesPerSample = 6

    /// The most bytes a gzip (or zlib) file may inflate to (at least 0; negative values
    /// become 0). A file that inflates to more is refused with
    /// ``DatasetError/limitExceeded(file:limit:maximum:found:)``.
    public var maximumDecompressedBytes: Int {
        get { decompressedBytes }
        set { decompressedBytes = max(0, newValue) }
    }

    /// The most samples (`width × height × channels`) a decoded PNG or JPEG image may hold
    /// (at least 1; smaller values become 1). Checked from the image's header, before its
    /// pixels are allocated; a larger image is refused with
    /// ``DatasetError/limitExceeded(file:limit:maximum:found:)``.
    public var maximumImageSamples: Int {
        get { imageSamples }
        set { imageSamples = max(1, newValue) }
    }

    /// The most bytes all images being decoded at the same time in this process may take
    /// (at least 1; smaller values become 1), counted as
    /// ``decodingBytesPerSample`` bytes per sample from each image's header. A decoder
    /// whose image does not fit beside the ones in progress waits for them; an image that
    /// alone needs more is refused with
    /// ``DatasetError/limitExceeded(file:limit:maximum:found:)``.
    public var maximumDecodingBytes: Int {
        get { decodingBytes }
        set { decodingBytes = max(1, newValue) }
    }

    private var decompressedBytes: Int
    private var imageSamples: Int
    private var decodingBytes: Int

    /// Limits with the given values; see the properties. The defaults are
    /// ``standardMaximumDecompressedBytes``, ``standardMaximumImageSamples`` and
    /// ``standardMaximumDecodingBytes``.
    public init(
        maximumDecompressedBytes: Int = DatasetLimits.standardMaximumDecompressedBytes,
        maximumImageSamples: Int = DatasetLimits.standardMaximumImageSamples,
        maximumDecodingBytes: Int = DatasetLimits.standardMaximumDecodingBytes
    ) {
        decompressedBytes = max(0, maximumDecompressedBytes)
        imageSamples = max(1, maximumImageSamples)
        decodingBytes = max(1, maximumDecodingBytes)
    }

    /// The limits in effect where none are passed: the standard ones unless
    /// ``setDefault(_:)`` replaced them.
    public static var `default`: DatasetLimits { processDefault.withLock { $0 } }

    /// Replaces ``default`` for the whole process. Call it at start-up (a command-line
    /// option that raises a limit); readers already running keep the limits they started
    /// with.
    public static func setDefault(_ limits: DatasetLimits) {
        processDefault.withLock { $0 = limits }
    }
}

/// Which limit of ``DatasetLimits`` a file exceeds.
public enum DatasetLimit: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ``DatasetLimits/maximumDecompressedBytes``.
    case decompressedBytes
    /// ``DatasetLimits/maximumImageSamples``.
    case imageSamples
    /// ``DatasetLimits/maximumDecodingBytes``.
    case decodingBytes

    /// The property's name: `maximumDecompressedBytes`, `maximumImageSamples` or
    /// `maximumDecodingBytes`.
    public var description: String {
        switch self {
        case .decompressedBytes: "maximumDecompressedBytes"
        case .imageSamples: "maximumImageSamples"
        case .decodingBytes: "maximumDecodingBytes"
        }
    }
}

private let processDefault = Locked(DatasetLimits())
