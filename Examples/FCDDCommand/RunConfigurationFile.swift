import ArgumentParser
import FCDD
import Foundation

/// `--config FILE`: the options of an earlier run, read from the `config.json` that
/// `fcdd train` wrote, so that a run can be repeated (`fcdd train --config run/config.json`)
/// or varied (`… --config run/config.json --epochs 5 --output other`).
///
/// The file's options are put before the ones given on the command line, and for an option
/// given twice the later value counts, so explicit options override the file.
enum RunConfigurationFile {
    /// `arguments` (a subcommand's arguments) with each `--config FILE` (or `--config=FILE`)
    /// taken out and the file's options put in front.
    ///
    /// - Throws: `ValidationError` naming the file when it is missing, not JSON, or not a
    ///   `config.json` of `fcdd train`, and when `--config` has no value.
    static func expand(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--config" {
                guard index + 1 < arguments.count else { throw ValidationError("--config needs a file: the config.json of an earlier run.") }
                files.append(arguments[index + 1])
                index += 2
                continue
            }
            if argument.hasPrefix("--config=") {
                files.append(String(argument.dropFirst("--config=".count)))
            } else {
                rest.append(argument)
            }
            index += 1
        }
        return try files.flatMap { try options(inFile: $0) } + rest
    }

    /// `arguments` as the `fcdd` command gets them: the options of `train` and `compare` with
    /// their `--config` files expanded; other subcommands unchanged.
    static func expandCommandLine(_ arguments: [String]) throws -> [String] {
        guard let subcommand = arguments.first, subcommand == "train" || subcommand == "compare" else { return arguments }
        var expanded = try expand(Array(arguments.dropFirst()))
        if subcommand == "compare" {
            // compare sets the objective itself; a recorded one is dropped, a given one refused.
            if let position = expanded.firstIndex(of: "--objective"), position + 1 < expanded.count,
                !arguments.dropFirst().contains(where: { $0 == "--objective" || $0.hasPrefix("--objective=") })
            {
                expanded.removeSubrange(position...(position + 1))
            }
        }
        return [subcommand] + expanded
    }

    /// The options `fcdd train` takes to repeat the run recorded in `path`.
    static func options(inFile path: String) throws -> [String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError(
                "--config \(path): cannot read the file (\(error.localizedDescription)); expected the config.json of an earlier fcdd train run.")
        }
        let record: SavedRun
        do {
            record = try JSONDecoder().decode(SavedRun.self, from: data)
        } catch {
            throw ValidationError(
                "--config \(path): expected the config.json of an fcdd train run, found a file that does not read as one (\(describe(error))).")
        }
        return record.options
    }

    /// The reason a decoding failed, in a few words.
    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case let .keyNotFound(key, _)?: "no \"\(key.stringValue)\""
        case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?, let .dataCorrupted(context)?:
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}

/// What `--config` reads of `config.json` (``RunRecord``): the data set and class are
/// required, everything else is optional so that files of earlier versions still read.
private struct SavedRun: Decodable {
    struct Training: Decodable {
        let epochs: Int?, batchSize: Int?, accumulatedBatches: Int?
        let learningRate: Float?, weightDecay: Float?
    }

    let dataset: String, normalClass: String
    let data: String?, seed: UInt64?
    let objective: String?, fcddNet: String?, backbone: String?, imageSize: String?, channels: String?
    let sigma: Double?, gradientMethod: String?
    let outlierExposure: String?, oeLimit: Int?, noise: String?, superviseMode: String?, supervisedAnomalies: Int?
    let testFraction: Double?, maskPattern: String?
    let thresholdQuantile: Double?, checkpointInterval: Int?
    let training: Training?

    /// The options of `fcdd train` that repeat the run.
    var options: [String] {
        var options = ["--dataset", dataset, "--normal-class", normalClass]
        func add(_ name: String, _ value: (any CustomStringConvertible)?) {
            if let value { options += [name, value.description] }
        }
        add("--data", data)
        add("--seed", seed)
        add("--objective", objective)
        add("--net", fcddNet)
        add("--backbone", backbone)
        add("--image-size", imageSize)
        add("--channels", channels)
        add("--gauss-std", sigma)
        add("--gradient-method", gradientMethod)
        add("--oe", outlierExposure)
        add("--oe-limit", oeLimit)
        add("--noise", noise)
        add("--supervise-mode", superviseMode)
        add("--supervised-anomalies", supervisedAnomalies)
        add("--test-fraction", testFraction)
        add("--mask-pattern", maskPattern)
        add("--threshold-quantile", thresholdQuantile)
        add("--checkpoint-interval", checkpointInterval)
        add("--epochs", training?.epochs)
        add("--batch-size", training?.batchSize)
        add("--acc-batches", training?.accumulatedBatches)
        add("--learning-rate", training?.learningRate)
        add("--weight-decay", training?.weightDecay)
        return options
    }
}
