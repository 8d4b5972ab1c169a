import TensorCore

/// What loading a state dict found that did not fit the module.
public struct StateDictReport: Sendable, Equatable, CustomStringConvertible {
    /// A key present in both whose tensor shapes differ.
    public struct ShapeMismatch: Sendable, Equatable {
        /// The dotted name.
        public let name: String
        /// The module's shape.
        public let expected: [Int]
        /// The state dict's shape.
        public let found: [Int]

        /// A mismatch; see the properties.
        public init(name: String, expected: [Int], found: [Int]) {
            self.name = name
            self.expected = expected
            self.found = found
        }
    }

    /// Parameters and buffers of the module that the state dict lacks, sorted.
    public let missingKeys: [String]
    /// Keys of the state dict that the module does not have, sorted.
    public let unexpectedKeys: [String]
    /// Keys whose shapes differ, sorted by name.
    public let shapeMismatches: [ShapeMismatch]
    /// Number of tensors that were loaded.
    public let loadedCount: Int

    /// A report; see the properties.
    public init(missingKeys: [String], unexpectedKeys: [String], shapeMismatches: [ShapeMismatch], loadedCount: Int) {
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
        self.shapeMismatches = shapeMismatches
        self.loadedCount = loadedCount
    }

    /// Whether everything matched.
    public var isComplete: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("missing keys: \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { parts.append("unexpected keys: \(unexpectedKeys.joined(separator: ", "))") }
        for mismatch in shapeMismatches {
            parts.append("shape mismatch for \(mismatch.name): module has \(mismatch.expected), state dict has \(mismatch.found)")
        }
        return parts.isEmpty ? "all \(loadedCount) tensors matched" : parts.joined(separator: "; ")
    }
}

/// Why a strict state-dict load was refused; nothing was loaded.
public struct StateDictError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Everything that did not fit.
    public let report: StateDictReport

    /// An error for a report with mismatches.
    public init(report: StateDictReport) { self.report = report }

    public var description: String { "state dict does not fit the module (\(report))" }
}

extension Module {
    /// Every parameter and buffer by dotted name (PyTorch's `state_dict()`), without
    /// gradient tracking.
    public func stateDict() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, parameter) in namedParameters { result[name] = parameter.value.detached() }
        for (name, buffer) in namedBuffers { result[name] = buffer.value }
        return result
    }

    /// Loads parameters and buffers by name (PyTorch's `load_state_dict`).
    ///
    /// Strict loading (the default) first checks that the keys are exactly the module's and
    /// that every shape matches, and throws without changing anything otherwise.
    /// Non-strict loading loads every key whose name and shape match and reports the rest.
    /// Trainable flags are kept.
    ///
    /// - Returns: what matched and what did not.
    /// - Throws: ``StateDictError`` naming missing keys, unexpected keys and shape
    ///   mismatches, in strict mode only.
    @discardableResult
    public func load(_ state: [String: Tensor], strict: Bool = true) throws(StateDictError) -> StateDictReport {
        var targets: [String: (shape: [Int], assign: (Tensor) -> Void)] = [:]
        for (name, parameter) in namedParameters { targets[name] = (parameter.value.shape, { parameter.value = $0 }) }
        for (name, buffer) in namedBuffers { targets[name] = (buffer.value.shape, { buffer.value = $0 }) }

        var matching: [(Tensor, (Tensor) -> Void)] = []
        var mismatches: [StateDictReport.ShapeMismatch] = []
        for (name, tensor) in state {
            guard let target = targets[name] else { continue }
            if target.shape == tensor.shape {
                matching.append((tensor, target.assign))
            } else {
                mismatches.append(.init(name: name, expected: target.shape, found: tensor.shape))
            }
        }
        let report = StateDictReport(
            missingKeys: targets.keys.filter { state[$0] == nil }.sorted(),
            unexpectedKeys: state.keys.filter { targets[$0] == nil }.sorted(),
            shapeMismatches: mismatches.sorted { $0.name < $1.name },
            loadedCount: matching.count)
        if strict && !report.isComplete { throw StateDictError(report: report) }
        for (tensor, assign) in matching { assign(tensor.detached()) }
        return report
    }
}
