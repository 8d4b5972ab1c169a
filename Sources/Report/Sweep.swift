import FCDD
import Foundation

/// Every (normal class, seed) pair of an experiment, as the paper reports its numbers (five
/// seeds per class, then the mean over the classes): each pair's runs in their own folder
/// (`class-3/seed-0/`, with the files and report of `fcdd train`; with several methods one
/// sub-folder per method and their comparison), and one table over all of them
/// (``SweepTable``: `results.md`, `results.json`) linked from `report.html` (``SweepReport``).
///
/// A sweep continues where it stopped: a run whose folder holds its `metrics.json` is not
/// trained again, a run interrupted in the middle continues from its checkpoint, and the
/// table is built from the run folders. The settings are recorded in `sweep.json`, so the
/// same sweep run again continues, and one with other settings is refused.
///
/// ```swift
/// let settings = SweepSettings(command: "my study", classes: ["0", "1"], seeds: [0, 1, 2, 3, 4], methods: ["fcdd"],
///                              options: ["epochs": "20"])
/// let sweep = try Sweep(folder: URL(fileURLWithPath: "runs/fmnist", isDirectory: true), settings: settings)
/// let outcome = try sweep.run { point in
///     let data = try OneClassData.load(.fashionMNIST(directory: nil, normalClass: Int(point.normalClass)!))
///     var recipe = try Recipe.paper(for: data)
///     recipe.training.epochs = 20
///     recipe.training.seed = point.seed
///     return SweepPlan(data: data, runs: [TrainingRun(recipe: recipe, command: "my study")])
/// }
/// print(outcome.table.markdown)
/// ```
public struct Sweep {
    /// The sweep's folder.
    public let folder: URL
    /// What it runs.
    public let settings: SweepSettings
    /// Whether `sweep.json` was in the folder when the sweep was opened.
    private let wasRecorded: Bool

    /// What ``run(plan:events:)`` did: the table built from the run folders afterwards, and
    /// whether every run has finished.
    public struct Outcome {
        /// The sweep's table.
        public let table: SweepTable
        /// Whether every run of the sweep has finished (not when an event said stop).
        public let isComplete: Bool
    }

    /// Opens the sweep `settings` in `folder`: a new one, or the one recorded there when the
    /// settings continue it (the same command, methods and options; the same or more classes
    /// and seeds). Nothing is written yet.
    ///
    /// - Throws: ``ReportError/invalidSweep(field:expected:found:)`` for settings out of
    ///   range, ``ReportError/sweepMismatch(path:differences:)`` naming each difference from
    ///   the recorded sweep, ``ReportError/unreadableFile(path:expected:found:)`` for a
    ///   `sweep.json` that is not a sweep's.
    public init(folder: URL, settings: SweepSettings) throws(ReportError) {
        try settings.validate()
        let recorded = try SweepSettings.read(from: folder)
        if let recorded {
            let differences = settings.differences(from: recorded)
            guard differences.isEmpty else {
                throw .sweepMismatch(path: folder.appendingPathComponent(RunFile.sweep).path, differences: differences)
            }
        }
        self.folder = folder
        self.settings = settings
        wasRecorded = recorded != nil
    }

    /// The folder of `point`'s runs.
    public func folder(of point: SweepPoint) -> URL {
        folder.appendingPathComponent(point.path, isDirectory: true)
    }

    /// The folder of `point`'s run of `method`: the pair's folder with one method, else its
    /// sub-folder of that name.
    public func runFolder(of point: SweepPoint, method: String) -> URL {
        settings.methods.count == 1 ? folder(of: point) : folder(of: point).appendingPathComponent(method, isDirectory: true)
    }

    /// Whether `point`'s run of `method` has finished: its folder holds `metrics.json`.
    public func isFinished(_ point: SweepPoint, method: String) -> Bool {
        RunFile.exists(RunFile.metrics, in: runFolder(of: point, method: method))
    }

    /// Whether all of `point`'s runs have finished, and with several methods their comparison too.
    public func isComplete(_ point: SweepPoint) -> Bool {
        settings.methods.allSatisfy { isFinished(point, method: $0) }
            && (settings.methods.count == 1 || RunFile.exists(RunFile.comparison, in: folder(of: point)))
    }

    /// Every run with its metrics, as the folders hold them now.
    ///
    /// - Throws: ``ReportError/unreadableFile(path:expected:found:)`` for a `metrics.json`
    ///   that is not a JSON object of numbers.
    public func table() throws(ReportError) -> SweepTable {
        var runs: [SweepTable.Run] = []
        for point in settings.points {
            for method in settings.methods {
                let path = settings.methods.count == 1 ? point.path : "\(point.path)/\(method)"
                runs.append(SweepTable.Run(point: point, method: method, path: path, metrics: try MetricsFile.read(from: runFolder(of: point, method: method))))
            }
        }
        return SweepTable(settings: settings, runs: runs)
    }

    /// Runs every pair that has not finished, in order (class by class, seeds in order within
    /// each): `plan` gives the pair's data and runs, and each run that has not finished is
    /// trained into its folder (continuing from its checkpoint when the folder has one) and
    /// published; with several methods, the pair's comparison is written once all its runs
    /// have finished (methods finished earlier are evaluated again from their model files for
    /// its figure). `sweep.json` is written before the first run trains, and the table and
    /// `report.html` after every run and at the end. `events` hears of every run skipped,
    /// started and finished and of every training step, and may stop the sweep.
    ///
    /// An error before anything of the sweep was kept (a wrong option, missing data) leaves no
    /// trace of it in the folder.
    ///
    /// - Throws: The errors of `plan`, of training and evaluation, and ``ReportError``
    ///   (``ReportError/invalidSweep(field:expected:found:)`` when a plan's runs are not the
    ///   sweep's methods in order).
    @discardableResult
    public func run(plan: (SweepPoint) throws -> SweepPlan, events: (SweepEvent) -> TrainingDecision = { _ in .proceed }) throws -> Outcome {
        let folderExisted = FileManager.default.fileExists(atPath: folder.path)
        do {
            return try withoutActuallyEscaping(events) { events in try runPairs(plan: plan, events: events) }
        } catch {
            if !wasRecorded { removeTraces(folderExisted: folderExisted) }
            throw error
        }
    }

    private func runPairs(plan makePlan: (SweepPoint) throws -> SweepPlan, events: @escaping (SweepEvent) -> TrainingDecision) throws -> Outcome {
        let methods = settings.methods
        let total = settings.points.count * methods.count
        let finishedBefore = settings.points.reduce(0) { count, point in count + methods.filter { isFinished(point, method: $0) }.count }
        var finished = finishedBefore
        func progress(_ current: Double = 0) -> SweepProgress {
            SweepProgress(runs: total, finishedBefore: finishedBefore, finished: finished, currentRun: current)
        }
        func report(_ kind: SweepEvent.Kind, _ point: SweepPoint, _ method: String, _ current: Double = 0) -> TrainingDecision {
            events(SweepEvent(kind: kind, point: point, method: method, folder: runFolder(of: point, method: method), progress: progress(current)))
        }
        func stopped() throws -> Outcome {
            Outcome(table: try summarize(), isComplete: false)
        }

        for point in settings.points {
            if isComplete(point) {
                for method in methods where report(.skipped, point, method) == .stop { return try stopped() }
                continue
            }
            let plan = try makePlan(point)
            let planned = plan.runs.map(\.recipe.objective.rawValue)
            guard planned == methods else {
                throw ReportError.invalidSweep(
                    field: "plan of class \(point.normalClass), seed \(point.seed)",
                    expected: "runs of \(methods.joined(separator: ", ")) in that order", found: planned.joined(separator: ", "))
            }
            var compared: [ComparedMethod] = []
            var stopAfterPair = false
            for (method, run) in zip(methods, plan.runs) {
                let runFolder = runFolder(of: point, method: method)
                if isFinished(point, method: method) {
                    if report(.skipped, point, method) == .stop { return try stopped() }
                    if methods.count > 1 { compared.append(try evaluateAgain(run, method: method, data: plan.data, folder: runFolder)) }
                    continue
                }
                try record()
                let resume = FileManager.default.fileExists(atPath: TrainingRun.checkpointURL(in: runFolder).path)
                let prepared = try run.prepare(on: plan.data, into: runFolder, resume: resume)
                if report(.starting(prepared), point, method) == .stop { return try stopped() }
                // Training first, so that a stop leaves the run unpublished; then the trainer
                // has no epoch left and the prepared run evaluates and writes.
                let trainer = prepared.training.trainer
                try trainer.train(
                    callbacks: TrainingCallbacks(afterStep: { step in
                        let done = Double(step.epoch * step.steps + step.step + 1) / Double(max(1, step.epochs * step.steps))
                        return report(.step(step), point, method, min(1, done))
                    }))
                guard trainer.history.count >= run.recipe.training.epochs else { return try stopped() }
                let outcome = try prepared.train()
                finished += 1
                _ = try summarize()
                if report(.finished(outcome), point, method) == .stop {
                    guard method == methods.last, methods.count > 1 else { return try stopped() }
                    stopAfterPair = true
                }
                compared.append(ComparedMethod(outcome))
            }
            if methods.count > 1 {
                try ComparisonFiles(
                    methods: compared, test: plan.data.test, title: "\(plan.data.description), nominal: \(plan.data.normalClassName)",
                    columns: plan.comparisonColumns
                ).write(into: folder(of: point))
            }
            if stopAfterPair { return try stopped() }
        }
        return Outcome(table: try summarize(), isComplete: settings.points.allSatisfy(isComplete))
    }

    /// Records the settings and writes the table and the page; returns the table.
    private func summarize() throws(ReportError) -> SweepTable {
        try record()
        let report = try SweepReport(sweep: self)
        try report.write()
        return report.table
    }

    /// Writes `sweep.json` unless the folder holds these settings already.
    private func record() throws(ReportError) {
        if try SweepSettings.read(from: folder) != settings { try settings.write(into: folder) }
    }

    /// A finished method of a pair whose comparison is missing, evaluated again from its model
    /// file for the comparison's figure.
    private func evaluateAgain(_ run: TrainingRun, method: String, data: OneClassData, folder: URL) throws -> ComparedMethod {
        let predictor = try AnomalyPredictor(contentsOf: folder.appendingPathComponent(RunFile.model))
        let evaluation = try predictor.evaluate(data.test, batchSize: run.options.batchSize(forEvaluating: run.recipe))
        return ComparedMethod(name: method, net: try run.recipe.netName, evaluation: evaluation, displayQuantile: run.recipe.displayQuantile)
    }

    /// After an error of a sweep not recorded before: unless a run has left a checkpoint or a
    /// result, removes `sweep.json` and the empty class and seed folders the sweep made, and
    /// the sweep's folder when it made it and it is empty.
    private func removeTraces(folderExisted: Bool) {
        let manager = FileManager.default
        for point in settings.points {
            for method in settings.methods {
                let runFolder = runFolder(of: point, method: method)
                if RunFile.exists(RunFile.metrics, in: runFolder) || manager.fileExists(atPath: TrainingRun.checkpointURL(in: runFolder).path) { return }
            }
        }
        try? manager.removeItem(at: folder.appendingPathComponent(RunFile.sweep))
        for normalClass in settings.classes {
            let classFolder = folder.appendingPathComponent(SweepPoint.classFolder(normalClass), isDirectory: true)
            for seed in settings.seeds {
                let pair = classFolder.appendingPathComponent("seed-\(seed)", isDirectory: true)
                for method in settings.methods { rmdir(pair.appendingPathComponent(method).path) }
                rmdir(pair.path)
            }
            rmdir(classFolder.path)
        }
        if !folderExisted { rmdir(folder.path) }
    }
}
