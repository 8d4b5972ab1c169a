import Datasets
import FCDD
import Foundation
import Report
import Testing

/// A sweep's plan on a small part of the bundled Fashion-MNIST sample: FCDD_CNN28 with a
/// batch of 16 on 32 nominal training images and 100 test images, a checkpoint every epoch.
private func plan(_ point: SweepPoint, epochs: Int = 1) throws -> SweepPlan {
    var data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: try #require(Int(point.normalClass))))
    data.train = try prefix(data.train, 32)
    data.test = try prefix(data.test, 100)
    var recipe = try Recipe.paper(for: data, net: .cnn28)
    recipe.training.epochs = epochs
    recipe.training.batchSize = 16
    recipe.training.seed = point.seed
    let options = RecipeRunOptions(checkpointInterval: 1, evaluationBatchSize: 50, checksEverySample: false)
    return SweepPlan(data: data, runs: [TrainingRun(recipe: recipe, options: options, command: "sweep test", configuration: Data(#"{"test": true}"#.utf8))])
}

/// The first `count` samples of `dataset`.
private func prefix(_ dataset: some ImageDataset, _ count: Int) throws -> any ImageDataset {
    try DatasetSubset(dataset, indices: Array(0..<count))
}

/// The settings of a sweep of classes 0 and 1 with seeds 0 and 1 of FCDD.
private func settings(epochs: Int = 1, seeds: [UInt64] = [0, 1]) -> SweepSettings {
    SweepSettings(command: "sweep test", classes: ["0", "1"], seeds: seeds, methods: ["fcdd"], options: ["epochs": "\(epochs)", "net": "FCDD_CNN28"])
}

/// `values`' mean and sample standard deviation, computed from the definitions in another
/// way than the library (the sum of squares about zero).
private func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double?) {
    let mean = values.reduce(0, +) / Double(values.count)
    guard values.count > 1 else { return (mean, nil) }
    let squares = values.map { $0 * $0 }.reduce(0, +)
    return (mean, max(0, (squares - Double(values.count) * mean * mean) / Double(values.count - 1)).squareRoot())
}

/// The modification date of `file`.
private func modified(_ file: URL) throws -> Date {
    try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
}

/// `results.json` of `folder` as an object.
private func results(in folder: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(RunFile.sweepResults))) as? [String: Any])
}

@Suite("Sweeps: statistics and tables")
struct SweepTableTests {
    @Test("a statistic is the mean and the sample standard deviation (n − 1); one value has none")
    func statistic() throws {
        // HSC on Fashion-MNIST class 0 after 3 epochs, seeds 0, 1 and 2 (issue 20).
        let values = [0.855, 0.585, 0.874]
        let statistic = try #require(SweepTable.Statistic(of: values))
        let expected = meanAndDeviation(values)
        #expect(abs(statistic.mean - expected.mean) < 1e-15 && statistic.seeds == 3)
        #expect(abs(try #require(statistic.standardDeviation) - (expected.deviation ?? .nan)) < 1e-12)
        // numpy.std([0.855, 0.585, 0.874], ddof=1)
        #expect(abs(try #require(statistic.standardDeviation) - 0.16164879626317463) < 1e-15)
        #expect(SweepTable.Statistic(of: [0.7]) == SweepTable.Statistic(mean: 0.7, standardDeviation: nil, seeds: 1))
        #expect(SweepTable.Statistic(of: []) == nil)
        #expect(SweepTable.format(statistic) == "0.7713 ± 0.1616" && SweepTable.format(SweepTable.Statistic(of: [0.7])) == "0.7000")
        #expect(SweepTable.format(nil) == "–")
    }

    @Test("per class over seeds, overall the mean of the class means with the spread of each seed's mean; unfinished runs are left out")
    func table() throws {
        let settings = SweepSettings(command: "c", classes: ["a", "b", "c"], seeds: [0, 1, 2], methods: ["fcdd"], options: [:])
        let values: [String: [UInt64: Double]] = ["a": [0: 0.9, 1: 0.8, 2: 0.7], "b": [0: 0.6, 1: 0.5], "c": [0: 0.3, 1: 0.2, 2: 0.4]]
        let runs = settings.points.map { point in
            SweepTable.Run(
                point: point, method: "fcdd", path: point.path,
                metrics: values[point.normalClass]?[point.seed].map { ["image_auroc": $0, "pixel_auroc": $0 / 2] })
        }
        let table = SweepTable(settings: settings, runs: runs)
        #expect(table.finishedRuns == 8)
        let method = try #require(table.methods.first)
        #expect(method.classes.map(\.runs) == [3, 2, 3])
        for row in method.classes {
            let expected = meanAndDeviation(settings.seeds.compactMap { values[row.normalClass]?[$0] })
            let statistic = try #require(row.metrics["image_auroc"])
            #expect(abs(statistic.mean - expected.mean) < 1e-12)
            #expect(abs((statistic.standardDeviation ?? .nan) - (expected.deviation ?? .nan)) < 1e-12)
        }
        // Overall: the mean of the three class means; the spread over seeds 0 and 1, the only
        // seeds with every class (seed 2 has no run of b).
        let overall = try #require(method.overall["image_auroc"])
        #expect(abs(overall.mean - (0.8 + 0.55 + 0.3) / 3) < 1e-12)
        let seedMeans = [(0.9 + 0.6 + 0.3) / 3, (0.8 + 0.5 + 0.2) / 3]
        #expect(abs((overall.standardDeviation ?? .nan) - (meanAndDeviation(seedMeans).deviation ?? .nan)) < 1e-12 && overall.seeds == 2)
        #expect(method.overallClasses["image_auroc"] == 3)

        let lines = table.markdown.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "# c: 3 classes × 3 seeds")
        #expect(lines[2].hasPrefix("Seeds 0, 1, 2; 8 of 9 runs finished. Mean ± sample standard deviation (n − 1) over seeds"))
        #expect(lines.contains("| class | runs | image_auroc | pixel_auroc |"))
        #expect(lines.contains("| b | 2 | 0.5500 ± 0.0707 | 0.2750 ± 0.0354 |"))
        #expect(lines.contains("| mean | 8 | 0.5500 ± 0.0707 | 0.2750 ± 0.0354 |"))

        let json = try #require(try JSONSerialization.jsonObject(with: table.json()) as? [String: Any])
        #expect(json["classes"] as? [String] == ["a", "b", "c"] && json["seeds"] as? [Int] == [0, 1, 2] && json["command"] as? String == "c")
        let methods = try #require(json["methods"] as? [[String: Any]])
        let overallJSON = try #require((methods.first?["overall"] as? [String: Any])?["image_auroc"] as? [String: Any])
        // JSONSerialization writes numbers to about 15 digits.
        #expect(abs(try #require(overallJSON["mean"] as? Double) - overall.mean) < 1e-12)
        #expect(abs(try #require(overallJSON["std"] as? Double) - (overall.standardDeviation ?? .nan)) < 1e-12)
        #expect(overallJSON["seeds"] as? Int == 2 && overallJSON["classes"] as? Int == 3)
        let jsonRuns = try #require(json["runs"] as? [[String: Any]])
        #expect(jsonRuns.count == 9)
        let missing = try #require(jsonRuns.first { $0["class"] as? String == "b" && $0["seed"] as? Int == 2 })
        #expect(missing["metrics"] is NSNull && missing["folder"] as? String == "class-b/seed-2")
        // A class of one run has a mean and no standard deviation (null).
        let single = SweepTable(
            settings: settings, runs: [SweepTable.Run(point: SweepPoint(normalClass: "a", seed: 0), method: "fcdd", path: "x", metrics: ["image_auroc": 0.5])])
        let singleJSON = try #require(try JSONSerialization.jsonObject(with: single.json()) as? [String: Any])
        let firstClass = try #require(((singleJSON["methods"] as? [[String: Any]])?.first?["classes"] as? [[String: Any]])?.first)
        #expect(((firstClass["metrics"] as? [String: Any])?["image_auroc"] as? [String: Any])?["std"] is NSNull)
    }

    @Test("other settings are refused naming each difference; more classes or seeds extend the sweep; bad settings are typed errors")
    func settingsRecorded() throws {
        let folder = temporaryDirectory("sweep-settings")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try settings().write(into: folder)
        #expect(try SweepSettings.read(from: folder) == settings())
        _ = try Sweep(folder: folder, settings: settings())
        _ = try Sweep(folder: folder, settings: settings(seeds: [0, 1, 2, 3, 4]))
        var other = settings(epochs: 3, seeds: [1])
        other.options["oe"] = "cifar100"
        other.options["net"] = nil
        let path = folder.appendingPathComponent(RunFile.sweep).path
        #expect(
            throws: ReportError.sweepMismatch(
                path: path,
                differences: [
                    "epochs: 1 in the sweep, 3 now", "net: FCDD_CNN28 in the sweep, not given now", "oe: not given in the sweep, cifar100 now",
                    "seeds 0 of the sweep left out now",
                ])
        ) { try Sweep(folder: folder, settings: other) }
        var compared = settings()
        compared.command = "sweep compare"
        compared.methods = ["fcdd", "hsc", "ae"]
        compared.classes = ["1"]
        #expect(
            throws: ReportError.sweepMismatch(
                path: path,
                differences: [
                    "command: sweep test in the sweep, sweep compare now", "methods: fcdd in the sweep, fcdd, hsc, ae now",
                    "classes 0 of the sweep left out now",
                ])
        ) { try Sweep(folder: folder, settings: compared) }
        #expect(
            "\(ReportError.sweepMismatch(path: path, differences: ["epochs: 1 in the sweep, 3 now"]))"
                == "\(path): the folder holds a sweep with other settings (epochs: 1 in the sweep, 3 now); run it again with its settings to continue it, or give the new sweep another folder"
        )

        let bad: [(SweepSettings, ReportError)] = [
            (
                SweepSettings(command: "c", classes: [], seeds: [0], methods: ["fcdd"], options: [:]),
                .invalidSweep(field: "classes", expected: "at least one", found: "none")
            ),
            (
                SweepSettings(command: "c", classes: ["0"], seeds: [0, 3, 0], methods: ["fcdd"], options: [:]),
                .invalidSweep(field: "seeds", expected: "each once", found: "0 twice")
            ),
            (
                SweepSettings(command: "c", classes: ["0"], seeds: [], methods: ["fcdd"], options: [:]),
                .invalidSweep(field: "seeds", expected: "at least one", found: "none")
            ),
            (
                SweepSettings(command: "c", classes: ["../x"], seeds: [0], methods: ["fcdd"], options: [:]),
                .invalidSweep(field: "classes", expected: "names a folder can have (not empty, . or .., without /)", found: "\"../x\"")
            ),
            (
                SweepSettings(command: "c", classes: ["0"], seeds: [0], methods: ["fcdd", "fcdd"], options: [:]),
                .invalidSweep(field: "methods", expected: "each once", found: "fcdd twice")
            ),
        ]
        for (settings, error) in bad {
            #expect(throws: error) { try Sweep(folder: temporaryDirectory("sweep-unused"), settings: settings) }
        }
        try Data("[1, 2]".utf8).write(to: folder.appendingPathComponent(RunFile.sweep))
        #expect(throws: ReportError.self) { try Sweep(folder: folder, settings: settings()) }
        #expect(throws: ReportError.notARunFolder(path: folder.appendingPathComponent("none").path, found: [])) {
            try SweepReport(folder: folder.appendingPathComponent("none"))
        }
    }
}

@Suite("Sweeps: runs", .serialized)
struct SweepRunTests {
    @Test("every class and seed runs in its own folder; the table, its JSON and the page agree with the runs' metrics.json")
    func sweep() throws {
        let folder = temporaryDirectory("sweep")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try Sweep(folder: folder, settings: settings())
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        var started: [SweepPoint] = []
        var fractions: [Double] = []
        let outcome = try sweep.run(
            plan: { try plan($0) },
            events: { event in
                if case .starting = event.kind { started.append(event.point) }
                fractions.append(event.progress.fraction)
                return .proceed
            })
        #expect(outcome.isComplete && started == settings().points)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 } && fractions.last == 1)
        #expect(try SweepSettings.read(from: folder) == settings())

        // Each pair's folder holds the run's files and report.
        var metrics: [SweepPoint: [String: Double]] = [:]
        for point in settings().points {
            let runFolder = folder.appendingPathComponent("class-\(point.normalClass)/seed-\(point.seed)")
            #expect(runFolder == sweep.runFolder(of: point, method: "fcdd"))
            for file in ["metrics.json", "model.safetensors", "config.json", "history.csv", "scores.csv", "report.html", "checkpoint.safetensors"] {
                #expect(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(file).path), "\(point.path)/\(file)")
            }
            let values = try #require(try MetricsFile.read(from: runFolder))
            metrics[point] = values
        }
        // Different seeds gave different runs.
        #expect(metrics[SweepPoint(normalClass: "0", seed: 0)]?["threshold"] != metrics[SweepPoint(normalClass: "0", seed: 1)]?["threshold"])

        // results.json: per class the mean and sample standard deviation of the runs' values, overall the mean of the class means.
        let json = try results(in: folder)
        let method = try #require((json["methods"] as? [[String: Any]])?.first)
        #expect(method["method"] as? String == "fcdd")
        var classMeans: [Double] = []
        for row in try #require(method["classes"] as? [[String: Any]]) {
            let normalClass = try #require(row["class"] as? String)
            let values = try [UInt64(0), 1].map { try #require(metrics[SweepPoint(normalClass: normalClass, seed: $0)]?["image_auroc"]) }
            let expected = meanAndDeviation(values)
            let statistic = try #require((row["metrics"] as? [String: Any])?["image_auroc"] as? [String: Any])
            #expect(abs(try #require(statistic["mean"] as? Double) - expected.mean) < 1e-12)
            #expect(abs(try #require(statistic["std"] as? Double) - (expected.deviation ?? .nan)) < 1e-12)
            #expect(row["runs"] as? Int == 2)
            classMeans.append(expected.mean)
        }
        let overall = try #require((method["overall"] as? [String: Any])?["image_auroc"] as? [String: Any])
        #expect(abs(try #require(overall["mean"] as? Double) - classMeans.reduce(0, +) / 2) < 1e-12)
        let seedMeans = try [UInt64(0), 1].map { seed in
            try ["0", "1"].map { try #require(metrics[SweepPoint(normalClass: $0, seed: seed)]?["image_auroc"]) }.reduce(0, +) / 2
        }
        #expect(abs(try #require(overall["std"] as? Double) - (meanAndDeviation(seedMeans).deviation ?? .nan)) < 1e-12)
        #expect(outcome.table == (try sweep.table()))

        // results.md: one row per class and the mean, as the table formats them.
        let markdown = try String(contentsOf: folder.appendingPathComponent(RunFile.sweepTable), encoding: .utf8)
        #expect(markdown == outcome.table.markdown)
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(rows.map { $0.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } == ["class", "0", "1", "mean"])

        // report.html: the sections, a link to every run's report, and every link resolves.
        let html = try String(contentsOf: folder.appendingPathComponent(RunFile.report), encoding: .utf8)
        #expect(html.contains("<title>Sweep: sweep test, 2 classes × 2 seeds</title>"))
        for section in ["results", "runs", "settings", "files"] { #expect(html.contains("<section id=\"\(section)\">"), "\(section)") }
        #expect(html.contains("4 of 4 runs finished"))
        for point in settings().points { #expect(html.contains("href=\"\(point.path)/report.html\""), "\(point.path)") }
        for file in [RunFile.sweepTable, RunFile.sweepResults, RunFile.sweep] { #expect(html.contains("href=\"\(file)\"")) }
        for link in PageChecks.attributeValues("href", in: html) {
            guard let target = PageChecks.target(of: link, in: folder) else { continue }
            #expect(FileManager.default.fileExists(atPath: target.path), "\(link)")
        }
        #expect(html.contains("<td><strong>\(SweepTable.format(outcome.table.methods[0].overall["image_auroc"]))</strong></td>"))
        // Results: a header, two classes and the mean; runs: a header and four runs; settings:
        // command, classes, seeds, methods and the two options.
        let (opened, closed) = PageChecks.balance(of: "tr", in: html)
        #expect(opened == closed && opened == 4 + 5 + 6)

        // fcdd report rebuilds the page and the table from the run folders.
        try FileManager.default.removeItem(at: folder.appendingPathComponent(RunFile.sweepResults))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("class-1/seed-0/report.html"))
        #expect(try ReportWriter.write(folder: folder) == folder.appendingPathComponent(RunFile.report))
        #expect(try results(in: folder)["runs"] as? [[String: Any]] != nil)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("class-1/seed-0/report.html").path))
        #expect(try String(contentsOf: folder.appendingPathComponent(RunFile.report), encoding: .utf8) == html)
    }

    @Test("an interrupted sweep continues: finished runs are not trained again, a run stopped in the middle continues from its checkpoint")
    func resume() throws {
        let folder = temporaryDirectory("sweep-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = settings(epochs: 2)
        let sweep = try Sweep(folder: folder, settings: settings)
        let points = settings.points
        func metricsFile(_ index: Int) -> URL { sweep.runFolder(of: points[index], method: "fcdd").appendingPathComponent(RunFile.metrics) }

        // Stop after the second run.
        var finished = 0
        let first = try sweep.run(
            plan: { try plan($0, epochs: 2) },
            events: { event in
                if case .finished = event.kind { finished += 1 }
                return finished == 2 ? .stop : .proceed
            })
        #expect(!first.isComplete && first.table.finishedRuns == 2)
        #expect(FileManager.default.fileExists(atPath: metricsFile(1).path) && !FileManager.default.fileExists(atPath: metricsFile(2).path))
        let html = try String(contentsOf: folder.appendingPathComponent(RunFile.report), encoding: .utf8)
        #expect(html.contains("2 of 4 runs finished") && html.contains("not finished"))
        let dates = try (0..<2).map { try modified(metricsFile($0)) }

        // Stop the third run in its second epoch: its checkpoint holds the first epoch, nothing is published.
        var started: [SweepPoint] = []
        let second = try sweep.run(
            plan: { try plan($0, epochs: 2) },
            events: { event in
                if case .starting = event.kind { started.append(event.point) }
                if case let .step(step) = event.kind, step.epoch == 1 { return .stop }
                return .proceed
            })
        #expect(!second.isComplete && started == [points[2]])
        #expect(!FileManager.default.fileExists(atPath: metricsFile(2).path))
        let checkpoint = TrainingRun.checkpointURL(in: sweep.runFolder(of: points[2], method: "fcdd"))
        #expect(FileManager.default.fileExists(atPath: checkpoint.path))
        #expect(try String(contentsOf: folder.appendingPathComponent(RunFile.report), encoding: .utf8).contains("continues from its checkpoint"))

        // The same sweep again: runs 3 (from its checkpoint) and 4 only.
        var resumed: [SweepPoint: Int?] = [:]
        var skipped: [SweepPoint] = []
        let third = try Sweep(folder: folder, settings: settings).run(
            plan: { try plan($0, epochs: 2) },
            events: { event in
                switch event.kind {
                case let .starting(prepared): resumed[event.point] = prepared.resumedEpochs
                case .skipped: skipped.append(event.point)
                default: break
                }
                #expect(event.progress.finishedBefore == 2)
                return .proceed
            })
        #expect(third.isComplete && skipped == Array(points.prefix(2)))
        #expect(resumed == [points[2]: 1, points[3]: nil])
        #expect(try (0..<2).map { try modified(metricsFile($0)) } == dates)
        let history = try #require(try TrainingHistory.read(from: sweep.runFolder(of: points[2], method: "fcdd")))
        #expect(history.rows.map(\.epoch) == [0, 1])

        // A run whose metrics.json is gone runs again (its checkpoint is complete, so it only evaluates); the others are kept.
        try FileManager.default.removeItem(at: metricsFile(0))
        let kept = try (1..<4).map { try modified(metricsFile($0)) }
        var steps = 0
        started = []
        let fourth = try sweep.run(
            plan: { try plan($0, epochs: 2) },
            events: { event in
                if case .starting = event.kind { started.append(event.point) }
                if case .step = event.kind { steps += 1 }
                return .proceed
            })
        #expect(fourth.isComplete && fourth.table.finishedRuns == 4 && started == [points[0]] && steps == 0)
        #expect(try (1..<4).map { try modified(metricsFile($0)) } == kept)
    }

    @Test("an error before anything of a new sweep was kept leaves no trace; a plan of other methods is refused")
    func failures() throws {
        let parent = temporaryDirectory("sweep-failures")
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let folder = parent.appendingPathComponent("sweep")
        struct Missing: Error {}
        #expect(throws: Missing.self) { try Sweep(folder: folder, settings: settings()).run(plan: { _ in throw Missing() }) }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        // The recipe fails in prepare, after the run folder was made.
        #expect(throws: RecipeError.self) {
            try Sweep(folder: folder, settings: settings()).run(plan: { point in
                var plan = try plan(point)
                plan.runs[0].recipe.sigma = -1
                return plan
            })
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        var compared = settings()
        compared.methods = ["fcdd", "hsc"]
        #expect(throws: ReportError.invalidSweep(field: "plan of class 0, seed 0", expected: "runs of fcdd, hsc in that order", found: "fcdd")) {
            try Sweep(folder: folder, settings: compared).run(plan: { try plan($0) })
        }
    }
}
