import FCDD

/// One method of a comparison: its name (also the name of its run folder beside the
/// comparison), the net it trained, its evaluation on the shared test set, and the quantile
/// its heatmaps are scaled with for display.
public struct ComparedMethod {
    /// The method's name: `fcdd`, `hsc`, `ae`.
    public var name: String
    /// The net it trained.
    public var net: String
    /// Its scores, heatmaps and metrics on the test set.
    public var evaluation: AnomalyEvaluation
    /// The display quantile of its heatmaps (semi-global normalisation).
    public var displayQuantile: Double

    /// A method; see the properties.
    public init(name: String, net: String, evaluation: AnomalyEvaluation, displayQuantile: Double) {
        self.name = name
        self.net = net
        self.evaluation = evaluation
        self.displayQuantile = displayQuantile
    }

    /// The method a recipe run trained: its objective's name, net, evaluation and quantile.
    public init(_ outcome: RecipeOutcome) {
        self.init(
            name: outcome.recipe.objective.rawValue, net: outcome.netName, evaluation: outcome.evaluation,
            displayQuantile: outcome.recipe.displayQuantile)
    }
}
