import Testing
import TensorCore

@Suite struct TensorCreationTests {
    @Test func initializingWithWritesStraightIntoStorage() throws {
        let tensor = Tensor(shape: [2, 3]) { buffer in
            #expect(buffer.count == 6)
            for index in buffer.indices { buffer[index] = Float(index) * 0.5 }
        }
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(!tensor.isTrackingGradients)
    }

    @Test func initializingWithRejectsNegativeDimensions() {
        #expect(throws: TensorError.self) {
            _ = try Tensor(shape: [2, -1]) { _ in Issue.record("body must not run for an invalid shape") }
        }
    }

    @Test func scalarsMustFillTheShape() {
        #expect(throws: TensorError.shapeMismatch(op: "Tensor(shape:scalars:)", expected: "6 scalars for shape [2, 3]", found: [[5]])) {
            _ = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5])
        }
    }
}
