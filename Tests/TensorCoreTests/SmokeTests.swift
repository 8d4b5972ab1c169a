import Testing
@testable import TensorCore

@Test func smokeMatmulGradient() throws {
    var rng = SeededGenerator(seed: 1)
    let a = try Tensor.randomNormal(shape: [3, 4], using: &rng).trackingGradients()
    let b = try Tensor.randomNormal(shape: [4, 2], using: &rng).trackingGradients()
    let loss = try Tensor.matmul(a, b).squared().sum()
    let (ga, gb) = try { let g = try loss.gradients(wrt: [a, b]); return (g[0], g[1]) }()
    #expect(ga.shape == [3, 4])
    #expect(gb.shape == [4, 2])
}
