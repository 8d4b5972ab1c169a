import FixtureSupport
import TensorCore

// Misused elementwise, shape, joining, reduction, gradient and creation operations: each
// stops with a message naming the operation and the shapes it found (see Support/Misuse.swift).

extension Misuse {
    static let core: [Misuse] = [
        Misuse("add: [2, 3] and [4]", message: "add: expected shapes that broadcast", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]).trackingGradients() + Tensor.zeros(shape: [4])
        },
        Misuse("subtract: [2, 3] and [4]", message: "subtract: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]) - Tensor.zeros(shape: [4])
        },
        Misuse("multiply: [4] and [2, 3]", message: "multiply: ", "found shapes [4] and [2, 3]") {
            _ = Tensor.zeros(shape: [4]) * Tensor.zeros(shape: [2, 3])
        },
        Misuse("divide: [2, 3] and [4]", message: "divide: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]) / Tensor.zeros(shape: [4])
        },
        Misuse("pow: [2, 3] and [4]", message: "pow: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]).pow(Tensor.zeros(shape: [4]))
        },
        Misuse("maximum: [2, 3] and [4]", message: "maximum: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]).maximum(Tensor.zeros(shape: [4]))
        },
        Misuse("minimum: [2, 3] and [4]", message: "minimum: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]).minimum(Tensor.zeros(shape: [4]))
        },
        Misuse("isGreater: [2, 3] and [4]", message: "isGreater: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.zeros(shape: [2, 3]).isGreater(than: Tensor.zeros(shape: [4]))
        },
        Misuse("where: condition [2, 3], [2, 3] and [4]", message: "where: ", "[2, 3] and [2, 3] and [4]") {
            let a = Tensor.zeros(shape: [2, 3])
            _ = Tensor.where(a, a, Tensor.zeros(shape: [4]))
        },
        Misuse("matmul: inner sizes 3 and 2", message: "matmul: ", "found shapes [2, 3] and [2, 3]") {
            let a = Tensor.zeros(shape: [2, 3])
            _ = Tensor.matmul(a, a)
        },
        Misuse("matmul: a vector", message: "matmul: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.matmul(Tensor.zeros(shape: [2, 3]), Tensor.zeros(shape: [4]))
        },
        Misuse("matmul: batch sizes that do not broadcast", message: "matmul: ", "found shapes [2, 3, 4] and [3, 4, 5]") {
            _ = Tensor.matmul(Tensor.zeros(shape: [2, 3, 4]), Tensor.zeros(shape: [3, 4, 5]))
        },
        Misuse("linear: 4 input features for a weight of 3", message: "linear: ", "[2, 4]") {
            _ = Tensor.linear(Tensor.zeros(shape: [2, 4]), weight: Tensor.zeros(shape: [4, 3]))
        },
        Misuse("linear: bias of 3 for 4 outputs", message: "linear: ", "[3]") {
            _ = Tensor.linear(Tensor.zeros(shape: [2, 3]), weight: Tensor.zeros(shape: [4, 3]), bias: Tensor.zeros(shape: [3]))
        },
        Misuse("concatenate: ranks differ", message: "concatenate: ", "found shapes [2, 3] and [4]") {
            _ = Tensor.concatenate([Tensor.zeros(shape: [2, 3]), Tensor.zeros(shape: [4])])
        },
        Misuse("concatenate: rows differ along axis 1", message: "concatenate: ", "found shapes [2, 3] and [3, 3]") {
            _ = Tensor.concatenate([Tensor.zeros(shape: [2, 3]), Tensor.zeros(shape: [3, 3])], alongAxis: 1)
        },
        Misuse("stack: shapes differ", message: "stack: ", "found shapes [2, 3] and [3, 3]") {
            _ = Tensor.stack([Tensor.zeros(shape: [2, 3]), Tensor.zeros(shape: [3, 3])])
        },
        Misuse("reshape: 6 elements into 8", message: "reshape: ", "found shapes [2, 3] and [4, 2]") {
            _ = Tensor.zeros(shape: [2, 3]).reshaped(to: [4, 2])
        },
        Misuse("expand: [2, 3] to [3, 3]", message: "expand: ", "[2, 3]") {
            _ = Tensor.zeros(shape: [2, 3]).expanded(to: [3, 3])
        },
        Misuse("sum: axis 2 of a matrix", message: "sum", "axis 2") {
            _ = Tensor.zeros(shape: [2, 3]).sum(alongAxes: [2])
        },
        Misuse("argmax: axis 2 of a matrix", message: "argmax: axis 2 is out of range for shape [2, 3]") {
            _ = Tensor.zeros(shape: [2, 3]).argmax(alongAxis: 2)
        },
        Misuse("argmax: an empty axis", message: "argmax: ") {
            _ = Tensor.zeros(shape: [2, 0]).argmax(alongAxis: 1)
        },
        Misuse("Tensor(shape:scalars:): 3 scalars for [2, 2]", message: "Tensor(shape:scalars:): expected 4 scalars for shape [2, 2], found 3") {
            _ = Tensor(shape: [2, 2], scalars: [1, 2, 3])
        },
        Misuse("Tensor(shape:initializingWith:): a negative dimension", message: "Tensor(shape:initializingWith:): ", "[2, -1]") {
            _ = Tensor(shape: [2, -1]) { _ in }
        },
        Misuse("gradients: a loss of shape [3]", message: "gradients: expected a scalar to differentiate, found shape [3]") {
            let x = Tensor([1, 2, 3]).trackingGradients()
            _ = x.squared().gradients(wrt: [x])
        },
        Misuse("gradients: an empty loss", message: "gradients: expected a scalar", "[0]") {
            let empty = Tensor.zeros(shape: [0]).trackingGradients()
            _ = (empty * 2).gradient(wrt: empty)
        },
        Misuse("gradients: a target that does not track gradients", message: "gradients: target 1 (shape [3]) does not track gradients") {
            let x = Tensor([1, 2, 3]).trackingGradients()
            _ = (x * Tensor([4, 5, 6])).sum().gradients(wrt: [x, Tensor([4, 5, 6])])
        },
        Misuse(
            "gradients: a graph released by an earlier sweep",
            message: "gradients: the graph behind this value was released by an earlier gradients(wrt:retainingGraph: false)", "retainingGraph: true"
        ) {
            let x = Tensor([1, 2]).trackingGradients()
            let loss = x.exp().sum()
            _ = loss.gradient(wrt: x, retainingGraph: false)
            _ = loss.gradient(wrt: x)
        },
        Misuse("gradients: a detached copy of a leaf", message: "gradients: target 0") {
            let x = Tensor([1, 2, 3]).trackingGradients()
            _ = (x * 2).sum().gradient(wrt: x.detached())
        },
        Misuse("customOperation: one gradient for one input, pullback returns none", message: "customOperation") {
            let x = Tensor([1, 2, 3]).trackingGradients()
            _ = Tensor.customOperation(value: x, inputs: [x]) { _ in [nil] }
        },
    ]
}
