import Explain
import Testing

@Suite("ExplainError")
struct ExplainErrorTests {
    @Test("messages name the operation, what was expected and what was found")
    func messages() {
        #expect(
            ExplainError.shapeMismatch(operation: "overlay", expected: "a map [H, W] of the image's size", found: [[3, 4], [5, 6]]).description
                == "overlay: expected a map [H, W] of the image's size, found shapes [3, 4] and [5, 6]")
        #expect(
            ExplainError.invalidArgument(operation: "quantile", message: "expected q in [0, 1], found 2").description
                == "quantile: expected q in [0, 1], found 2")
    }
}
