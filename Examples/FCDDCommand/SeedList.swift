import ArgumentParser

/// `--seeds 0,1,2,3,4`: the seeds of a sweep, comma-separated.
struct SeedList: ExpressibleByArgument, CustomStringConvertible {
    /// The seeds in the order given.
    let values: [UInt64]

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        self.values = values.compactMap { $0 }
    }

    /// The first seed given twice, if any.
    var repeated: UInt64? {
        var seen = Set<UInt64>()
        return values.first { !seen.insert($0).inserted }
    }

    var description: String { values.map(String.init).joined(separator: ",") }
}
