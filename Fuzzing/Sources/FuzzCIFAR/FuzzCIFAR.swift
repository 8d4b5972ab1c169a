import Datasets
import Foundation

// libFuzzer target: arbitrary bytes as a CIFAR-10 and a CIFAR-100 (fine and coarse) batch file.
// Any thrown error is fine; a crash, trap, sanitizer report, leak or timeout is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    for variant in CIFARVariant.allCases {
        guard let batch = try? CIFARBatchFile(parsing: bytes, variant: variant, file: "fuzz input") else { continue }
        precondition(batch.count * variant.recordByteCount == size, "records disagree with the file length")
        precondition(batch.pixels.count == batch.count * CIFARVariant.imageByteCount, "pixel count disagrees with the records")
        precondition(batch.labels.allSatisfy { (0..<variant.classCount).contains($0) }, "a label is not a class index")
    }
    return 0
}
