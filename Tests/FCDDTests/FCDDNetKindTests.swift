import FCDD
import Testing

@Suite("FCDD net kinds")
struct FCDDNetKindTests {
    @Test("official names and designed input sizes")
    func names() {
        #expect(FCDDNetKind(rawValue: "FCDD_CNN28_W") == .cnn28Wide)
        #expect(FCDDNetKind.allCases.map(\.designedInputSize) == [28, 28, 32, 32, 32, 224, 224, 224])
        #expect(FCDDNetKind.cnn224VGGFrozen.frozenModuleIndices == 0..<15)
        #expect(FCDDNetKind.cnn224VGG.frozenModuleIndices.isEmpty)
    }
}
