using TunnelGuard.Classification;

namespace TunnelGuard.Cli.Classify;

/// <summary>Chooses the classifier: a model named with --model, else the shipped model, else the heuristics alone.</summary>
internal static class ClassifierLoader
{
    /// <summary>Loads the classifier, or says in one line on standard error why the model cannot be used.</summary>
    public static bool TryLoad(string? modelPath, bool heuristicsOnly, CliConsole console, out IShapeClassifier classifier)
    {
        try
        {
            classifier = Load(modelPath, heuristicsOnly);
            return true;
        }
        catch (InvalidDataException ex)
        {
            console.Error.WriteLine($"tunnelguard: {ex.Message}");
            classifier = new HeuristicClassifier();
            return false;
        }
    }

    /// <summary>
    /// Like <see cref="Load"/>, but a model is loaded on a pool thread (<see cref="DeferredClassifier"/>); a missing
    /// model file is still an <see cref="InvalidDataException"/> at once, a broken one when the model is first needed.
    /// </summary>
    public static IShapeClassifier StartLoading(string? modelPath, bool heuristicsOnly)
    {
        if (heuristicsOnly || (modelPath is null && !File.Exists(ShapeModel.DefaultPath)))
        {
            return Load(modelPath, heuristicsOnly);
        }

        var path = modelPath ?? ShapeModel.DefaultPath;
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such model file");
        }

        // Load makes a ModelClassifier or a HeuristicClassifier: both may be called from several threads.
        return new DeferredClassifier(() => Load(path, heuristicsOnly: false), threadSafe: true);
    }

    public static IShapeClassifier Load(string? modelPath, bool heuristicsOnly)
    {
        if (heuristicsOnly)
        {
            return new HeuristicClassifier();
        }

        var path = modelPath ?? ShapeModel.DefaultPath;
        if (modelPath is null && !File.Exists(path))
        {
            return new HeuristicClassifier();
        }

        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such model file");
        }

        return new ModelClassifier(ShapeModel.LoadPredictor(path));
    }
}
