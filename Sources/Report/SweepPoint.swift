/// One (normal class, seed) pair of a sweep: its runs live in ``path`` inside the sweep's
/// folder (`class-3/seed-0`).
public struct SweepPoint: Sendable, Hashable {
    /// The normal class, as the sweep names it (`3`, `bottle`).
    public let normalClass: String
    /// The seed.
    public let seed: UInt64

    /// A pair; see the properties.
    public init(normalClass: String, seed: UInt64) {
        self.normalClass = normalClass
        self.seed = seed
    }

    /// The pair's folder relative to the sweep's: `class-<class>/seed-<seed>`.
    public var path: String {
        "\(Self.classFolder(normalClass))/seed-\(seed)"
    }

    /// The folder of a class's runs: `class-<class>`.
    static func classFolder(_ normalClass: String) -> String {
        "class-\(normalClass)"
    }
}
