import TensorCore

/// The most scalars one collective of ``Communicator/allReduceSum(gradients:of:carrying:bucketCapacity:)``
/// or ``Communicator/broadcastState(of:from:bucketCapacity:)`` carries: 6,553,600 floats, the
/// 25 MB of PyTorch's DistributedDataParallel buckets. Small nets travel in one bucket; a
/// tensor larger than this travels alone.
public let defaultBucketCapacity = 6_553_600

extension Communicator {
    /// Copies process `root`'s parameters and buffers (batch-norm statistics) into `module`
    /// on every process, in buckets of at most `bucketCapacity` scalars: how data-parallel
    /// training starts from one set of weights. Every process's `module` must have the same
    /// architecture.
    ///
    /// - Throws: ``CommunicationError`` when the transport fails; `module` may then hold
    ///   some of `root`'s tensors.
    public func broadcastState(of module: any Module, from root: Int = 0, bucketCapacity: Int = defaultBucketCapacity) throws(CommunicationError) {
        let parameters = module.namedParameters.map(\.parameter)
        try broadcast(parameters.map(\.value), from: root, bucketCapacity: bucketCapacity) { parameters[$0].value = $1 }
        try broadcastBuffers(of: module, from: root, bucketCapacity: bucketCapacity)
    }

    /// Copies process `root`'s buffers (batch-norm running statistics and counts) into
    /// `module` on every process. Data-parallel training normalises each process's batch
    /// with its own statistics, so the running statistics drift apart; as PyTorch's
    /// DistributedDataParallel (`broadcast_buffers`), rank 0's are the model's.
    ///
    /// - Throws: ``CommunicationError`` when the transport fails.
    public func broadcastBuffers(of module: any Module, from root: Int = 0, bucketCapacity: Int = defaultBucketCapacity) throws(CommunicationError) {
        let buffers = module.namedBuffers.map(\.buffer)
        try broadcast(buffers.map(\.value), from: root, bucketCapacity: bucketCapacity) { buffers[$0].value = $1 }
    }

    /// Replaces `gradients` (of ``Module/gradients(of:retainingGraph:)``) on every process by their sum
    /// over the processes, in buckets of at most `bucketCapacity` scalars in the order of
    /// `module`'s trainable parameters, with `scalars` (a loss, flags) summed in the last
    /// bucket so that they cost no collective of their own. A trainable parameter without a
    /// gradient on this process (one that ran no batch) adds zeros; afterwards every
    /// trainable parameter has one. To average, scale each process's loss before the
    /// backward pass (by its share of the samples), which costs nothing here.
    ///
    /// The buckets are reduced after the backward pass, not during it: the autodiff returns
    /// all gradients together.
    ///
    /// - Throws: ``CommunicationError/invalidArgument(operation:message:)`` for a gradient
    ///   whose shape differs from its parameter's, and ``CommunicationError`` when the
    ///   transport fails.
    public func allReduceSum(
        gradients: inout [String: Tensor], of module: any Module, carrying scalars: inout [Float], bucketCapacity: Int = defaultBucketCapacity
    ) throws(CommunicationError) {
        let trainable = module.trainableParameters
        for (name, parameter) in trainable {
            if let gradient = gradients[name], gradient.shape != parameter.value.shape {
                throw .invalidArgument(
                    operation: "allReduceSum(gradients:)",
                    message: "the gradient of \(name) has shape \(gradient.shape), expected the parameter's \(parameter.value.shape)")
            }
        }
        let counts = trainable.map(\.parameter.value.scalarCount)
        let buckets = Self.buckets(of: counts, capacity: bucketCapacity)
        if buckets.isEmpty { try allReduceSum(&scalars) }
        for (number, bucket) in buckets.enumerated() {
            let extra = number == buckets.count - 1 ? scalars : []
            var buffer = [Float](repeating: 0, count: counts[bucket].reduce(0, +) + extra.count)
            buffer.withUnsafeMutableBufferPointer { target in
                var offset = 0
                for index in bucket {
                    gradients[trainable[index].name]?.withUnsafeBufferPointer { source in
                        guard let base = source.baseAddress, let destination = target.baseAddress else { return }
                        (destination + offset).update(from: base, count: source.count)
                    }
                    offset += counts[index]
                }
                for (position, value) in extra.enumerated() { target[offset + position] = value }
            }
            try allReduceSum(&buffer)
            var offset = 0
            for index in bucket {
                let (name, parameter) = trainable[index]
                gradients[name] = Self.tensor(shape: parameter.value.shape, from: buffer, at: offset)
                offset += counts[index]
            }
            if !extra.isEmpty { scalars = Array(buffer[offset...]) }
        }
    }

    /// Broadcasts `tensors` in buckets and hands each received tensor (by index) to `store`.
    private func broadcast(_ tensors: [Tensor], from root: Int, bucketCapacity: Int, store: (Int, Tensor) -> Void) throws(CommunicationError) {
        let counts = tensors.map(\.scalarCount)
        for bucket in Self.buckets(of: counts, capacity: bucketCapacity) {
            var buffer = [Float]()
            buffer.reserveCapacity(counts[bucket].reduce(0, +))
            for index in bucket { buffer += tensors[index].scalars }
            try broadcast(&buffer, from: root)
            guard rank != root else { continue }
            var offset = 0
            for index in bucket {
                store(index, Self.tensor(shape: tensors[index].shape, from: buffer, at: offset))
                offset += counts[index]
            }
        }
    }

    /// Consecutive runs of `counts` whose sums stay within `capacity`; a count above it
    /// makes a run of its own.
    static func buckets(of counts: [Int], capacity: Int) -> [Range<Int>] {
        var buckets: [Range<Int>] = []
        var start = 0, size = 0
        for (index, count) in counts.enumerated() {
            if index > start, size + count > capacity {
                buckets.append(start..<index)
                (start, size) = (index, 0)
            }
            size += count
        }
        if start < counts.count { buckets.append(start..<counts.count) }
        return buckets
    }

    /// A tensor of `shape` with the scalars of `buffer` from `offset`.
    private static func tensor(shape: [Int], from buffer: [Float], at offset: Int) -> Tensor {
        // The shape is that of an existing tensor, so creating one cannot fail.
        Tensor(shape: shape) { target in
            buffer.withUnsafeBufferPointer { source in
                guard let base = source.baseAddress, let destination = target.baseAddress else { return }
                destination.update(from: base + offset, count: target.count)
            }
        }
    }
}
