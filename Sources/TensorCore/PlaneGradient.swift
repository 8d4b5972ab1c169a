/// The gradient of a spatial op that maps each `[H, W]` plane of `[N, C, H, W]` to one
/// output plane (pooling, resizing): a new input-shaped tensor whose planes are zeroed and
/// then filled by `scatter(inputPlane, outputGradientPlane)`, one plane at a time while it
/// is in cache, planes split across threads.
func planewiseGradient(
    inputShape: [Int], outputGradient: Tensor,
    _ scatter: (_ target: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>, _ plane: Int) -> Void
) -> Tensor {
    let planes = inputShape[0] * inputShape[1]
    let inputPlane = inputShape[2] * inputShape[3]
    let outputPlane = outputGradient.shape[2] * outputGradient.shape[3]
    return Tensor(uninitializedShape: inputShape) { dx in
        let dy = UnsafePointer(outputGradient.storage.pointer)
        parallelChunks(count: planes, minimumChunk: Swift.max(1, parallelGrain / Swift.max(1, inputPlane))) { range in
            for plane in range {
                let target = dx + plane * inputPlane
                for i in 0..<inputPlane { target[i] = 0 }
                scatter(target, dy + plane * outputPlane, plane)
            }
        }
    }
}
