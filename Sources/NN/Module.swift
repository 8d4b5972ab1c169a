import TensorCore

/// A building block of a network: a layer, or a container of other modules.
///
/// A module maps a tensor to a tensor with ``forward(_:)`` (call it as `module(x)`), owns
/// ``Parameter``s and ``Buffer``s, and lists its sub-modules. Names follow PyTorch: a
/// parameter is addressed by the dotted path of the modules that lead to it
/// (`features.0.weight`, `features.1.running_mean`), so state dicts map one to one onto
/// PyTorch's and torchvision weights load by name.
///
/// Conforming types are classes that store ``isTraining`` and override what applies: a
/// layer lists ``localParameters`` and ``localBuffers``, a container lists
/// ``childModules``. Everything else (recursive names, train/eval, state dicts,
/// gradients, the printed description) is provided.
public protocol Module: AnyObject, CustomStringConvertible {
    /// Whether the module is in training mode (batch statistics, dropout) rather than
    /// evaluation mode. Set it for a whole tree with ``train(_:)`` or ``eval()``.
    var isTraining: Bool { get set }

    /// The direct sub-modules with their names, in registration order.
    var childModules: [(name: String, module: any Module)] { get }

    /// The parameters this module owns directly (not those of its children), with names.
    var localParameters: [(name: String, parameter: Parameter)] { get }

    /// The buffers this module owns directly, with names.
    var localBuffers: [(name: String, buffer: Buffer)] { get }

    /// The layer's settings as PyTorch prints them inside the parentheses,
    /// e.g. `1, 8, kernel_size=(5, 5), stride=(1, 1)`; empty for none.
    var settingsDescription: String { get }

    /// Applies the module to a batch.
    func forward(_ input: Tensor) -> Tensor
}

extension Module {
    public var childModules: [(name: String, module: any Module)] { [] }
    public var localParameters: [(name: String, parameter: Parameter)] { [] }
    public var localBuffers: [(name: String, buffer: Buffer)] { [] }
    public var settingsDescription: String { "" }

    /// Applies the module to a batch (same as ``forward(_:)``).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        forward(input)
    }

    /// Puts this module and all its descendants in training mode (or evaluation mode
    /// for `false`), as PyTorch's `module.train(mode)`.
    public func train(_ mode: Bool = true) {
        isTraining = mode
        for child in childModules { child.module.train(mode) }
    }

    /// Puts this module and all its descendants in evaluation mode.
    public func eval() { train(false) }

    /// This module and every descendant with its dotted path (`""` for this module),
    /// depth first in registration order.
    public var namedModules: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = []
        func visit(_ module: any Module, path: String) {
            result.append((path, module))
            for child in module.childModules { visit(child.module, path: qualified(path, child.name)) }
        }
        visit(self, path: "")
        return result
    }

    /// Every parameter of the tree with its dotted name, in registration order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        namedModules.flatMap { path, module in
            module.localParameters.map { (qualified(path, $0.name), $0.parameter) }
        }
    }

    /// Every buffer of the tree with its dotted name, in registration order.
    public var namedBuffers: [(name: String, buffer: Buffer)] {
        namedModules.flatMap { path, module in
            module.localBuffers.map { (qualified(path, $0.name), $0.buffer) }
        }
    }

    /// The trainable parameters with their names: what optimisers update.
    public var trainableParameters: [(name: String, parameter: Parameter)] {
        namedParameters.filter { $0.parameter.isTrainable }
    }

    /// The number of scalars in all parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.scalarCount } }

    /// The number of scalars in the trainable parameters.
    public var trainableParameterCount: Int { trainableParameters.reduce(0) { $0 + $1.parameter.value.scalarCount } }

    /// Makes every parameter whose name starts with `prefix` trainable or frozen and
    /// returns how many parameters the prefix matched. Training mode and batch-norm statistics
    /// are not affected. A prefix matches whole path components: `features.1` matches
    /// `features.1.weight` but not `features.10.weight`; the empty prefix matches all.
    @discardableResult
    public func setTrainable(_ trainable: Bool, prefix: String = "") -> Int {
        var matched = 0
        for (name, parameter) in namedParameters where name.hasPathPrefix(prefix) {
            parameter.isTrainable = trainable
            matched += 1
        }
        return matched
    }

    /// The module as PyTorch prints it: the type and settings, and the children indented
    /// below, e.g. `Sequential(\n  (0): Conv2d(1, 8, kernel_size=(5, 5), …)\n)`.
    public var description: String {
        let name = String(describing: type(of: self))
        let children = childModules
        guard !children.isEmpty else { return "\(name)(\(settingsDescription))" }
        var lines = ["\(name)("]
        if !settingsDescription.isEmpty { lines.append("  " + settingsDescription) }
        for child in children {
            let body = child.module.description.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated().map { $0.offset == 0 ? String($0.element) : "  " + $0.element }
                .joined(separator: "\n")
            lines.append("  (\(child.name)): \(body)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}

/// `parent.child`, or `child` at the root.
func qualified(_ parent: String, _ child: String) -> String {
    parent.isEmpty ? child : parent + "." + child
}

extension String {
    /// Whether the dotted path starts with the dotted path `prefix` on a component boundary.
    func hasPathPrefix(_ prefix: String) -> Bool {
        prefix.isEmpty || self == prefix || hasPrefix(prefix + ".")
    }
}
