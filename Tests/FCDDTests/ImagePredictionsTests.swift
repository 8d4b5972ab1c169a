import Datasets
import FCDD
import Foundation
import TensorCore
import Testing

// Predicting image files and folders: the rows a Swift user gets, scores equal to those of
// single images, unreadable files reported in their rows, and the CSV and JSON forms.

@Suite("Prediction: files and folders")
struct ImagePredictionsTests {
    /// `root/a/x.png`, `root/b/x.png`, `root/b/c/y.png` (Fashion-MNIST test images 0–2) and a
    /// damaged `root/b/broken.png`.
    static func writeFolder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("predict-folder-\(UUID().uuidString)", isDirectory: true)
        let test = try FashionMNIST.bundledSample(split: .test)
        for (index, path) in ["a/x.png", "b/x.png", "b/c/y.png"].enumerated() {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Image(tensor: test.sample(at: index).image).writePNG(to: url, bitDepth: 8)
        }
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).write(to: root.appendingPathComponent("b/broken.png"))
        return root
    }

    @Test("a folder's scores equal the single images' scores, bit for bit; an unreadable file gets a row with its error")
    func folderEqualsSingleImages() throws {
        let root = try Self.writeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let predictor = try FCDDPredictorTests.makePredictor(threshold: 0.5)
        let inputs = try ImageInput.expand([root])
        #expect(inputs.map(\.relativePath) == ["a/x.png", "b/broken.png", "b/c/y.png", "b/x.png"])
        let results = Array(predictor.predictions(of: inputs))
        #expect(results.map(\.input) == inputs)
        for result in results where result.input.relativePath != "b/broken.png" {
            let scored = try result.outcome.get()
            let alone = try predictor.predict(image: Image(contentsOf: result.input.url))
            #expect(scored.prediction.score == alone.score, "\(result.input.relativePath)")
            #expect(scored.prediction.heatmap.scalars == alone.heatmap.scalars)
            #expect(scored.image == (try Image(contentsOf: result.input.url)))
            #expect(result.row == PredictionRow(path: result.input.path, score: alone.score, isAnomalous: alone.score > 0.5, threshold: 0.5))
        }
        let broken = results[1]
        #expect(throws: DatasetError.self) { try broken.outcome.get() }
        #expect(broken.row.score == nil && broken.row.isAnomalous == nil && broken.row.threshold == 0.5)
        #expect(broken.row.error?.contains("broken.png") == true)
        // The same files given one by one score the same.
        let single = try ImageInput.expand([root.appendingPathComponent("b/x.png")])
        #expect(predictor.predictions(of: single).map(\.row.score) == [results[3].row.score])
    }

    @Test("rows as CSV (quoted where needed) and as JSON lines with every key")
    func rowForms() throws {
        #expect(PredictionRow.csvHeader == "path,score,decision,threshold,overlay,mask,error")
        let row = PredictionRow(path: "a,b/x.png", score: 0.125, isAnomalous: true, threshold: 0.1, overlay: "a/x-heatmap.png")
        #expect(row.csvRecord == "\"a,b/x.png\",0.125,anomalous,0.1,a/x-heatmap.png,,")
        #expect(
            row.jsonLine == #"{"decision":"anomalous","error":null,"mask":null,"overlay":"a/x-heatmap.png","path":"a,b/x.png","score":0.125,"threshold":0.1}"#)
        let failed = PredictionRow(path: "x.png", error: "x.png: expected \"PNG\",\nfound junk")
        #expect(failed.csvRecord == "x.png,,,,,,\"x.png: expected \"\"PNG\"\",\nfound junk\"")
        #expect(!failed.jsonLine.contains("\n"))
        for original in [row, failed, PredictionRow(path: "y.png", score: 0.3, isAnomalous: false)] {
            #expect(try JSONDecoder().decode(PredictionRow.self, from: Data(original.jsonLine.utf8)) == original)
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PredictionRow.self, from: Data(#"{"path":"x","decision":"maybe"}"#.utf8)) }
    }
}
