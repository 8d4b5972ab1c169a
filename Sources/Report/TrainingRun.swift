import FCDD
import Foundation
import TensorCore

/// A recipe to train into a run folder, with what the folder records beside the results:
/// ``prepare(on:into:resume:)`` and ``PreparedTrainingRun/train(callbacks:)`` write every
/// file `fcdd train` writes (`metrics.json`, `model.safetensors`, `history.csv`, `scores.csv`,
/// `curves.json`, `heatmaps.png`, the gallery and the training batch, `report.html`, and
/// `config.json` when ``configuration`` is given), published together at the end, with the
/// training checkpoint beside them.
///
/// ```swift
/// let run = TrainingRun(recipe: recipe, command: "my study")
/// let prepared = try run.prepare(on: data, into: URL(fileURLWithPath: "runs/tshirt", isDirectory: true))
/// print(prepared.training.net.parameterCount)
/// let outcome = try prepared.train()          // runs/tshirt/report.html and the rest
/// ```
public struct TrainingRun {
    /// What to train.
    public var recipe: Recipe
    /// How it trains, evaluates and calibrates; the checkpoint always goes to the run
    /// folder's ``checkpointURL(in:)``, whatever `RecipeRunOptions.checkpointURL` says.
    public var options: RecipeRunOptions
    /// The command that writes the run, shown in its report (`fcdd train`).
    public var command: String
    /// The contents of `config.json`: the options that made the run; `nil` writes none.
    public var configuration: Data?
    /// Metadata stored in the model file beside the predictor's own (the data set's name, say).
    public var modelMetadata: [String: String]

    /// A run; see the properties. The default options write a checkpoint every 5 epochs.
    public init(
        recipe: Recipe, options: RecipeRunOptions = RecipeRunOptions(checkpointInterval: 5), command: String,
        configuration: Data? = nil, modelMetadata: [String: String] = [:]
    ) {
        self.recipe = recipe
        self.options = options
        self.command = command
        self.configuration = configuration
        self.modelMetadata = modelMetadata
    }

    /// `checkpoint.safetensors` in `folder`: where the training checkpoint of the run in
    /// `folder` is written (outside the staged files, so it survives an interruption).
    public static func checkpointURL(in folder: URL) -> URL {
        folder.appendingPathComponent("checkpoint.safetensors")
    }

    /// Makes `folder` (an unwritable or misnamed folder is found before any work) and a
    /// staging folder in it, and prepares the recipe's net and trainer on `data`, resumed
    /// from the folder's checkpoint when `resume` is true.
    ///
    /// - Throws: `AtomicFileError` for the folder, and the errors of
    ///   `Recipe.prepare(on:options:)` (a `TrainingError` naming each difference when the
    ///   checkpoint is of another run).
    public func prepare(on data: OneClassData, into folder: URL, resume: Bool = false) throws -> PreparedTrainingRun {
        // With several processes (RecipeRunOptions.communicator) process 0 alone writes.
        let outputs = options.communicator.rank == 0 ? try StagedDirectory(publishingTo: folder) : nil
        var options = options
        options.checkpointURL = Self.checkpointURL(in: folder)
        options.resume = resume
        let training = try recipe.prepare(on: data, options: options)
        return PreparedTrainingRun(run: self, data: data, folder: folder, training: training, outputs: outputs)
    }
}
