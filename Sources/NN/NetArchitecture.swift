/// What a model file needs to rebuild a net before loading its weights: the architecture's
/// registered name and the hyperparameters its constructor takes, as strings. Model files
/// store the name under `net` and the hyperparameters as JSON under `net_hyperparameters`;
/// a ``NetRegistry`` turns them back into a net.
public struct NetArchitecture: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    /// The name the architecture is registered under (`FCDD_CNN28_W`, `MyResidualNet`).
    public var name: String
    /// The constructor's arguments by name (`input_channels: "1"`).
    public var hyperparameters: [String: String]

    /// An architecture with its name and hyperparameters.
    public init(name: String, hyperparameters: [String: String] = [:]) {
        self.name = name
        self.hyperparameters = hyperparameters
    }

    /// The hyperparameter `key` as an integer.
    ///
    /// - Throws: ``NetRegistryError/invalidHyperparameter(architecture:key:expected:found:)``
    ///   when it is missing or not an integer in `range`.
    public func integer(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(NetRegistryError) -> Int {
        guard let text = hyperparameters[key], let value = Int(text), range.contains(value) else {
            throw .invalidHyperparameter(architecture: name, key: key, expected: "an integer in \(range)", found: hyperparameters[key])
        }
        return value
    }

    public var description: String {
        hyperparameters.isEmpty ? name : name + "(" + hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
    }
}

/// A net that can say how to rebuild it (``NetArchitecture``), so a model file of it loads
/// through a ``NetRegistry``.
public protocol ArchitectureDescribing: Module {
    /// The registered name and the constructor's hyperparameters of this net.
    var architecture: NetArchitecture { get }
}

/// Why a ``NetRegistry`` could not build a net.
public enum NetRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No constructor is registered under the name.
    case unregistered(name: String, registered: [String])
    /// A hyperparameter is missing or out of range.
    case invalidHyperparameter(architecture: String, key: String, expected: String, found: String?)
    /// The constructor failed.
    case constructionFailed(architecture: String, reason: String)

    public var description: String {
        switch self {
        case let .unregistered(name, registered):
            "no net is registered as \"\(name)\"; expected one of \(registered.joined(separator: ", ")) (register the net's constructor with NetRegistry.register(_:_:) before loading)"
        case let .invalidHyperparameter(architecture, key, expected, found):
            "\(architecture): expected hyperparameter \(key) to be \(expected), found \(found.map { "\"\($0)\"" } ?? "none")"
        case let .constructionFailed(architecture, reason):
            "\(architecture): cannot build the net: \(reason)"
        }
    }
}

/// Constructors of nets by architecture name, so a model file rebuilds the net it was saved
/// from (``NetArchitecture``) before its weights load. A value: start from a library's
/// registry (the FCDD module's `NetRegistry.standard` holds the reference's nets) and add
/// your own with ``register(_:_:)``.
///
/// ```swift
/// var registry = NetRegistry.standard
/// registry.register("MyResidualNet") { architecture in
///     try MyResidualNet(inputChannels: architecture.integer("input_channels", in: 1...4))
/// }
/// ```
public struct NetRegistry: Sendable {
    /// Builds a fresh net (weights are loaded afterwards) from its hyperparameters.
    public typealias Constructor = @Sendable (NetArchitecture) throws -> any Module

    private var constructors: [String: Constructor]

    /// A registry with the given constructors (none by default).
    public init(_ constructors: [String: Constructor] = [:]) {
        self.constructors = constructors
    }

    /// The registered names, sorted.
    public var names: [String] { constructors.keys.sorted() }

    /// Registers (or replaces) the constructor of `name`.
    public mutating func register(_ name: String, _ constructor: @escaping Constructor) {
        constructors[name] = constructor
    }

    /// A fresh net of `architecture`.
    ///
    /// - Throws: ``NetRegistryError/unregistered(name:registered:)`` for an unknown name,
    ///   the constructor's ``NetRegistryError``, or
    ///   ``NetRegistryError/constructionFailed(architecture:reason:)`` wrapping its other errors.
    public func makeNet(_ architecture: NetArchitecture) throws(NetRegistryError) -> any Module {
        guard let constructor = constructors[architecture.name] else {
            throw .unregistered(name: architecture.name, registered: names)
        }
        do {
            return try constructor(architecture)
        } catch let error as NetRegistryError {
            throw error
        } catch {
            throw .constructionFailed(architecture: architecture.description, reason: "\(error)")
        }
    }
}
