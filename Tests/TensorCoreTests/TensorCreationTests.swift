import TensorCore
import Testing

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

    @Test func checkedScalarsMustFillTheShape() throws {
        #expect(throws: TensorError.invalidArgument(op: "Tensor(shape:scalars:)", message: "expected 6 scalars for shape [2, 3], found 5")) {
            _ = try Tensor(checkedShape: [2, 3], scalars: [1, 2, 3, 4, 5])
        }
        #expect(throws: TensorError.invalidArgument(op: "Tensor(shape:scalars:)", message: "dimensions must be non-negative, found [-1, -2]")) {
            _ = try Tensor(checkedShape: [-1, -2], scalars: [1, 2])
        }
        let checked = try Tensor(checkedShape: [2, 1], scalars: [3, 4])
        #expect(checked.shape == [2, 1] && checked.scalars == [3, 4])
    }
}
