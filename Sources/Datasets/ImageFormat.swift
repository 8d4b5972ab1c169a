import Foundation

/// An image file format that ``Image`` decodes, recognised by its signature (the first
/// bytes of every file of the format), never by a file name.
enum ImageFormat: CaseIterable {
    case png
    case jpeg

    /// The format's name in messages.
    var name: String {
        switch self {
        case .png: "PNG"
        case .jpeg: "JPEG"
        }
    }

    /// The bytes every file of the format starts with: the 8-byte PNG signature, or a JPEG's
    /// start-of-image marker followed by the first byte of the next marker.
    var signature: [UInt8] {
        switch self {
        case .png: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        case .jpeg: [0xFF, 0xD8, 0xFF]
        }
    }

    /// The signature as it appears in messages, e.g. `the PNG signature 89 50 4E 47 0D 0A 1A 0A`.
    var signatureDescription: String {
        let hex = signature.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }
        return "the \(name) signature \(hex.joined(separator: " "))"
    }

    /// The one of `formats` whose signature starts `data`.
    ///
    /// - Throws: ``DatasetError/truncatedImage(file:format:foundBytes:)`` when `data` is a
    ///   non-empty, proper prefix of a signature (a file cut inside it), otherwise
    ///   ``DatasetError/notAnImage(file:expected:found:)`` naming the signatures and
    ///   `data`'s first bytes.
    static func identify(_ data: Data, among formats: [ImageFormat], source: String) throws(DatasetError) -> ImageFormat {
        if let format = formats.first(where: { data.starts(with: $0.signature) }) { return format }
        if !data.isEmpty, let format = formats.first(where: { $0.signature.starts(with: data) }) {
            throw .truncatedImage(file: source, format: format.name, foundBytes: data.count)
        }
        throw .notAnImage(
            file: source, expected: formats.map(\.signatureDescription).joined(separator: " or "),
            found: Array(data.prefix(8)))
    }
}
