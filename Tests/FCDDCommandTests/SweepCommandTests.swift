import ArgumentParser
import Foundation
import Report
import Testing

@testable import FCDDCommand

/// The modification date of `file`.
private func modified(_ file: URL) throws -> Date {
    try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
}

@Suite("fcdd command: sweep options")
struct SweepOptionTests {
    @Test("--seeds and --normal-class all or a list make a sweep; bad lists are refused naming the entry")
    func options() throws {
        #expect(try TrainCommand.parse(["--normal-class", "all"]).data.normalClasses == (0..<10).map(String.init))
        #expect(try TrainCommand.parse(["--normal-class", "3,07"]).data.normalClasses == ["3", "7"])
        #expect(try TrainCommand.parse(["--dataset", "mvtec", "--data", "/x", "--normal-class", "1,grid"]).data.normalClasses == ["cable", "grid"])
        #expect(try TrainCommand.parse(["--dataset", "mvtec", "--data", "/x", "--normal-class", "all"]).data.normalClasses.count == 15)
        // A folder's sub-folder name may hold a comma.
        #expect(try TrainCommand.parse(["--dataset", "folder", "--data", "/x", "--normal-class", "a,b"]).data.normalClasses == ["a,b"])
        #expect(try TrainCommand.parse(["--seeds", "0,1,2,3,4"]).seeds?.values == [0, 1, 2, 3, 4])
        #expect(try TrainCommand.parse(["--seeds", "4"]).isSweep && !TrainCommand.parse([]).isSweep && TrainCommand.parse(["--normal-class", "1,2"]).isSweep)

        #expect(
            message(["train", "--dataset", "folder", "--data", "/x", "--normal-class", "all"])
                .hasPrefix("--normal-class all: a folder data set has no list of classes to sweep"))
        #expect(message(["train", "--normal-class", "0,10"]) == "--normal-class must be in 0...9 for fashion-mnist, found 10.")
        #expect(message(["train", "--normal-class", "0,"]) == "--normal-class must be in 0...9 for fashion-mnist, found .")
        #expect(message(["train", "--normal-class", "1,01"]) == "--normal-class 1,01 names the class 1 twice.")
        #expect(
            message(["train", "--dataset", "mvtec", "--data", "/x", "--normal-class", "0,bottle"]) == "--normal-class 0,bottle names the class bottle twice.")
        #expect(
            message(["train", "--dataset", "mvtec", "--data", "/x", "--normal-class", "bottle,teapot"]).contains(
                "--normal-class teapot is not an MVTec-AD category"))
        #expect(message(["train", "--seeds", "0,2,0"]) == "--seeds 0,2,0 names the seed 0 twice.")
        #expect(message(["train", "--seeds", "0,x"]).contains("--seeds"))
        #expect(message(["compare", "--seeds", "1,1"]) == "--seeds 1,1 names the seed 1 twice.")
        #expect(
            message(["evaluate", "--model", "m", "--normal-class", "all"]) == "fcdd evaluate measures one model on one normal class, found --normal-class all.")
        #expect(
            message(["evaluate", "--model", "m", "--normal-class", "1,2"]) == "fcdd evaluate measures one model on one normal class, found --normal-class 1,2.")
    }

    @Test("the options a sweep records leave out the class, seed, output and compute settings")
    func recordedOptions() throws {
        let options = try TrainCommand.parse(["--normal-class", "all", "--seeds", "0,1", "--epochs", "3", "--output", "x", "--threads", "1", "--resume"])
            .sweepOptions
        #expect(
            options == [
                "--dataset": "fashion-mnist", "--epochs": "3", "--objective": "fcdd", "--gradient-method": "grad",
                "--threshold-quantile": "0.95", "--pixel-threshold-quantile": "0.99",
            ])
    }
}

@Suite("fcdd command: sweeps", .serialized)
struct SweepCommandTests {
    @Test("fcdd train --seeds: a run per seed, the table, and a refusal of other options naming them")
    func trainSweep() async throws {
        let (root, output) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, output] { try? FileManager.default.removeItem(at: url) } }
        let arguments = [
            "--dataset", "folder", "--data", root.path, "--normal-class", "good", "--mask-pattern", "{name}_mask.png",
            "--net", "FCDD_CNN28", "--image-size", "28", "--epochs", "1", "--batch-size", "4", "--seeds", "0,1", "--output", output.path,
        ]
        try await TrainCommand.parse(arguments).run()
        var values: [Double] = []
        for seed in [0, 1] {
            let run = output.appendingPathComponent("class-good/seed-\(seed)")
            values.append(try #require(try metrics(in: run)["pixel_auroc"]))
            // Each run's config.json repeats it alone (fcdd train --config).
            let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
            #expect(config["seed"] as? Int == seed && config["normalClass"] as? String == "good")
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("report.html").path))
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any])
        let row = try #require(((json["methods"] as? [[String: Any]])?.first?["classes"] as? [[String: Any]])?.first)
        let pixel = try #require((row["metrics"] as? [String: Any])?["pixel_auroc"] as? [String: Any])
        let mean = values.reduce(0, +) / 2
        #expect(abs(try #require(pixel["mean"] as? Double) - mean) < 1e-12)
        #expect(abs(try #require(pixel["std"] as? Double) - abs(values[0] - values[1]) / 2.squareRoot()) < 1e-12)
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("| class | runs | image_auroc | pixel_auroc | pixel_aupro |") && markdown.contains("| good | 2 | "))
        let settings = try #require(try SweepSettings.read(from: output))
        #expect(settings.classes == ["good"] && settings.seeds == [0, 1] && settings.methods == ["fcdd"] && settings.options["--epochs"] == "1")

        // Other options into the same folder: refused before anything is trained, naming the difference.
        let dates = try [0, 1].map { try modified(output.appendingPathComponent("class-good/seed-\($0)/metrics.json")) }
        await #expect {
            try await TrainCommand.parse(arguments.map { $0 == "1" ? "2" : $0 } + ["--seeds", "0,1,2"]).run()
        } throws: { error in
            "\(error)".contains("--epochs: 1 in the sweep, 2 now") && !"\(error)".contains("seeds")
        }
        // The same command continues (here: nothing left to train).
        try await TrainCommand.parse(arguments).run()
        #expect(try [0, 1].map { try modified(output.appendingPathComponent("class-good/seed-\($0)/metrics.json")) } == dates)
    }

    @Test("fcdd compare --seeds: a comparison per seed, a table per method; a lost method run is trained again alone")
    func compareSweep() async throws {
        let (root, output) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, output] { try? FileManager.default.removeItem(at: url) } }
        let arguments = [
            "--output", output.path, "--columns", "4", "--dataset", "folder", "--data", root.path, "--normal-class", "good",
            "--mask-pattern", "{name}_mask.png", "--net", "FCDD_CNN28", "--image-size", "28", "--epochs", "1", "--batch-size", "4",
            "--seeds", "0,1",
        ]
        try await CompareCommand.parse(arguments).run()
        for seed in [0, 1] {
            let pair = output.appendingPathComponent("class-good/seed-\(seed)")
            for file in ["comparison.json", "comparison.md", "comparison.png", "report.html", "fcdd/metrics.json", "hsc/report.html", "ae/model.safetensors"] {
                #expect(FileManager.default.fileExists(atPath: pair.appendingPathComponent(file).path), "seed \(seed): \(file)")
            }
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any])
        let methods = try #require(json["methods"] as? [[String: Any]])
        #expect(methods.map { $0["method"] as? String } == ["fcdd", "hsc", "ae"])
        #expect(methods.allSatisfy { (($0["classes"] as? [[String: Any]])?.first?["runs"] as? Int) == 2 })
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("## fcdd") && markdown.contains("## hsc") && markdown.contains("## ae"))
        let page = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        for link in ["class-good/seed-1/report.html", "class-good/seed-1/hsc/report.html", "results.md", "results.json", "sweep.json"] {
            #expect(page.contains("href=\"\(link)\""), "\(link)")
        }
        #expect(try SweepSettings.read(from: output)?.options["--columns"] == "4")

        // seed 1's HSC run and the comparison are lost: only they are written again.
        let pair = output.appendingPathComponent("class-good/seed-1")
        for file in ["hsc/metrics.json", "comparison.json"] { try FileManager.default.removeItem(at: pair.appendingPathComponent(file)) }
        let kept = try ["class-good/seed-0/hsc", "class-good/seed-1/fcdd", "class-good/seed-1/ae"].map {
            try modified(output.appendingPathComponent("\($0)/metrics.json"))
        }
        try await CompareCommand.parse(arguments).run()
        #expect(
            try ["class-good/seed-0/hsc", "class-good/seed-1/fcdd", "class-good/seed-1/ae"].map {
                try modified(output.appendingPathComponent("\($0)/metrics.json"))
            } == kept)
        #expect(FileManager.default.fileExists(atPath: pair.appendingPathComponent("hsc/metrics.json").path))
        let rows = try #require(try ComparisonTable.read(from: pair)?.rows)
        #expect(rows.map(\.method) == ["fcdd", "hsc", "ae"])
        #expect(rows.first?.metrics["image_auroc"] == (try metrics(in: pair.appendingPathComponent("fcdd"))["image_auroc"]))
    }
}
