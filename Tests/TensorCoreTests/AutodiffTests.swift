import Foundation
import Testing

@testable import TensorCore

/// Builds `x ← x · 1.0001 + 0` `length` times from a tracked leaf, differentiates the sum
/// and lets the whole graph go out of scope on return.
private func deepChain(length: Int) throws -> (value: [Float], gradient: [Float]) {
    let leaf = Tensor([1, 2]).trackingGradients()
    var x = leaf
    for _ in 0..<length { x = x * 1.0001 + 0.0 }
    let gradient = x.sum().gradient(wrt: leaf)
    return (x.scalars, gradient.scalars)
}

/// Builds a deep chain and drops it without ever differentiating it.
private func deepChainReleased(length: Int) -> Float {
    var x = Tensor([3]).trackingGradients().reshapedUnchecked([1, 1])
    for _ in 0..<length {
        x = (x * 1.0001).summedKeepingDimensions([1])  // two nodes per step, one a reduction
    }
    return x.scalars[0]
}

/// Checks a deep-chain result against the exact float32 factor.
private func expectDeepChainResult(
    _ result: (value: [Float], gradient: [Float]), length: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let factor = Foundation.pow(Double(Float(1.0001)), Double(length))
    #expect(result.gradient.count == 2, sourceLocation: sourceLocation)
    for (index, start) in [1.0, 2.0].enumerated() where index < result.gradient.count {
        #expect(
            Swift.abs(Double(result.gradient[index]) / factor - 1) < 5e-3,
            "gradient \(result.gradient[index]), expected \(factor)", sourceLocation: sourceLocation)
        #expect(
            Swift.abs(Double(result.value[index]) / (start * factor) - 1) < 5e-3,
            "value \(result.value[index]), expected \(start * factor)", sourceLocation: sourceLocation)
    }
}

@Suite struct AutodiffTests {
    // MARK: Accumulation and reachability

    @Test func leafUsedSeveralTimesAccumulates() throws {
        let values: [Float] = [-1, 0.5, 2]
        let x = Tensor(values).trackingGradients()
        let loss = (x * x + x * 3 + x.exp() - x).sum()
        let gradient = loss.gradient(wrt: x)
        for (index, value) in values.enumerated() {
            #expect(Swift.abs(gradient.scalars[index] - (2 * value + 3 + Foundation.exp(value) - 1)) < 1e-5)
        }
        // The same leaf on both sides of one op, and in two branches joined later.
        #expect((x * x).sum().gradient(wrt: x).scalars == values.map { 2 * $0 })
        #expect((x - x).sum().gradient(wrt: x).scalars == [0, 0, 0])
        let branches = (x.squared() + x.relu()).sum().gradient(wrt: x)
        #expect(branches.scalars == [-2, 2, 5])
        // Used 100 times through a broadcast: a scalar leaf collects every contribution.
        let bias = Tensor(Float(0.5)).trackingGradients()
        var total = Tensor.zeros(shape: [2, 3])
        for _ in 0..<100 { total = total + bias }
        let biasGradient = total.sum().gradient(wrt: bias)
        #expect(biasGradient.shape == [])
        #expect(biasGradient.scalars == [600])
    }

    @Test func targetNotReachedGetsZerosOfItsShape() throws {
        let x = Tensor([1, 2, 3]).trackingGradients()
        let unused = Tensor(shape: [2, 1, 3], repeating: 7).trackingGradients()
        let gradients = x.squared().sum().gradients(wrt: [x, unused])
        #expect(gradients[1].shape == [2, 1, 3])
        #expect(gradients[1].scalars == [Float](repeating: 0, count: 6))
        #expect(gradients[0].scalars == [2, 4, 6])

        // A loss computed from untracked values only, and a tracked target.
        let constant = Tensor.ones(shape: [4]).sum()
        let zero = constant.gradient(wrt: x)
        #expect(zero.shape == [3] && zero.scalars == [0, 0, 0])

        // A condition of where and comparison results carry no gradient.
        let condition = Tensor([1, 0, 1]).trackingGradients().isGreater(than: Tensor(Float(0.5)))
        #expect(!condition.isTrackingGradients)
        let mask = Tensor([1, 0, 1]).trackingGradients()
        let selected = Tensor.where(mask, x, -x).sum()
        let maskGradients = selected.gradients(wrt: [mask, x])
        #expect(maskGradients[0].scalars == [0, 0, 0])
        #expect(maskGradients[1].scalars == [1, -1, 1])

        // No targets at all.
        #expect(x.sum().gradients(wrt: []).isEmpty)
    }

    @Test func gradientsWithRespectToIntermediates() throws {
        let x = Tensor([1, -2, 3]).trackingGradients()
        let hidden = x * 2
        let loss = hidden.squared().sum()
        let gradients = loss.gradients(wrt: [hidden, x])
        #expect(gradients[0].scalars == [4, -8, 12])  // 2h
        #expect(gradients[1].scalars == [8, -16, 24])  // 8x
        // Only the intermediate.
        #expect(loss.gradient(wrt: hidden).scalars == [4, -8, 12])
        // The loss itself as a target: dL/dL = 1.
        #expect(loss.gradient(wrt: loss).scalars == [1])
        // An intermediate that is also used beyond the target.
        let reused = (hidden.squared().sum() + hidden.sum() * 3)
        #expect(reused.gradient(wrt: hidden).scalars == [7, -5, 15])
        // The same target twice gets the same gradient twice.
        let twice = loss.gradients(wrt: [x, x])
        #expect(twice[0].scalars == twice[1].scalars)
        // An intermediate the loss does not depend on gets zeros.
        let sideBranch = x.exp()
        #expect(loss.gradient(wrt: sideBranch).scalars == [0, 0, 0])
    }

    @Test func lossWithOneElementOfAnyRank() throws {
        let x = Tensor([2, 3]).trackingGradients()
        let loss = x.squared().sum(alongAxes: [0], keepingDimensions: true).reshaped(to: [1, 1])
        #expect(loss.shape == [1, 1])
        #expect(loss.gradient(wrt: x).scalars == [4, 6])
    }

    @Test func gradientsAreValuesAndRepeatable() throws {
        let x = Tensor([1, 2]).trackingGradients()
        let loss = x.exp().sum()
        let first = loss.gradient(wrt: x)
        let second = loss.gradient(wrt: x)
        #expect(first.scalars == second.scalars)
        #expect(!first.isTrackingGradients)
        #expect(first.scalars == x.exp().scalars)
    }

    /// Without `retainingGraph` the sweep frees each operation's saved values once it has run
    /// it (here `exp`'s output, which only its backward rule holds); the gradients are the same.
    @Test func releasingSweepFreesSavedValuesAndGivesTheSameGradients() throws {
        for retaining in [true, false] {
            let x = Tensor([0.5, -1, 2]).trackingGradients()
            weak var saved: TensorStorage?
            let loss: Tensor = {
                let exponential = (x * 3).exp()
                saved = exponential.storage
                return (exponential * 2).sum()
            }()
            #expect(saved != nil, "exp keeps its output for the backward pass")
            let gradient = loss.gradient(wrt: x, retainingGraph: retaining)
            #expect(gradient.scalars == (x * 3).exp().scalars.map { $0 * 6 })
            #expect((saved == nil) == !retaining, "retainingGraph \(retaining)")
            if retaining { #expect(loss.gradient(wrt: x).scalars == gradient.scalars) }
        }
    }

    // MARK: Errors

    @Test func checkedVariantsThrowWhatTheOperationsStopWith() throws {
        let a = Tensor.zeros(shape: [2, 3]).trackingGradients()
        let c = Tensor.zeros(shape: [3, 3])
        #expect(throws: TensorError.shapeMismatch(op: "reshape", expected: "a shape with 6 elements", found: [[2, 3], [4, 2]])) {
            try a.checkedReshaped(to: [4, 2])
        }
        #expect(throws: TensorError.invalidArgument(op: "reshape", message: "at most one dimension may be -1 and none below it, found [-1, -1]")) {
            try a.checkedReshaped(to: [-1, -1])
        }
        #expect(try a.checkedReshaped(to: [3, -1]).shape == [3, 2])
        #expect(throws: TensorError.shapeMismatch(op: "stack", expected: "tensors of identical shape", found: [[2, 3], [3, 3]])) {
            try Tensor.checkedStack([a, c])
        }
        #expect(throws: TensorError.invalidArgument(op: "stack", message: "expected at least one tensor, found none")) {
            try Tensor.checkedStack([])
        }
        #expect(try Tensor.checkedStack([c, c], alongAxis: 1).shape == [3, 2, 3])
        #expect(throws: TensorError.shapeMismatch(op: "concatenate", expected: "equal sizes on every axis but 1", found: [[2, 3], [3, 3]])) {
            try Tensor.checkedConcatenate([a, c], alongAxis: 1)
        }
        #expect(throws: TensorError.invalidArgument(op: "concatenate", message: "axis 2 is out of range for a tensor of rank 2")) {
            try Tensor.checkedConcatenate([a, c], alongAxis: 2)
        }
        #expect(try Tensor.checkedConcatenate([a, c]).shape == [5, 3])
        #expect(throws: TensorError.self) { try Tensor.broadcastShape([2, 3], [4]) }
        #expect(try Tensor.broadcastShape([2, 1, 3], [4, 1]) == [2, 4, 3])
        #expect(try Tensor.broadcastShape([], [5]) == [5])
        // A checked result records gradients as the unchecked one does.
        let reshaped = try a.checkedReshaped(to: [6])
        #expect(reshaped.isTrackingGradients)
        #expect((reshaped * 2).sum().gradient(wrt: a).scalars == [Float](repeating: 2, count: 6))
    }

    // MARK: Recording

    @Test func withoutGradientsRecordsNothing() throws {
        let x = Tensor([1, 2, 3]).trackingGradients()
        let (y, z) = withoutGradients {
            let y = (x * x + 1).sum(alongAxes: [0])
            let z = Tensor.matmul(x.reshaped(to: [1, 3]), x.reshaped(to: [3, 1])).relu()
            return (y, z)
        }
        #expect(!y.isTrackingGradients)
        #expect(!z.isTrackingGradients)
        #expect(y.scalars == [17])
        #expect(z.scalars == [14])
        // A leaf made inside the block is still a leaf, but nothing computed from it records.
        let inside = withoutGradients { () -> (Tensor, Tensor) in
            let leaf = Tensor([1]).trackingGradients()
            return (leaf, leaf.exp())
        }
        #expect(inside.0.isTrackingGradients)
        #expect(!inside.1.isTrackingGradients)
        // Nested blocks, and recording resumes afterwards.
        let nested = withoutGradients { withoutGradients { x * 2 } + x }
        #expect(!nested.isTrackingGradients)
        #expect((x * 2).isTrackingGradients)
        // Typed errors pass through unchanged.
        let error = #expect(throws: TensorError.self) {
            try withoutGradients { () throws(TensorError) -> Tensor in try x.checkedReshaped(to: [2, 2]) }
        }
        if case let .shapeMismatch(op, _, _)? = error {
            #expect(op == "reshape")
        } else {
            Issue.record("expected shapeMismatch from reshape, got \(String(describing: error))")
        }
    }

    @Test func asyncWithoutGradientsReachesChildTasks() async throws {
        let x = Tensor([1, 2, 3]).trackingGradients()
        let asyncResult = await withoutGradients { () async -> (Bool, Bool) in
            async let child = (x * 3).isTrackingGradients
            let direct = (x * 3).isTrackingGradients
            return (direct, await child)
        }
        #expect(asyncResult.0 == false)
        #expect(asyncResult.1 == false)
        #expect((x * 3).isTrackingGradients)
    }

    @Test func detachedCutsTheGraph() throws {
        let x = Tensor([1, 2, 3]).trackingGradients()
        let constant = x.detached()
        #expect(!constant.isTrackingGradients)
        #expect(constant.scalars == x.scalars && constant.shape == x.shape)
        // d/dx (stop(x) · x) = x, not 2x.
        #expect((constant * x).sum().gradient(wrt: x).scalars == [1, 2, 3])
        // Detaching an intermediate stops everything upstream of it.
        let hidden = x.exp()
        let loss = (hidden.detached() * x + hidden).sum()
        let gradient = loss.gradient(wrt: x)
        for (index, value) in [Float(1), 2, 3].enumerated() {
            #expect(Swift.abs(gradient.scalars[index] - 2 * Foundation.exp(value)) < 1e-4)
        }
        // A fully detached loss depends on nothing.
        #expect(!x.squared().sum().detached().isTrackingGradients)
        // trackingGradients() on an intermediate starts a new leaf: the original is cut off.
        let restarted = hidden.trackingGradients()
        let restartedLoss = restarted.sum()
        let gradients = restartedLoss.gradients(wrt: [restarted, x])
        #expect(gradients[0].scalars == [1, 1, 1])
        #expect(gradients[1].scalars == [0, 0, 0])
        // Detaching an untracked tensor is the tensor itself.
        #expect(Tensor([5]).detached().scalars == [5])
    }

    // MARK: Broadcasting

    @Test func gradientsAreReducedToTheBroadcastOperandShape() throws {
        let a = Tensor.ones(shape: [3, 1, 4]).trackingGradients()
        let b = Tensor.ones(shape: [2, 1]).trackingGradients()
        let sum = (a + b).sum()
        let gradients = sum.gradients(wrt: [a, b])
        #expect(gradients[0].shape == [3, 1, 4])
        #expect(gradients[0].scalars == [Float](repeating: 2, count: 12))
        #expect(gradients[1].shape == [2, 1])
        #expect(gradients[1].scalars == [12, 12])

        // Scalar and size-1 operands of every binary op.
        let matrix = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).trackingGradients()
        let scalar = Tensor(Float(2)).trackingGradients()
        let row = Tensor(shape: [1, 3], scalars: [1, 2, 4]).trackingGradients()
        let column = Tensor(shape: [2, 1], scalars: [1, -1]).trackingGradients()
        let product = (matrix * scalar * row * column).sum()
        let productGradients = product.gradients(wrt: [matrix, scalar, row, column])
        #expect(productGradients.map(\.shape) == [[2, 3], [], [1, 3], [2, 1]])
        // d/dscalar = Σ matrix · row · column = (1 + 4 + 12) − (4 + 10 + 24) = −21.
        #expect(productGradients[1].scalars == [-21])
        // d/drow[j] = Σ_i 2 · matrix[i, j] · column[i].
        #expect(productGradients[2].scalars == [-6, -6, -6])
        #expect(productGradients[3].scalars == [2 * 17, 2 * 38])

        // A leading size-1 axis and rank mismatch at once.
        let tall = Tensor.ones(shape: [1, 2, 1]).trackingGradients()
        let wide = Tensor.ones(shape: [3]).trackingGradients()
        let wideGradients = (tall * wide).mean().gradients(wrt: [tall, wide])
        #expect(wideGradients[0].shape == [1, 2, 1])
        #expect(wideGradients[0].scalars == [0.5, 0.5])
        #expect(wideGradients[1].shape == [3])
        #expect(wideGradients[1].scalars.allSatisfy { Swift.abs($0 - 1.0 / 3) < 1e-7 })

        // A batched matmul against a single matrix sums the matrix gradient over the batch.
        let batch = Tensor.ones(shape: [4, 2, 3]).trackingGradients()
        let weight = Tensor.ones(shape: [3, 5]).trackingGradients()
        let weightGradient = Tensor.matmul(batch, weight).sum().gradient(wrt: weight)
        #expect(weightGradient.shape == [3, 5])
        #expect(weightGradient.scalars == [Float](repeating: 8, count: 15))
    }

    // MARK: Deep graphs

    @Test func deepChainDifferentiatesAndReleases() throws {
        expectDeepChainResult(try deepChain(length: 50_000), length: 50_000)
        #expect(deepChainReleased(length: 20_000) > 3)
    }

    @Test func deepChainOnADetachedTask() async throws {
        let result = try await Task.detached { try deepChain(length: 50_000) }.value
        expectDeepChainResult(result, length: 50_000)
        let released = await Task.detached { deepChainReleased(length: 50_000) }.value
        #expect(released > 3)
    }

    @Test func deepChainWithABroadcastLeafUsedAtEveryStep() throws {
        let bias = Tensor(shape: [1], scalars: [0.001]).trackingGradients()
        let start = Tensor.zeros(shape: [3]).trackingGradients()
        var x = start
        for _ in 0..<20_000 { x = x + bias }
        let gradients = x.sum().gradients(wrt: [bias, start])
        #expect(gradients[0].shape == [1])
        #expect(gradients[0].scalars == [60_000])
        #expect(gradients[1].scalars == [1, 1, 1])
    }
}
