import Foundation
import NN

// libFuzzer target: arbitrary bytes as a safetensors file; every file it accepts is
// serialized and parsed back.
// Any thrown error is fine; a crash, trap, sanitizer report, leak or timeout is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let file = try? SafeTensors(bytes: bytes, source: "fuzz input") else { return 0 }
    // serialized() requires that no tensor is named __metadata__; the parser must not let one through.
    precondition(file.tensors["__metadata__"] == nil, "a tensor named __metadata__ was accepted")
    let again = try? SafeTensors(bytes: file.serialized(), source: "re-serialized fuzz input")
    precondition(again?.metadata == file.metadata, "metadata does not survive serialization")
    precondition(again?.tensors.keys.sorted() == file.tensors.keys.sorted(), "tensor names do not survive serialization")
    for (name, tensor) in file.tensors {
        precondition(again?.tensors[name]?.shape == tensor.shape, "a shape does not survive serialization")
    }
    return 0
}
