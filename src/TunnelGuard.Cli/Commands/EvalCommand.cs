using System.CommandLine;
using TunnelGuard.Classification;
using TunnelGuard.Cli.Classify;

namespace TunnelGuard.Cli.Commands;

/// <summary>
/// `tunnelguard eval --corpus DIR...`: per-class precision/recall/F1, confusion matrix and time to the first correct
/// verdict — of a given model on held-out corpora, or by k-fold cross-validation split by capture.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var corpus = new Option<string[]>("--corpus") { Description = "folder with captures and manifest.json (repeat for several)", Required = true };
        var model = new Option<string?>("--model") { Description = "evaluate this model file (default: cross-validate, training per fold)" };
        var heuristics = new Option<bool>("--heuristics") { Description = "evaluate the heuristics alone" };
        var folds = new Option<int>("--folds") { Description = "folds of the cross-validation, split by capture file", DefaultValueFactory = _ => 5 };
        var misses = new Option<bool>("--misses") { Description = "list every connection judged wrong" };
        var command = new Command("eval", "Evaluate the classifier on labelled captures.") { corpus, model, heuristics, folds, misses };
        command.SetAction(parse =>
        {
            var connections = CorpusArguments.Replay(parse.GetValue(corpus) ?? [], console, out var failed);
            if (failed)
            {
                return ExitCodes.BadInput;
            }

            Evaluation evaluation;
            var modelPath = parse.GetValue(model);
            if (modelPath is not null || parse.GetValue(heuristics))
            {
                IShapeClassifier classifier;
                try
                {
                    classifier = ClassifierLoader.Load(modelPath, parse.GetValue(heuristics));
                }
                catch (InvalidDataException ex)
                {
                    console.Error.WriteLine($"tunnelguard: {ex.Message}");
                    return ExitCodes.BadInput;
                }

                evaluation = new Evaluation();
                foreach (var connection in connections)
                {
                    evaluation.Add(classifier, connection);
                }
            }
            else
            {
                evaluation = ShapeTraining.CrossValidate(connections, Math.Max(2, parse.GetValue(folds)));
            }

            console.Out.Write(evaluation.Render());
            if (parse.GetValue(misses))
            {
                foreach (var miss in evaluation.Misses)
                {
                    console.Out.WriteLine("miss: " + miss);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
