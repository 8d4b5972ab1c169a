import Datasets
import Foundation
import Testing

@testable import FCDD

// FCDD's per-class normalisation constants against the tables that
// Scripts/make_transform_fixtures.py writes (Fixtures/normalization_tables.json, copied as data
// from the official code).

private struct NormalizationTableFixture: Decodable {
    struct Entry: Decodable {
        let name: String
        let lcnMinimum: [Double]
        let lcnMaximum: [Double]
        let mean: [Double]
        let std: [Double]
    }

    let tables: [String: [Entry]]

    static func load() throws -> NormalizationTableFixture {
        let url = try #require(Bundle.module.url(forResource: "normalization_tables", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(NormalizationTableFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("FCDD's normalisation tables")
struct NormalizationTableTests {
    @Test("the constant tables match FCDD's, entry by entry")
    func tables() throws {
        let fixture = try NormalizationTableFixture.load()
        for benchmark in FCDDBenchmark.allCases {
            let reference = try #require(fixture.tables[benchmark.rawValue])
            #expect(benchmark.classStatistics.count == reference.count)
            for (index, entry) in reference.enumerated() {
                let statistics = try benchmark.statistics(normalClass: index)
                #expect(statistics.className == entry.name)
                #expect(statistics.lcnMinimum == entry.lcnMinimum, "\(benchmark) \(entry.name) LCN minimum")
                #expect(statistics.lcnMaximum == entry.lcnMaximum, "\(benchmark) \(entry.name) LCN maximum")
                #expect(statistics.mean == entry.mean, "\(benchmark) \(entry.name) mean")
                #expect(statistics.standardDeviation == entry.std, "\(benchmark) \(entry.name) std")
            }
        }
        #expect(FCDDBenchmark.fashionMNIST.classStatistics.count == 10)
        #expect(FCDDBenchmark.cifar10.classStatistics.count == 10)
        #expect(FCDDBenchmark.mvtecAD.classStatistics.count == 15)
    }

    @Test("the transforms built from a class use that class's constants")
    func transforms() throws {
        let statistics = try FCDDBenchmark.mvtecAD.statistics(normalClass: 5)
        let scaling = try MinMaxScaling(benchmark: .mvtecAD, normalClass: 5)
        #expect(scaling.minimum == statistics.lcnMinimum && scaling.maximum == statistics.lcnMaximum)
        let normalize = try Normalize(statistics: try FCDDBenchmark.cifar10.statistics(normalClass: 3))
        #expect(normalize.mean == FCDDNormalizationTables.cifar10[3].mean.map { Float($0) })
        #expect(normalize.standardDeviation == FCDDNormalizationTables.cifar10[3].standardDeviation.map { Float($0) })
    }

    @Test("a class outside the benchmark is an error that names the valid range")
    func unknownClass() {
        #expect {
            try FCDDBenchmark.cifar10.statistics(normalClass: 10)
        } throws: { error in
            (error as? DatasetError)?.description == "FCDDBenchmark.cifar10: normal class must be a class index in 0..<10, found 10"
        }
        #expect(throws: DatasetError.self) { try MinMaxScaling(benchmark: .fashionMNIST, normalClass: -1) }
    }
}
