import NN
import TensorCore

/// How model files are turned back into a net and an objective: constructors of nets by
/// architecture name (`NetRegistry`) and of objectives by name. ``standard`` knows the
/// reference's FCDD and baseline nets and the FCDD, HSC and AE objectives; add your own to a
/// copy and pass it to ``AnomalyPredictor/init(contentsOf:registry:)``.
///
/// ```swift
/// var registry = ModelRegistry.standard
/// registry.nets.register("MyResidualNet") { architecture in
///     try MyResidualNet(inputChannels: architecture.integer("input_channels", in: 1...4))
/// }
/// registry.registerObjective("deep-svdd") { metadata in try DeepSVDD(metadata: metadata) }
/// ```
public struct ModelRegistry: Sendable {
    /// Rebuilds an objective from the metadata a model file stores with it.
    public typealias ObjectiveConstructor = @Sendable ([String: String]) throws -> any AnomalyObjective

    /// The nets' constructors.
    public var nets: NetRegistry
    private var objectives: [String: ObjectiveConstructor]

    /// An empty registry.
    public init() {
        nets = NetRegistry()
        objectives = [:]
    }

    /// The registered objective names, sorted.
    public var objectiveNames: [String] { objectives.keys.sorted() }

    /// Registers (or replaces) the constructor of the objective `name`.
    public mutating func registerObjective(_ name: String, _ constructor: @escaping ObjectiveConstructor) {
        objectives[name] = constructor
    }

    /// The objective `name` with the settings in `metadata`.
    ///
    /// - Throws: ``ObjectiveRegistryError`` for an unknown name or settings its constructor refuses.
    public func makeObjective(_ name: String, metadata: [String: String]) throws(ObjectiveRegistryError) -> any AnomalyObjective {
        guard let constructor = objectives[name] else { throw .unregistered(name: name, registered: objectiveNames) }
        do {
            return try constructor(metadata)
        } catch let error as ObjectiveRegistryError {
            throw error
        } catch {
            throw .invalidSetting(objective: name, key: "", expected: "settings its constructor accepts", found: "\(error)")
        }
    }

    /// The reference's nets (every ``FCDDNetKind`` and ``BaselineNetKind`` by its official
    /// name, hyperparameter `input_channels`) and objectives (`fcdd`, `hsc`, `ae`).
    public static let standard: ModelRegistry = {
        var registry = ModelRegistry()
        for kind in FCDDNetKind.allCases {
            registry.nets.register(kind.rawValue) { architecture in
                var generator = SeededGenerator(seed: 0)
                return try kind.makeNet(inputChannels: architecture.integer("input_channels", in: AnomalyPredictor.Limits.inputChannels), using: &generator)
            }
        }
        for kind in BaselineNetKind.allCases {
            registry.nets.register(kind.rawValue) { architecture in
                var generator = SeededGenerator(seed: 0)
                return try kind.makeNet(inputChannels: architecture.integer("input_channels", in: AnomalyPredictor.Limits.inputChannels), using: &generator)
            }
        }
        registry.registerObjective("fcdd") { try FCDDObjective(metadata: $0) }
        registry.registerObjective("hsc") { try HSCObjective(metadata: $0) }
        registry.registerObjective("ae") { try AutoencoderObjective(metadata: $0) }
        return registry
    }()
}

/// Why a ``ModelRegistry`` could not rebuild an objective.
public enum ObjectiveRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No constructor is registered under the name.
    case unregistered(name: String, registered: [String])
    /// A setting is missing or malformed.
    case invalidSetting(objective: String, key: String, expected: String, found: String?)

    public var description: String {
        switch self {
        case let .unregistered(name, registered):
            "no objective is registered as \"\(name)\"; expected one of \(registered.joined(separator: ", ")) (register it with ModelRegistry.registerObjective(_:_:) before loading)"
        case let .invalidSetting(objective, key, expected, found):
            "objective \(objective): expected \(key.isEmpty ? "" : "\(key) to be ")\(expected), found \(found.map { "\"\($0)\"" } ?? "none")"
        }
    }
}

extension FCDDReferenceNet {
    /// The official name with hyperparameter `input_channels`.
    public var architecture: NetArchitecture {
        NetArchitecture(name: kind.rawValue, hyperparameters: ["input_channels": String(inputChannels)])
    }
}

extension BaselineNet {
    /// The official name with hyperparameter `input_channels`.
    public var architecture: NetArchitecture {
        NetArchitecture(name: kind.rawValue, hyperparameters: ["input_channels": String(inputChannels)])
    }
}
