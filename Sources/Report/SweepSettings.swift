import Foundation

/// What a sweep runs, recorded in its folder as `sweep.json`: the normal classes and seeds
/// (every pair runs), the methods each pair trains, and the options every run shares (the
/// caller's, such as the command line's `--epochs`: `3`), so that running the same sweep again
/// continues it and a sweep with other options is refused (``differences(from:)``).
public struct SweepSettings: Sendable, Equatable, Codable {
    /// The command that runs the sweep (`fcdd train`), shown in its report.
    public var command: String
    /// The normal classes, in order; each names a folder (`class-<name>`).
    public var classes: [String]
    /// The seeds, in order.
    public var seeds: [UInt64]
    /// The methods each pair trains (`fcdd`, or `fcdd`, `hsc`, `ae`). With one, a pair's
    /// folder is its run; with several, each method's run is a sub-folder of that name and
    /// the pair's folder holds their comparison.
    public var methods: [String]
    /// The options every run shares, by name; the class and the seed are not among them.
    public var options: [String: String]

    /// Settings; see the properties.
    public init(command: String, classes: [String], seeds: [UInt64], methods: [String], options: [String: String]) {
        self.command = command
        self.classes = classes
        self.seeds = seeds
        self.methods = methods
        self.options = options
    }

    /// Every (class, seed) pair, class by class, seeds in order within each.
    public var points: [SweepPoint] {
        classes.flatMap { normalClass in seeds.map { SweepPoint(normalClass: normalClass, seed: $0) } }
    }

    /// Checks that there is at least one class, seed and method, none twice, and that classes
    /// and methods are names a folder can have.
    ///
    /// - Throws: ``ReportError/invalidSweep(field:expected:found:)`` naming the setting.
    public func validate() throws(ReportError) {
        for (field, names) in [("classes", classes), ("methods", methods)] {
            guard !names.isEmpty else { throw .invalidSweep(field: field, expected: "at least one", found: "none") }
            if let bad = names.first(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("/") || $0.contains("\0") }) {
                throw .invalidSweep(field: field, expected: "names a folder can have (not empty, . or .., without /)", found: "\"\(bad)\"")
            }
            if let twice = Self.repeated(names) { throw .invalidSweep(field: field, expected: "each once", found: "\(twice) twice") }
        }
        guard !seeds.isEmpty else { throw .invalidSweep(field: "seeds", expected: "at least one", found: "none") }
        if let twice = Self.repeated(seeds) { throw .invalidSweep(field: "seeds", expected: "each once", found: "\(twice) twice") }
    }

    /// The first value of `values` that comes again, if any.
    private static func repeated<Value: Hashable>(_ values: [Value]) -> Value? {
        var seen = Set<Value>()
        return values.first { !seen.insert($0).inserted }
    }

    /// What keeps these settings from continuing the sweep `recorded`: another command,
    /// other methods, an option with another value (or given on one side only), and classes
    /// or seeds of `recorded` that these leave out. More classes or seeds extend the sweep
    /// and are no difference. Empty when these continue it.
    public func differences(from recorded: SweepSettings) -> [String] {
        var differences: [String] = []
        if command != recorded.command { differences.append("command: \(recorded.command) in the sweep, \(command) now") }
        if methods != recorded.methods {
            differences.append("methods: \(recorded.methods.joined(separator: ", ")) in the sweep, \(methods.joined(separator: ", ")) now")
        }
        for name in Set(options.keys).union(recorded.options.keys).sorted() where options[name] != recorded.options[name] {
            differences.append("\(name): \(recorded.options[name] ?? "not given") in the sweep, \(options[name] ?? "not given") now")
        }
        let classesLeftOut = recorded.classes.filter { !classes.contains($0) }
        if !classesLeftOut.isEmpty { differences.append("classes \(classesLeftOut.joined(separator: ", ")) of the sweep left out now") }
        let seedsLeftOut = recorded.seeds.filter { !seeds.contains($0) }
        if !seedsLeftOut.isEmpty { differences.append("seeds \(seedsLeftOut.map(String.init).joined(separator: ", ")) of the sweep left out now") }
        return differences
    }

    /// The settings in `folder`'s `sweep.json`, or `nil` when it has none.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` when it is not a sweep's
    ///   settings.
    public static func read(from folder: URL) throws(ReportError) -> SweepSettings? {
        guard let data = try RunFile.read(RunFile.sweep, in: folder) else { return nil }
        do {
            return try JSONDecoder().decode(SweepSettings.self, from: data)
        } catch {
            throw .unreadableFile(
                path: folder.appendingPathComponent(RunFile.sweep).path,
                expected: "a sweep's settings (command, classes, seeds, methods, options)", found: ReportError.problem(error))
        }
    }

    /// Writes `sweep.json` into `folder`, atomically.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public func write(into folder: URL) throws(ReportError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw .writeFailed(path: folder.appendingPathComponent(RunFile.sweep).path, reason: error.localizedDescription)
        }
        try RunFile.write(data, to: RunFile.sweep, in: folder)
    }
}
