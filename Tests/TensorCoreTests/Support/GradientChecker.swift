import Testing

@testable import TensorCore

// The finite-difference gradient checker of GradientCheckTests and KernelGradientTests,
// and the seeded random inputs those tests draw.

// MARK: - Finite-difference checker

/// Checks the reverse-mode gradients of `function` against central finite differences.
///
/// The output is projected onto a fixed random tensor R (drawn from `seed`), so the scalar
/// checked is `L = sum(function(inputs) * R)` and every output element influences the
/// result. The analytic gradient comes from the library's sweep over that loss; the
/// numerical one perturbs each input element by ±`eps` (in float32, the only precision the
/// library has), evaluates the forward pass with recording off, and forms the projection
/// in Double so that only the perturbed outputs contribute rounding error. The divisor is
/// the actual float32 step `Float(x + eps) − Float(x − eps)`, not `2·eps`.
///
/// Every input gets checked (each is a separate leaf), the gradient must have the input's
/// shape and must not itself track gradients, and the forward values with and without
/// recording must agree exactly.
func checkGradients(
    _ label: String,
    _ inputs: [Tensor],
    eps: Float = 5e-3,
    rtol: Double = 1e-2,
    atol: Double = 1e-3,
    seed: UInt64 = 0xC0FFEE,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Tensor]) throws -> Tensor
) throws {
    let leaves = inputs.map { $0.detached().trackingGradients() }
    let output = try function(leaves)
    var rng = SeededGenerator(seed: seed)
    let projection = Tensor.randomNormal(shape: output.shape, using: &rng)
    let weights = projection.scalars.map(Double.init)
    let loss = (output * projection).sum()
    let analytic = loss.gradients(wrt: leaves)

    let plain = try withoutGradients { try function(inputs) }
    #expect(
        !plain.isTrackingGradients, "\(label): result computed without recording tracks gradients",
        sourceLocation: sourceLocation)
    #expect(
        plain.shape == output.shape && plain.scalars == output.scalars,
        "\(label): forward values differ with and without gradient recording", sourceLocation: sourceLocation)

    func projected(_ values: [Float], at index: Int) throws -> Double {
        var perturbed = inputs
        perturbed[index] = Tensor(shape: inputs[index].shape, scalars: values)
        let y = try withoutGradients { try function(perturbed) }
        let scalars = y.scalars
        var total = 0.0
        for i in scalars.indices { total += Double(scalars[i]) * weights[i] }
        return total
    }

    for (index, input) in inputs.enumerated() {
        let gradient = analytic[index]
        guard gradient.shape == input.shape else {
            Issue.record(
                "\(label): gradient \(index) has shape \(gradient.shape), expected \(input.shape)",
                sourceLocation: sourceLocation)
            continue
        }
        #expect(
            !gradient.isTrackingGradients, "\(label): gradient \(index) tracks gradients",
            sourceLocation: sourceLocation)
        let analyticValues = gradient.scalars
        var values = input.scalars
        var failures = 0
        for element in values.indices {
            let original = values[element]
            let (plus, minus) = (original + eps, original - eps)
            values[element] = plus
            let lossPlus = try projected(values, at: index)
            values[element] = minus
            let lossMinus = try projected(values, at: index)
            values[element] = original
            let numeric = (lossPlus - lossMinus) / (Double(plus) - Double(minus))
            let exact = Double(analyticValues[element])
            if !(Swift.abs(exact - numeric) <= atol + rtol * Swift.abs(numeric)) {
                failures += 1
                if failures <= 3 {
                    Issue.record(
                        """
                        \(label): input \(index) (shape \(input.shape)) element \(element) = \(original): \
                        analytic \(exact), numeric \(numeric)
                        """, sourceLocation: sourceLocation)
                }
            }
        }
        if failures > 3 {
            Issue.record(
                "\(label): input \(index): \(failures - 3) more mismatching elements (\(failures) of \(values.count))",
                sourceLocation: sourceLocation)
        }
    }
}

// MARK: - Test data

/// Deterministic inputs for gradient checks, all drawn from one `SeededGenerator`. Each
/// test file adds the draws only it needs in a file-private extension.
struct GradientTestData {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func normal(_ shape: [Int], scale: Float = 1) throws -> Tensor {
        Tensor.randomNormal(shape: shape, standardDeviation: scale, using: &rng)
    }

    mutating func uniform(_ shape: [Int], _ low: Float, _ high: Float) throws -> Tensor {
        Tensor.randomUniform(shape: shape, low: low, high: high, using: &rng)
    }
}
