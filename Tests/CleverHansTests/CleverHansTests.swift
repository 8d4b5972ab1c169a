import Datasets
import Explain
import Foundation
import TensorCore
import Testing

@testable import CleverHans

/// A temporary directory holding a CIFAR-10 `data_batch_1.bin` with `perClass` images of
/// each of `classes`: each class a flat colour of its own, each image shifted by a
/// deterministic pseudo-random pattern.
private func syntheticCIFAR(classes: [Int], perClass: Int) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clever-hans-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var bytes: [UInt8] = []
    var state: UInt32 = 12345
    for image in 0..<perClass {
        for label in classes {  // interleaved, as in the real files
            bytes.append(UInt8(label))
            for channel in 0..<3 {
                let colour = (label * 67 + channel * 101 + image) % 190
                for _ in 0..<1024 {
                    state = state &* 1_664_525 &+ 1_013_904_223
                    bytes.append(UInt8(colour + Int(state >> 26)))
                }
            }
        }
    }
    try Data(bytes).write(to: directory.appendingPathComponent("data_batch_1.bin"))
    return directory
}

/// The tiny study's settings on the data in `directory`.
private func tinySettings(_ directory: URL, seed: UInt64 = 0) -> StudySettings {
    StudySettings(
        data: directory.path, nominalClasses: [0, 1], anomalousClass: 7, imagesPerClass: 40, watermarkedFraction: 0.25, testFraction: 0.2,
        watermarkAlpha: 0.5, epochs: 1, batchSize: 16, accumulatedBatches: 1, learningRate: 1e-3, seed: seed, columns: 2)
}

@Suite("clever-hans: watermark and data")
struct CleverHansDataTests {
    @Test("the watermark blends the © pattern towards white at the bottom-right corner, and nothing else")
    func watermarkPixels() throws {
        let watermark = try Watermark(alpha: 0.5)
        #expect(watermark.box(imageHeight: 32, imageWidth: 32) == PixelRect(x: 23, y: 25, width: 8, height: 6))
        #expect(watermark.box(imageHeight: 32, imageWidth: 32, grownBy: 4) == PixelRect(x: 19, y: 21, width: 13, height: 11))
        let values = (0..<(3 * 32 * 32)).map { Float($0 % 7) / 8 }  // exact in binary
        let sample = DatasetSample(image: Tensor(shape: [3, 32, 32], scalars: values), label: 1, name: "test")
        let marked = try watermark.apply(sample, seed: 0)
        #expect(marked.label == 1 && marked.name == "test")
        let output = marked.image.scalars
        var changed = 0
        for channel in 0..<3 {
            for y in 0..<32 {
                for x in 0..<32 {
                    let offset = (channel * 32 + y) * 32 + x
                    let (row, column) = (y - 25, x - 23)
                    let isSet =
                        (0..<6).contains(row) && (0..<8).contains(column)
                        && Array(Watermark.copyright[row])[column] == "#"
                    let expected = isSet ? values[offset] / 2 + 0.5 : values[offset]
                    #expect(output[offset] == expected, "pixel x \(x), y \(y), channel \(channel)")
                    if output[offset] != values[offset] { changed += 1 }
                }
            }
        }
        // The © has 27 set pixels; a set pixel of value 1 would not change, and none is 1 here.
        #expect(Watermark.copyright.joined().count { $0 == "#" } == 27)
        #expect(changed == 3 * 27)
        // Two exact pixels: the box's top-left corner is clear, the one right of it set.
        #expect(output[25 * 32 + 23] == values[25 * 32 + 23])
        #expect(output[25 * 32 + 24] == values[25 * 32 + 24] * 0.5 + 0.5)
        let masks = watermark.boxMasks(count: 2, imageHeight: 32, imageWidth: 32)
        #expect(masks.shape == [2, 32, 32] && masks.scalars.reduce(0, +) == 96)
        #expect(throws: DatasetError.self) { try Watermark(alpha: 0) }
        let small = DatasetSample(image: Tensor.zeros(shape: [1, 5, 8]), label: 0, name: "small")
        #expect(throws: DatasetError.self) { try watermark.apply(small, seed: 0) }
    }

    @Test("the seeded split is deterministic, disjoint and keeps each group's proportions")
    func seededSplit() throws {
        let directory = try syntheticCIFAR(classes: [0, 1, 7], perClass: 40)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try CIFAR(directory: directory, split: .train, variant: .cifar10)
        let watermark = try Watermark()
        let first = try StudyData(base: base, settings: tinySettings(directory), watermark: watermark)
        let again = try StudyData(base: base, settings: tinySettings(directory), watermark: watermark)
        let other = try StudyData(base: base, settings: tinySettings(directory, seed: 1), watermark: watermark)
        #expect(first.train.entries == again.train.entries && first.test.entries == again.test.entries)
        #expect(first.test.entries != other.test.entries)
        #expect(Set(first.train.entries.map(\.index)).isDisjoint(with: first.test.entries.map(\.index)))
        #expect(StudyResult.GroupCounts(first.train) == .init(nominal: 64, watermarked: 8, clean: 24))
        #expect(StudyResult.GroupCounts(first.test) == .init(nominal: 16, watermarked: 2, clean: 6))
        let all = first.train.entries + first.test.entries
        #expect(all.allSatisfy { [0, 1].contains(base.labels[$0.index]) == ($0.label == 0) && (!$0.isWatermarked || $0.label == 1) })
        let watermarked = try #require(first.test.entries.firstIndex { $0.isWatermarked })
        let sample = try first.test.sample(at: watermarked)
        #expect(sample.label == 1 && sample.name.hasSuffix(" +watermark"))
        #expect(sample.image.scalars == (try watermark.apply(base.sample(at: first.test.entries[watermarked].index), seed: 0)).image.scalars)
    }
}

@Suite("clever-hans: the study end to end")
struct CleverHansStudyTests {
    /// Runs the command with `arguments` and returns the result it wrote to `output`.
    private func run(_ arguments: [String], output: URL) async throws -> StudyResult {
        try await CleverHansCommand.parse(arguments + ["--threads", "1", "--output", output.path]).run()
        for file in [StudyReport.markdownFile, StudyReport.jsonFile, StudyReport.figureFile] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file)")
        }
        let png = try Data(contentsOf: output.appendingPathComponent(StudyReport.figureFile))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        return try JSONDecoder().decode(StudyResult.self, from: Data(contentsOf: output.appendingPathComponent(StudyReport.jsonFile)))
    }

    /// Checks that every number of `result` is in range.
    private func expectSane(_ result: StudyResult) {
        #expect(result.uniformShare == 48.0 / 1024 && result.watermarkBox == [23, 25, 8, 6])
        #expect(result.neighbourhoodUniformShare == 143.0 / 1024 && result.neighbourhood == [19, 21, 13, 11])
        #expect(result.methods.map(\.method) == ["FCDD", "HSC"])
        for method in result.methods {
            let shares = [
                method.massShareWatermarked, method.medianMassShareWatermarked, method.massShareClean, method.medianMassShareClean,
                method.neighbourhoodShareWatermarked, method.neighbourhoodShareClean,
            ]
            let aucs = [method.aucWatermarked, method.aucClean, method.aucAll, method.aucWatermarkOnNominal]
            #expect(shares.allSatisfy { $0 > 0 && $0 < 1 }, "\(method.method) shares \(shares)")
            #expect(aucs.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(method.method) AUCs \(aucs)")
            #expect(method.trainSeconds > 0)
        }
    }

    @Test("a tiny study writes its table, JSON and figure with sane numbers")
    func tinyStudy() async throws {
        let directory = try syntheticCIFAR(classes: [0, 1, 7], perClass: 40)
        let output = directory.appendingPathComponent("out", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await run(
            [
                "--data", directory.path, "--nominal", "0", "1", "--anomalous", "7", "--images-per-class", "40", "--epochs", "1",
                "--batch-size", "16", "--columns", "2",
            ], output: output)
        #expect(result.settings == tinySettings(directory))
        #expect(result.nominalClassNames == ["airplane", "automobile"] && result.anomalousClassName == "horse")
        #expect(result.test == .init(nominal: 16, watermarked: 2, clean: 6))
        expectSane(result)
        let table = try String(contentsOf: output.appendingPathComponent(StudyReport.markdownFile), encoding: .utf8)
        #expect(table.contains("| FCDD | FCDD_CNN32_LW3K |") && table.contains("| HSC | CNN32_LW3K |"))
    }

    @Test("bad options are refused with a message")
    func badOptions() {
        for arguments in [["--nominal", "0", "7"], ["--anomalous", "10"], ["--watermarked-fraction", "1"], ["--epochs", "0"], ["--watermark-alpha", "0"]] {
            #expect(throws: (any Error).self, "\(arguments)") { try CleverHansCommand.parse(arguments) }
        }
    }

    @Test(
        "the real study for one epoch (set CLEVER_HANS_FULL_RUN to the CIFAR-10 directory)",
        .enabled(if: ProcessInfo.processInfo.environment["CLEVER_HANS_FULL_RUN"] != nil))
    func fullRun() async throws {
        let data = try #require(ProcessInfo.processInfo.environment["CLEVER_HANS_FULL_RUN"])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("clever-hans-full-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: output) }
        expectSane(try await run(["--data", data, "--epochs", "1"], output: output))
    }
}
