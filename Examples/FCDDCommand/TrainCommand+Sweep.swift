import ArgumentParser
import FCDD
import Foundation
import Report

/// Sweeps of `fcdd train` and `fcdd compare`: every normal class of `--normal-class` (all or a
/// list) with every seed of `--seeds`, through the library's ``Sweep``.
extension TrainCommand {
    /// Whether the options ask for a sweep: `--seeds`, or more than one normal class.
    var isSweep: Bool {
        seeds != nil || data.normalClasses.count > 1
    }

    /// The options every run of a sweep shares, by their command-line names: what a run
    /// trains and measures. The class, the seed, the output, the compute and memory limits,
    /// the checkpoint interval and `--resume` are not among them (they do not change results).
    var sweepOptions: [String: String] {
        var options: [String: String] = [:]
        func add(_ name: String, _ value: (any CustomStringConvertible)?) {
            if let value { options[name] = value.description }
        }
        add("--dataset", data.dataset.rawValue)
        add("--data", data.data)
        if data.dataset == .folder {
            add("--test-fraction", data.testFraction)
            add("--channels", data.channels.rawValue)
        }
        add("--mask-pattern", data.maskPattern)
        add("--supervised-anomalies", data.supervisedAnomalies)
        add("--objective", objective)
        add("--net", net)
        add("--backbone", backbone)
        add("--gradient-method", gradientMethod)
        add("--image-size", imageSize)
        add("--epochs", epochs)
        add("--batch-size", batchSize)
        add("--acc-batches", accBatches)
        add("--learning-rate", learningRate)
        add("--weight-decay", weightDecay)
        add("--oe", oe)
        add("--oe-limit", oeLimit)
        add("--noise", noise)
        add("--supervise-mode", superviseMode)
        add("--gauss-std", gaussStd)
        add("--threshold-quantile", thresholdQuantile)
        add("--pixel-threshold-quantile", pixelThresholdQuantile)
        return options
    }

    /// Runs the sweep of these options into `output` (continuing one recorded there), each
    /// pair training `objectives` (several: their comparison too), with one progress bar over
    /// the whole sweep; prints each run's metrics and at the end the table.
    func sweep(objectives: [ReferenceObjective], command: String, output: String, options: [String: String], columns: Int = 10) throws {
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        let settings = SweepSettings(
            command: command, classes: data.normalClasses, seeds: seeds?.values ?? [data.seed],
            methods: objectives.map(\.rawValue), options: options)
        let sweep = try Sweep(folder: folder, settings: settings)
        let runs = settings.points.count * settings.methods.count
        say(
            "sweep of \(runs) runs (\(settings.classes.count) classes × \(settings.seeds.count) seeds"
                + (objectives.count > 1 ? " × \(objectives.count) methods" : "") + ") in \(folder.path)")
        var bar: ProgressBar?
        let outcome = try sweep.run(
            plan: { point in
                var run = self
                run.data.normalClass = point.normalClass
                run.data.seed = point.seed
                let data = try run.data.load()
                return SweepPlan(
                    data: data, runs: try objectives.map { try run.trainingRun(run.makeRecipe(for: data, objective: $0)) }, comparisonColumns: columns)
            },
            events: { event in
                let progress = event.progress
                if bar == nil { bar = ProgressBar(baseline: progress.finishedBefore * 1000) }
                let label = "class \(event.point.normalClass), seed \(event.point.seed)" + (objectives.count > 1 ? ", \(event.method)" : "")
                switch event.kind {
                case .skipped:
                    say("\(label): finished before, not trained again")
                case let .starting(prepared):
                    say("== \(label): run \(progress.finished + 1) of \(progress.runs) (\(progress.finishedBefore) finished before)")
                    sayStart(prepared)
                case let .step(step):
                    bar?.update(
                        done: Int(progress.fraction * Double(progress.runs * 1000)), total: progress.runs * 1000,
                        detail: "run \(progress.finished + 1)/\(progress.runs)  \(label)  \(step.summary)", force: step.step == step.steps - 1)
                case let .finished(outcome):
                    bar?.finish()
                    sayOutcome(outcome, thresholdQuantile: thresholdQuantile)
                    say("wrote \(event.folder.path)")
                }
                return .proceed
            })
        say("")
        say(outcome.table.markdown)
        say("wrote \(RunFile.sweepTable), \(RunFile.sweepResults), \(RunFile.sweep) and \(RunFile.report) to \(folder.path)")
    }
}
