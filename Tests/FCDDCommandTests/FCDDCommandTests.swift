import ArgumentParser
import Datasets
import FCDD
import Foundation
import NN
import Report
import TensorCore
import Testing

@testable import FCDDCommand

/// The error `body` throws (a test failure when it throws none).
private func caught(_ body: () throws -> Void) -> any Error {
    do {
        try body()
    } catch {
        return error
    }
    Issue.record("expected an error")
    return CancellationError()
}

/// A fresh temporary directory.
func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-command-\(UUID().uuidString)", isDirectory: true)
}

/// The `metrics.json` in `directory`.
func metrics(in directory: URL) throws -> [String: Double] {
    try JSONDecoder().decode([String: Double].self, from: Data(contentsOf: directory.appendingPathComponent("metrics.json")))
}

@Suite("fcdd command: options")
struct FCDDCommandOptionTests {
    @Test("under an MPI launcher of several processes only train runs")
    func launcher() throws {
        let two = ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"]
        try DistributedRun.refuseUnlessTrain(try FCDDCommand.parseAsRoot(["train"]), environment: two)
        let evaluate = try FCDDCommand.parseAsRoot(["evaluate", "--model", "m"])
        try DistributedRun.refuseUnlessTrain(evaluate, environment: [:])
        try DistributedRun.refuseUnlessTrain(evaluate, environment: ["OMPI_COMM_WORLD_SIZE": "1"])
        let error = #expect(throws: ValidationError.self) { try DistributedRun.refuseUnlessTrain(evaluate, environment: two) }
        #expect(
            error?.message
                == "fcdd evaluate runs in one process, but an MPI launcher started 2 (OMPI_COMM_WORLD_SIZE=2, OMPI_COMM_WORLD_RANK=0); only fcdd train runs over several."
        )
    }

    @Test("bad options are refused with a message naming what was expected")
    func badOptions() {
        #expect(message(["train", "--dataset", "imagenet"]).contains("'fashion-mnist', 'mnist', 'cifar10', 'mvtec' or 'folder'"))
        #expect(message(["train", "--normal-class", "10"]) == "--normal-class must be in 0...9 for fashion-mnist, found 10.")
        #expect(message(["train", "--net", "FCDD_CNN99"]).contains("is not an FCDD net; expected one of FCDD_CNN28"))
        #expect(message(["train", "--noise", "sparkles"]).contains("--noise sparkles is not a noise mode"))
        #expect(message(["train", "--dataset", "cifar10"]) == "--dataset cifar10 needs --data DIR.")
        #expect(
            message(["train", "--dataset", "mvtec", "--data", "/x", "--normal-class", "teapot"]).contains("is not an MVTec-AD category; expected one of bottle")
        )
        #expect(message(["train", "--dataset", "folder", "--data", "/x", "--test-fraction", "1.5"]) == "--test-fraction must be in (0, 1), found 1.5.")
        #expect(message(["train", "--supervised-anomalies", "1"]) == "--supervised-anomalies needs a data set with masks (mvtec or folder).")
        #expect(message(["train", "--net", "FCDD_CNN224_VGG_F"]).contains("give --backbone FILE"))
        #expect(message(["train", "--epochs", "0"]) == "--epochs must be in 1...100000, found 0.")
        #expect(message(["train", "--epochs", "9223372036854775807"]) == "--epochs must be in 1...100000, found 9223372036854775807.")
        #expect(
            message(["train", "--batch-size", "65536", "--acc-batches", "4096"])
                == "--batch-size × --acc-batches must be in 1...1048576, found 268435456.")
        #expect(message(["train", "--image-size", "100000"]) == "--image-size must be in 1...4096 on each side, found 100000.")
        #expect(message(["train", "--image-size", "224×0"]) == "--image-size must be in 1...4096 on each side, found 224×0.")
        #expect(message(["train", "--image-size", "224×"]).contains("--image-size"))
        #expect(message(["train", "--image-size", "2x3x4"]).contains("--image-size"))
        #expect(message(["train", "--gauss-std", "inf"]) == "--gauss-std must be finite and at least 0.001, found inf.")
        #expect(message(["train", "--gauss-std", "1e-300"]) == "--gauss-std must be finite and at least 0.001, found 1e-300.")
        #expect(message(["train", "--learning-rate", "nan"]) == "--learning-rate must be finite and positive, found nan.")
        #expect(message(["train", "--threads", "100000"]) == "--threads must be in 1...1024, found 100000.")
        #expect(message(["predict", "--model", "m", "--threshold", "nan", "image.png"]) == "--threshold must be a finite number, found nan.")
        #expect(message(["predict", "--model", "m", "--pixel-threshold", "inf", "image.png"]) == "--pixel-threshold must be a finite number, found inf.")
        #expect(message(["predict", "--model", "m"]).contains("path"))
        #expect(message(["train", "--pixel-threshold-quantile", "0"]) == "--pixel-threshold-quantile must be in [0.01, 1], found 0.0.")
        #expect(message(["evaluate", "--dataset", "mnist"]).contains("--model"))
        #expect(message(["train", "--objective", "dsvdd"]) == "--objective dsvdd is not an objective; expected one of fcdd, hsc, ae.")
        #expect(message(["train", "--gradient-method", "ig0"]).contains("--gradient-method ig0 is not a method"))
        #expect(message(["report"]).contains("Missing expected argument '<run-folder>'"))
    }

    @Test("fcdd report refuses a folder that no run wrote, naming what it expected")
    func reportOfNoRun() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let command = try ReportCommand.parse([folder.path])
        #expect(throws: ReportError.notARunFolder(path: folder.path, found: [])) { try command.run() }
        #expect(
            FCDDCommand.message(for: ReportError.notARunFolder(path: folder.path, found: []))
                .contains("is not a run folder: expected metrics.json (written by fcdd train and fcdd evaluate) or comparison.json"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
    }

    @Test("negative numbers reach the range checks instead of reading as a missing value")
    func negativeNumbers() {
        #expect(message(["train", "--epochs", "-3"]) == "--epochs must be in 1...100000, found -3.")
        #expect(message(["train", "--normal-class", "-1"]) == "--normal-class must be in 0...9 for fashion-mnist, found -1.")
        #expect(message(["train", "--dataset", "folder", "--data", "/x", "--test-fraction", "-0.5"]) == "--test-fraction must be in (0, 1), found -0.5.")
        #expect(!message(["train", "--learning-rate", "-1e-3", "--epochs", "0"]).contains("Missing value"))
        // A value is still required.
        #expect(message(["train", "--epochs"]).contains("Missing value"))
    }

    @Test("--max-… options parse sizes with units, refuse nonsense and raise DatasetLimits.default")
    func limitOptions() throws {
        #expect(ByteCount(argument: "2GiB")?.bytes == 2 << 30 && ByteCount(argument: "512M")?.bytes == 512 << 20)
        #expect(ByteCount(argument: "64KiB")?.bytes == 64 << 10 && ByteCount(argument: "1000")?.bytes == 1000)
        for bad in ["", "GiB", "-1MiB", "1.5GiB", "12TiB", "9223372036854775807GiB", "many"] { #expect(ByteCount(argument: bad) == nil, "\(bad)") }
        #expect(message(["train", "--max-decoding", "lots"]).contains("--max-decoding"))
        #expect(message(["train", "--max-image-samples", "0"]) == "--max-image-samples must be at least 1, found 0.")
        #expect(message(["train", "--max-decoding", "0"]) == "--max-decoding must be at least 1 byte, found 0.")

        // Raised, never lowered here: other tests read images in parallel under the default.
        let before = DatasetLimits.default
        defer { DatasetLimits.setDefault(before) }
        let options = try DataOptions.parse(["--max-decompressed", "3GiB", "--max-image-samples", "300000000", "--max-decoding", "8GiB"])
        options.limits.apply()
        #expect(DatasetLimits.default == DatasetLimits(maximumDecompressedBytes: 3 << 30, maximumImageSamples: 300_000_000, maximumDecodingBytes: 8 << 30))
    }

    @Test("--config repeats a run from its config.json; options given after it override the file")
    func configRoundTrip() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let original = try TrainCommand.parse([
            "--normal-class", "3", "--seed", "5", "--net", "FCDD_CNN28", "--epochs", "2", "--batch-size", "8", "--acc-batches", "2",
            "--learning-rate", "0.005", "--weight-decay", "0.0001", "--noise", "confetti", "--supervise-mode", "malformed-normal",
            "--gauss-std", "1.5", "--threshold-quantile", "0.9", "--checkpoint-interval", "2", "--output", directory.path,
        ])
        func record(_ command: TrainCommand) throws -> Data {
            let recipe = try command.makeRecipe(for: command.data.load(), objective: .fcdd)
            return try JSONEncoder.pretty.encode(RunRecord(command: command, recipe: recipe, net: try recipe.netName))
        }
        let file = directory.appendingPathComponent("config.json")
        try record(original).write(to: file)

        let repeated = try TrainCommand.parse(RunConfigurationFile.expand(["--config", file.path]))
        #expect(try record(repeated) == record(original))
        let varied = try TrainCommand.parse(RunConfigurationFile.expand(["--epochs", "7", "--config=\(file.path)", "--seed", "9"]))
        #expect(varied.epochs == 7 && varied.data.seed == 9 && varied.batchSize == 8 && varied.noise == "confetti" && varied.gaussStd == 1.5)

        // compare takes the file too; the recorded objective gives way to compare's own.
        let compare = try RunConfigurationFile.expandCommandLine(["compare", "--config", file.path, "--output", "x"])
        #expect(compare.first == "compare" && !compare.contains("--objective") && compare.suffix(2) == ["--output", "x"])
        #expect(try RunConfigurationFile.expandCommandLine(["evaluate", "--config", "f"]) == ["evaluate", "--config", "f"])

        // Files that are not a run's config are refused, naming the file.
        let notJSON = directory.appendingPathComponent("notes.txt")
        try Data("epochs: 3".utf8).write(to: notJSON)
        let noDataset = directory.appendingPathComponent("other.json")
        try Data(#"{"epochs": 3}"#.utf8).write(to: noDataset)
        for (path, fragment) in [
            (directory.appendingPathComponent("missing.json").path, "cannot read the file"), (notJSON.path, "does not read as one"),
            (noDataset.path, "no \"dataset\""),
        ] {
            #expect(throws: ValidationError.self) { _ = try RunConfigurationFile.expand(["--config", path]) }
            #expect(FCDDCommand.message(for: caught { _ = try RunConfigurationFile.expand(["--config", path]) }).contains(fragment))
        }
        #expect(FCDDCommand.message(for: caught { _ = try RunConfigurationFile.expand(["--config"]) }).contains("--config needs a file"))
        // Parsed without the expansion (FCDDCommand.main expands), the option is refused.
        #expect(message(["train", "--config", file.path]).contains("is expanded by the fcdd command line"))
    }

    @Test("a missing data directory is a typed error and creates no output")
    func missingData() async throws {
        let output = temporaryDirectory()
        let command = try TrainCommand.parse(["--dataset", "cifar10", "--data", "/nonexistent-fcdd-data", "--output", output.path])
        await #expect(throws: DatasetError.self) { try await command.run() }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("a net that cannot take the image size is refused before anything is written")
    func wrongImageSize() async throws {
        let (root, output) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, output] { try? FileManager.default.removeItem(at: url) } }
        let command = try TrainCommand.parse([
            "--dataset", "folder", "--data", root.path, "--normal-class", "good", "--net", "FCDD_CNN28", "--image-size", "3", "--output", output.path,
        ])
        await #expect(throws: RecipeError.self) { try await command.run() }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}

@Suite("fcdd command: runs", .serialized)
struct FCDDCommandRunTests {
    @Test("train on the bundled sample writes every file; evaluate and predict read the model back")
    func trainEvaluatePredict() async throws {
        let (trained, evaluated, predicted) = (temporaryDirectory(), temporaryDirectory(), temporaryDirectory())
        defer { for url in [trained, evaluated, predicted] { try? FileManager.default.removeItem(at: url) } }
        let train = try TrainCommand.parse(["--epochs", "1", "--normal-class", "1", "--output", trained.path])
        try await train.run()
        for file in [
            "metrics.json", "model.safetensors", "history.csv", "config.json", "scores.csv", "heatmaps.png", "checkpoint.safetensors",
            "curves.json", "report.html", "report/run.json", "report/training-batch.png", "report/roc.svg", "report/loss.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: trained.appendingPathComponent(file).path), "\(file)")
        }
        let trainMetrics = try metrics(in: trained)
        let auc = try #require(trainMetrics["image_auroc"])
        #expect(trainMetrics["world_size"] == 1)
        // The model carries the heatmap calibration measured on the nominal training images.
        let model = try AnomalyPredictor(contentsOf: trained.appendingPathComponent("model.safetensors"))
        let calibration = try #require(model.heatmapCalibration)
        #expect(calibration.pixelQuantile == 0.99 && trainMetrics["pixel_threshold"] == Double(calibration.pixelThreshold))
        #expect(auc >= 0 && auc <= 1)
        #expect(trainMetrics["pixel_auroc"] == nil)
        let history = try String(contentsOf: trained.appendingPathComponent("history.csv"), encoding: .utf8).split(separator: "\n")
        #expect(history.first == "epoch,learning_rate,loss,nominal_score,anomalous_score,seconds,data_seconds,step_seconds")
        #expect(history.count == 2)
        // The epoch's wait for data and its steps are parts of its wall time.
        let times = history.dropFirst().first.map { $0.split(separator: ",").suffix(3).compactMap { Double($0) } } ?? []
        #expect(times.count == 3 && times[1] >= 0 && times[2] > 0 && times[1] + times[2] <= times[0], "\(times)")
        #expect(try String(contentsOf: trained.appendingPathComponent("scores.csv"), encoding: .utf8).split(separator: "\n").count == 1001)

        let evaluate = try EvaluateCommand.parse(["--model", trained.path, "--normal-class", "1", "--output", evaluated.path])
        try await evaluate.run()
        #expect(try metrics(in: evaluated)["image_auroc"] == auc)
        #expect(try metrics(in: evaluated)["threshold"] == trainMetrics["threshold"])
        // evaluate's report has the evaluation's sections, not the training's.
        let evaluatedPage = try String(contentsOf: evaluated.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(evaluatedPage.contains("<section id=\"gallery\">") && !evaluatedPage.contains("<section id=\"training\">"))
        #expect(try RunDescription.read(from: evaluated)?.command == "fcdd evaluate")

        // fcdd report builds the page again from the files alone.
        let page = trained.appendingPathComponent("report.html")
        let written = try String(contentsOf: page, encoding: .utf8)
        try FileManager.default.removeItem(at: page)
        try FileManager.default.removeItem(at: trained.appendingPathComponent("report/roc.svg"))
        try ReportCommand.parse([trained.path]).run()
        #expect(try String(contentsOf: page, encoding: .utf8) == written)
        #expect(FileManager.default.fileExists(atPath: trained.appendingPathComponent("report/roc.svg").path))

        let image = try FashionMNIST.bundledSample(split: .test).sample(at: 0).image
        let imageURL = predicted.appendingPathComponent("in.png")
        try FileManager.default.createDirectory(at: predicted, withIntermediateDirectories: true)
        try Image(tensor: image).writePNG(to: imageURL, bitDepth: 8)
        // The same file name in another folder gets its own overlay.
        let twinURL = predicted.appendingPathComponent("other/in.png")
        try FileManager.default.createDirectory(at: twinURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Image(tensor: FashionMNIST.bundledSample(split: .test).sample(at: 1).image).writePNG(to: twinURL, bitDepth: 8)
        let predict = try PredictCommand.parse(["--model", trained.path, "--output", predicted.path, imageURL.path, twinURL.path])
        try await predict.run()
        let rows = try String(contentsOf: predicted.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 3 && rows[0] == "path,score,decision,threshold,overlay,mask,error")
        #expect(rows[1].hasSuffix(",in-heatmap.png,,") && rows[2].hasSuffix(",in-2-heatmap.png,,"))
        #expect(FileManager.default.fileExists(atPath: predicted.appendingPathComponent("in-heatmap.png").path))
        #expect(FileManager.default.fileExists(atPath: predicted.appendingPathComponent("in-2-heatmap.png").path))
    }

    @Test("folder data with masks: pixel metrics; real anomalies leave the test set")
    func folderWithMasks() async throws {
        let (root, trained, evaluated) = (try FolderFixture.write(), temporaryDirectory(), temporaryDirectory())
        defer { for url in [root, trained, evaluated] { try? FileManager.default.removeItem(at: url) } }
        let dataArguments = [
            "--dataset", "folder", "--data", root.path, "--normal-class", "good", "--mask-pattern", "{name}_mask.png",
            "--test-fraction", "0.25", "--supervised-anomalies", "1", "--seed", "3",
        ]
        let options = try DataOptions.parse(dataArguments)
        let loaded = try options.load()
        let real = try #require(loaded.realAnomalies)
        #expect(loaded.train.count == 9 && real.count == 2 && loaded.test.count == 3 + 8)
        let testNames = Set(try (0..<loaded.test.count).map { try loaded.test.sample(at: $0).name })
        let realNames = try (0..<real.count).map { try real.sample(at: $0).name }
        #expect(realNames.allSatisfy { !testNames.contains($0) })
        #expect(Set(realNames.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent }) == ["scratch", "spot"])

        let train = try TrainCommand.parse(
            dataArguments + [
                "--net", "FCDD_CNN28", "--image-size", "28", "--epochs", "2", "--batch-size", "4", "--output", trained.path,
            ])
        try await train.run()
        let trainMetrics = try metrics(in: trained)
        for key in ["image_auroc", "pixel_auroc", "pixel_aupro"] {
            let value = try #require(trainMetrics[key], "\(key)")
            #expect(value >= 0 && value <= 1)
        }
        let evaluate = try EvaluateCommand.parse(dataArguments + ["--model", trained.path, "--output", evaluated.path])
        try await evaluate.run()
        let evaluatedMetrics = try metrics(in: evaluated)
        #expect(evaluatedMetrics["pixel_auroc"] == trainMetrics["pixel_auroc"] && evaluatedMetrics["pixel_aupro"] == trainMetrics["pixel_aupro"])
    }
}

@Suite("fcdd command: predict", .serialized)
struct FCDDCommandPredictTests {
    /// A model file of a small FCDD net, calibrated on 16 nominal images of the bundled
    /// sample unless `calibrated` is false (a file as written before calibrations existed).
    private func writeModel(in directory: URL, calibrated: Bool = true) throws -> URL {
        var generator = SeededGenerator(seed: 3)
        let predictor = AnomalyPredictor(
            net: FCDDNetKind.cnn28.makeNet(inputChannels: 1, using: &generator), objective: FCDDObjective(sigma: 1.2),
            preprocessing: .fashionMNIST(normalClass: 0), inputSize: 28, inputChannels: 1)
        if calibrated {
            let nominal = try DatasetSubset(
                OneClassView(FashionMNIST.bundledSample(split: .train), normalClasses: [0], split: .train), indices: Array(0..<16))
            try predictor.calibrate(onNominal: nominal)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("model.safetensors")
        try predictor.save(to: url)
        return url
    }

    /// `base/photos/{a/x.png, b/x.png (56×40 colour), b/broken.png}` and `base/more/photos/x.png`.
    private func writeImages(in base: URL) throws -> [URL] {
        let test = try FashionMNIST.bundledSample(split: .test)
        let files = ["photos/a/x.png", "photos/b/x.png", "more/photos/x.png"].map { base.appendingPathComponent($0) }
        for (index, file) in files.enumerated() {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            var image = try Image(tensor: test.sample(at: index).image)
            if index == 1 {  // another size and channel count than the model's input
                let big = try test.sample(at: index).image.unsqueezed(axis: 0).resized(to: Size2D(40, 56), mode: .bilinear).squeezed(axis: 0)
                image = try Image(tensor: big).converted(toChannels: 3)
            }
            try image.writePNG(to: file, bitDepth: 8)
        }
        try Data("not an image".utf8).write(to: base.appendingPathComponent("photos/b/broken.png"))
        return [base.appendingPathComponent("photos"), base.appendingPathComponent("more/photos")]
    }

    @Test("folders: the output mirrors the input tree; tables, overlays at the image's size and masks; unreadable files listed at the end")
    func folders() async throws {
        let (base, output) = (temporaryDirectory(), temporaryDirectory())
        defer { for url in [base, output] { try? FileManager.default.removeItem(at: url) } }
        let model = try writeModel(in: base.appendingPathComponent("model"))
        let roots = try writeImages(in: base)
        let command = try PredictCommand.parse(["--model", model.path, "--output", output.path, "--masks", "--threshold", "0.5"] + roots.map(\.path))
        await #expect {
            try await command.run()
        } throws: { error in
            guard case let .unreadableSamples(_, failures, total)? = error as? DatasetError else { return false }
            return total == 1 && failures.first?.description.contains("photos/b/broken.png") == true
        }
        // Everything else was written and published.
        let stems = ["photos/a/x", "photos/b/x", "photos-2/x"]
        for stem in stems {
            for suffix in ["-heatmap.png", "-mask.png"] {
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(stem + suffix).path), "\(stem + suffix)")
            }
        }
        let overlay = try Image(contentsOf: output.appendingPathComponent("photos/b/x-heatmap.png"))
        #expect(overlay.width == 56 && overlay.height == 40 && overlay.channels == 3)
        let mask = try Image(contentsOf: output.appendingPathComponent("photos/b/x-mask.png"))
        #expect(mask.width == 56 && mask.height == 40 && mask.channels == 1 && Set(mask.pixels).isSubset(of: [0, 1]))

        let csv = try String(contentsOf: output.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n")
        let json = try String(contentsOf: output.appendingPathComponent("predictions.jsonl"), encoding: .utf8).split(separator: "\n")
        let rows = try json.map { try JSONDecoder().decode(PredictionRow.self, from: Data($0.utf8)) }
        #expect(csv.count == 5 && csv[0] == Substring(PredictionRow.csvHeader) && rows.count == 4)
        #expect(csv.dropFirst().map(String.init) == rows.map(\.csvRecord))
        #expect(rows.map(\.path) == ["photos/a/x.png", "photos/b/broken.png", "photos/b/x.png", "more/photos/x.png"].map { base.path + "/" + $0 })
        #expect(rows.map(\.overlay) == ["photos/a/x-heatmap.png", nil, "photos/b/x-heatmap.png", "photos-2/x-heatmap.png"])
        #expect(rows.map(\.mask) == ["photos/a/x-mask.png", nil, "photos/b/x-mask.png", "photos-2/x-mask.png"])
        #expect(rows.allSatisfy { $0.threshold == 0.5 } && rows[1].score == nil && rows[1].error?.contains("broken.png") == true)
        // The scores are those of the library's single-image prediction.
        let predictor = try AnomalyPredictor(contentsOf: model)
        for row in rows where row.error == nil {
            let score = try predictor.predict(image: Image(contentsOf: URL(fileURLWithPath: row.path))).score
            #expect(row.score == score && row.isAnomalous == (score > 0.5), "\(row.path)")
        }
        #expect(
            try Image(contentsOf: output.appendingPathComponent("photos/a/x-mask.png")).pixels
                == predictor.mask(of: predictor.predict(image: Image(contentsOf: roots[0].appendingPathComponent("a/x.png"))), size: Size2D(28, 28)).pixels)
        // No staging folder or temporary file is left.
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: output.path).filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a model without a calibration: overlays scaled per image; --masks needs --pixel-threshold; missing paths are named")
    func olderModel() async throws {
        let (base, output) = (temporaryDirectory(), temporaryDirectory())
        defer { for url in [base, output] { try? FileManager.default.removeItem(at: url) } }
        let model = try writeModel(in: base.appendingPathComponent("model"), calibrated: false)
        let image = base.appendingPathComponent("photos/a/x.png")
        try FileManager.default.createDirectory(at: image.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Image(tensor: FashionMNIST.bundledSample(split: .test).sample(at: 0).image).writePNG(to: image, bitDepth: 8)
        await #expect {
            try await PredictCommand.parse(["--model", model.path, "--output", output.path, "--masks", image.path]).run()
        } throws: { error in
            "\(error)".contains("--masks needs a pixel threshold")
        }
        let missing = base.appendingPathComponent("nowhere")
        await #expect {
            try await PredictCommand.parse(["--model", model.path, "--output", output.path, image.path, missing.path]).run()
        } throws: { error in
            guard case let .missingFiles(_, expected, _)? = error as? DatasetError else { return false }
            return expected == [missing.path]
        }
        #expect(!FileManager.default.fileExists(atPath: output.path), "nothing is created before the inputs are found")
        try await PredictCommand.parse(["--model", model.path, "--output", output.path, "--masks", "--pixel-threshold", "0.1", image.path]).run()
        let rows = try String(contentsOf: output.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 2 && rows[1].hasSuffix(",x-heatmap.png,x-mask.png,") && rows[1].contains(",,,x-heatmap"), "no threshold, no decision")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("x-mask.png").path))
    }
}

@Suite("fcdd command: MVTec-AD layout and resume", .serialized)
struct FCDDCommandMVTecTests {
    @Test("mvtec: the reference's pipeline on an MVTec-AD layout; real anomalies leave the test set")
    func mvtecLayout() async throws {
        let (root, trained) = (try FolderFixture.writeMVTec(), temporaryDirectory())
        defer { for url in [root, trained] { try? FileManager.default.removeItem(at: url) } }
        let dataArguments = ["--dataset", "mvtec", "--data", root.path, "--normal-class", "bottle", "--supervised-anomalies", "1"]
        let loaded = try DataOptions.parse(dataArguments).load()
        #expect(loaded.train.count == 8 && loaded.realAnomalies?.count == 2 && loaded.test.count == 4 + 6)
        #expect(try loaded.train.sample(at: 0).image.shape[0] == 3)  // grey categories get three channels, as FCDD does
        let train = try TrainCommand.parse(
            dataArguments + [
                "--net", "FCDD_CNN28", "--image-size", "28", "--epochs", "1", "--batch-size", "4", "--output", trained.path,
            ])
        try await train.run()
        let values = try metrics(in: trained)
        #expect(["image_auroc", "pixel_auroc", "pixel_aupro"].allSatisfy { values[$0].map { (0...1).contains($0) } ?? false })
    }

    @Test("--resume continues from the checkpoint of an interrupted run")
    func resume() async throws {
        let (root, trained) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, trained] { try? FileManager.default.removeItem(at: url) } }
        let arguments = [
            "--dataset", "folder", "--data", root.path, "--normal-class", "good", "--net", "FCDD_CNN28", "--image-size", "28",
            "--batch-size", "4", "--checkpoint-interval", "1", "--output", trained.path,
        ]
        try await TrainCommand.parse(arguments + ["--epochs", "1"]).run()
        try await TrainCommand.parse(arguments + ["--epochs", "3", "--resume"]).run()
        let history = try String(contentsOf: trained.appendingPathComponent("history.csv"), encoding: .utf8).split(separator: "\n")
        // The resumed run's files cover the whole run: the first epoch came with the checkpoint.
        #expect(history.dropFirst().map { $0.split(separator: ",")[0] } == ["0", "1", "2"])
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: trained.appendingPathComponent("metrics.json"))) as? [String: Any]
        let seconds = history.dropFirst().compactMap { Double($0.split(separator: ",")[5]) }.reduce(0, +)
        #expect(abs((metrics?["train_seconds"] as? Double ?? -1) - seconds) < 1e-9)
        // Resuming with other training options names them.
        await #expect {
            try await TrainCommand.parse(arguments + ["--epochs", "4", "--resume", "--learning-rate", "0.5"]).run()
        } throws: { error in
            "\(error)".contains("training.learningRate") && "\(error)".contains("0.5 now")
        }
        // An output path that is a file is named as such, before any work.
        let file = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("x".utf8).write(to: file)
        await #expect {
            try await TrainCommand.parse(arguments.dropLast() + [file.path]).run()
        } throws: { error in
            "\(error)".contains("a file of that name exists") && !"\(error)".contains("NSCocoaErrorDomain")
        }
        // No staging folder or temporary file is left in the run folder.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: trained.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        let missing = temporaryDirectory()
        await #expect(throws: ValidationError.self) {
            try await TrainCommand.parse(arguments.dropLast() + [missing.path, "--resume"]).run()
        }
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }
}

@Suite("fcdd command: baselines", .serialized)
struct FCDDCommandBaselineTests {
    @Test("hsc and ae train, save and evaluate with the net paired with the FCDD net", arguments: ["hsc", "ae"])
    func baseline(objective: String) async throws {
        let (root, trained, evaluated) = (try FolderFixture.write(), temporaryDirectory(), temporaryDirectory())
        defer { for url in [root, trained, evaluated] { try? FileManager.default.removeItem(at: url) } }
        let dataArguments = ["--dataset", "folder", "--data", root.path, "--normal-class", "good", "--mask-pattern", "{name}_mask.png"]
        try await TrainCommand.parse(
            dataArguments + [
                "--objective", objective, "--net", "FCDD_CNN28", "--image-size", "28", "--epochs", "2", "--batch-size", "4", "--output", trained.path,
                "--gradient-method", "ig4",
            ]
        ).run()
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: trained.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["objective"] as? String == objective)
        // Integrated gradients explain the HSC net; the autoencoder ignores the option.
        #expect(config?["gradientMethod"] as? String == (objective == "hsc" ? "ig4" : nil))
        let model = try SafeTensors(contentsOf: trained.appendingPathComponent("model.safetensors"))
        #expect(model.metadata["gradient_method"] == (objective == "hsc" ? "ig4" : nil))
        #expect(config?["net"] as? String == (objective == "hsc" ? "CNN28" : "AE28"))
        let values = try metrics(in: trained)
        #expect(["image_auroc", "pixel_auroc", "pixel_aupro"].allSatisfy { values[$0].map { (0...1).contains($0) } ?? false })
        try await EvaluateCommand.parse(dataArguments + ["--model", trained.path, "--output", evaluated.path]).run()
        #expect(try metrics(in: evaluated)["image_auroc"] == values["image_auroc"])
    }

    @Test("rectangular inputs end to end: --image-size H×W trains, saves, reloads and predicts at that size")
    func rectangularInputs() async throws {
        let (root, trained) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, trained] { try? FileManager.default.removeItem(at: url) } }
        let train = try TrainCommand.parse([
            "--dataset", "folder", "--data", root.path, "--normal-class", "good", "--mask-pattern", "{name}_mask.png",
            "--net", "FCDD_CNN28", "--image-size", "24x32", "--epochs", "1", "--batch-size", "4", "--output", trained.path,
        ])
        try await train.run()
        let pixelAUC = try #require(try metrics(in: trained)["pixel_auroc"])
        #expect(pixelAUC >= 0 && pixelAUC <= 1)
        let predictor = try AnomalyPredictor(contentsOf: trained.appendingPathComponent("model.safetensors"))
        #expect(predictor.inputSize == Size2D(24, 32))
        let image = try Image(contentsOf: root.appendingPathComponent("spot/0.png"))
        #expect(try predictor.predict(image: image).heatmap.shape == [24, 32])
        let config = try String(contentsOf: trained.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains(#""imageSize" : "24×32""#), "\(config)")
    }

    @Test("a baseline without a paired net or of another size is refused before anything is written")
    func unpairedBaseline() async throws {
        let (root, output) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, output] { try? FileManager.default.removeItem(at: url) } }
        let base = ["--dataset", "folder", "--data", root.path, "--normal-class", "good", "--output", output.path, "--objective", "hsc"]
        await #expect(throws: RecipeError.self) { try await TrainCommand.parse(base + ["--net", "FCDD_CNN32", "--image-size", "32"]).run() }
        await #expect(throws: RecipeError.self) { try await TrainCommand.parse(base + ["--net", "FCDD_CNN28", "--image-size", "32"]).run() }
        // A backbone only fits the VGG nets.
        let file = output.deletingLastPathComponent().appendingPathComponent("not-a-vgg-\(UUID().uuidString).safetensors")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        await #expect(throws: RecipeError.backbone(net: "CNN28", channels: 1)) {
            try await TrainCommand.parse(base + ["--net", "FCDD_CNN28", "--image-size", "28", "--backbone", file.path]).run()
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}

@Suite("fcdd command: compare", .serialized)
struct FCDDCommandCompareTests {
    @Test("compare trains the three objectives on one test set and writes the table and the figure")
    func compare() async throws {
        let (root, output) = (try FolderFixture.write(), temporaryDirectory())
        defer { for url in [root, output] { try? FileManager.default.removeItem(at: url) } }
        try await CompareCommand.parse([
            "--output", output.path, "--columns", "4", "--dataset", "folder", "--data", root.path, "--normal-class", "good",
            "--mask-pattern", "{name}_mask.png", "--net", "FCDD_CNN28", "--image-size", "28", "--epochs", "1", "--batch-size", "4",
        ]).run()
        for objective in ["fcdd", "hsc", "ae"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("\(objective)/model.safetensors").path))
        }
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("comparison.json"))) as? [[String: Any]])
        #expect(rows.map { $0["method"] as? String } == ["fcdd", "hsc", "ae"])
        #expect(rows.map { $0["net"] as? String } == ["FCDD_CNN28", "CNN28", "AE28"])
        for row in rows {
            let fromRun = try metrics(in: output.appendingPathComponent(row["method"] as! String))
            for key in ["image_auroc", "pixel_auroc", "pixel_aupro"] {
                let (table, run) = (try #require(row[key] as? Double), try #require(fromRun[key]))
                #expect(abs(table - run) <= 1e-12 * max(1, abs(run)), "\(key): \(table) vs \(run)")
            }
        }
        let table = try String(contentsOf: output.appendingPathComponent("comparison.md"), encoding: .utf8).split(separator: "\n")
        #expect(table.count == 5 && table[0] == "| method | net | image_auroc | pixel_auroc | pixel_aupro |")
        let figure = try Image(contentsOf: output.appendingPathComponent("comparison.png"))
        #expect(figure.width > 4 * 28 && figure.height > 5 * 28)
        let page = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        for link in ["fcdd/report.html", "hsc/report.html", "ae/report.html", "report/roc.svg", "report/pro.svg", "comparison.png"] {
            #expect(page.contains("\"\(link)\""), "\(link)")
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(link).path), "\(link)")
        }
    }

    @Test("compare refuses options it sets itself and nets without baselines")
    func refusals() {
        func compareMessage(_ arguments: [String]) -> String { message(["compare"] + arguments) }
        #expect(compareMessage(["--objective", "hsc"]).contains("is set by fcdd compare"))
        #expect(compareMessage(["--net", "FCDD_CNN32"]).contains("the reference pairs no baselines with FCDD_CNN32"))
        // The VGG nets pair with the VGG baselines, so folder data's default net compares.
        #expect(compareMessage(["--dataset", "folder", "--data", "/x", "--normal-class", "good"]) == "parsed")
        // A pair shares its input size, so the default image size suits both.
        #expect(compareMessage(["--dataset", "folder", "--data", "/x", "--normal-class", "good", "--net", "FCDD_CNN28"]) == "parsed")
        #expect(
            compareMessage(["--dataset", "folder", "--data", "/x", "--normal-class", "good", "--net", "FCDD_CNN28", "--image-size", "32"])
                == "the baselines of FCDD_CNN28 take 28×28 images, found --image-size 32.")
    }
}

/// A small image folder written for the tests: `good/` with 12 textured grey images and
/// two defect folders with 5 images each carrying a bright square, each image 30×36 with a
/// `{name}_mask.png` mask beside it (all zero for the good ones).
enum FolderFixture {
    static func write() throws -> URL {
        let root = temporaryDirectory()
        var random = SeededGenerator(seed: 42)
        for (folder, count) in [("good", 12), ("scratch", 5), ("spot", 5)] {
            let directory = root.appendingPathComponent(folder, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for index in 0..<count {
                let (height, width) = (30, 36)
                var pixels = (0..<(height * width)).map { _ in 0.3 + 0.2 * random.nextUnitFloat() }
                var mask = [Float](repeating: 0, count: height * width)
                if folder != "good" {
                    let (top, left) = (3 + index * 3, 4 + index * 4)
                    for y in top..<(top + 6) {
                        for x in left..<(left + 6) {
                            pixels[y * width + x] = 1
                            mask[y * width + x] = 1
                        }
                    }
                }
                try Image(width: width, height: height, channels: 1, pixels: pixels).writePNG(to: directory.appendingPathComponent("\(index).png"), bitDepth: 8)
                try Image(width: width, height: height, channels: 1, pixels: mask).writePNG(
                    to: directory.appendingPathComponent("\(index)_mask.png"), bitDepth: 8)
            }
        }
        return root
    }

    /// An MVTec-AD layout for the category `bottle`: 8 good training images, 4 good test
    /// images and two defect types with 4 images each and their masks.
    static func writeMVTec() throws -> URL {
        let root = temporaryDirectory()
        let category = root.appendingPathComponent("bottle", isDirectory: true)
        var random = SeededGenerator(seed: 7)
        for (folder, count) in [("train/good", 8), ("test/good", 4), ("test/broken", 4), ("test/contamination", 4)] {
            let directory = category.appendingPathComponent(folder, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let defect = folder.hasSuffix("good") ? nil : String(folder.split(separator: "/")[1])
            let maskDirectory = defect.map { category.appendingPathComponent("ground_truth/\($0)", isDirectory: true) }
            if let maskDirectory { try FileManager.default.createDirectory(at: maskDirectory, withIntermediateDirectories: true) }
            for index in 0..<count {
                let size = 32
                var pixels = (0..<(size * size)).map { _ in 0.4 + 0.2 * random.nextUnitFloat() }
                var mask = [Float](repeating: 0, count: size * size)
                if defect != nil {
                    for y in (4 + index * 4)..<(10 + index * 4) {
                        for x in 8..<14 {
                            pixels[y * size + x] = 0
                            mask[y * size + x] = 1
                        }
                    }
                }
                let name = String(format: "%03d", index)
                try Image(width: size, height: size, channels: 1, pixels: pixels).writePNG(to: directory.appendingPathComponent("\(name).png"), bitDepth: 8)
                if let maskDirectory {
                    try Image(width: size, height: size, channels: 1, pixels: mask).writePNG(
                        to: maskDirectory.appendingPathComponent("\(name)_mask.png"), bitDepth: 8)
                }
            }
        }
        return root
    }
}
