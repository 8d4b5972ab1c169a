import Datasets
import Foundation

// libFuzzer target: arbitrary bytes as an IDX file, and through the gzip (and zlib)
// inflater and then as an IDX file, as DatasetFile.contents(of:limits:) reads a `.gz` file.
// Any thrown error is fine; a crash, trap, sanitizer report, leak or timeout is a finding.

/// A 16 MiB output cap: a bomb must be refused with a typed error, fast.
private let limits = DatasetLimits(maximumDecompressedBytes: 1 << 24, maximumImageSamples: 1 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    check(try? IDXFile(parsing: bytes, file: "fuzz input"))
    if let inflated = try? Gzip.decompress(bytes, file: "fuzz input", limits: limits) {
        precondition(inflated.count <= limits.maximumDecompressedBytes, "inflated past the limit")
        check(try? IDXFile(parsing: inflated, file: "inflated fuzz input"))
    }
    return 0
}

/// The invariants of a parsed file, and its encoding parses back to it.
private func check(_ file: IDXFile?) {
    guard let file else { return }
    precondition(file.bytes.count == file.dimensions.reduce(1, *), "element count disagrees with the dimensions")
    let again = try? IDXFile(parsing: file.encoded(), file: "re-encoded fuzz input")
    precondition(again?.dimensions == file.dimensions && again?.bytes == file.bytes, "an encoded IDX file does not parse back")
}
