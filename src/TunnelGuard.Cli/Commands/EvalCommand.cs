using System.CommandLine;
using System.Globalization;
using TunnelGuard.Classification;
using TunnelGuard.Cli.Classify;
using TunnelGuard.Corpus;

namespace TunnelGuard.Cli.Commands;

/// <summary>
/// `tunnelguard eval --corpus DIR...`: per-class precision/recall/F1, confusion matrix and time to the first correct
/// verdict — of a given model on held-out corpora, of a model trained on other corpora (--train), by leaving out one
/// cipher, client, seed... at a time (--leave-out), or by k-fold cross-validation; every split is by capture file.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var corpus = new Option<string[]>("--corpus") { Description = "folder with captures and manifest.json to judge (repeat for several)", Required = true };
        var model = new Option<string?>("--model") { Description = "evaluate this model file (default: cross-validate, training per fold)" };
        var heuristics = new Option<bool>("--heuristics") { Description = "evaluate the heuristics alone" };
        var train = new Option<string[]>("--train") { Description = "train on these corpora (default with --leave-out: the --corpus folders) and judge --corpus" };
        var leaveOut = new Option<string?>("--leave-out")
        {
            Description = $"KEY[=VALUE] with KEY one of {string.Join(", ", CaptureSplit.Keys)}: judge the captures with that value by a model trained on the others; without a value, each value in turn",
        };
        var seed = new Option<int>("--seed") { Description = "training seed", DefaultValueFactory = _ => ShapeModel.DefaultSeed };
        var folds = new Option<int>("--folds") { Description = "folds of the cross-validation, split by capture file", DefaultValueFactory = _ => 5 };
        var misses = new Option<bool>("--misses") { Description = "list every connection judged wrong" };
        var jitter = new Option<int?>("--jitter")
        {
            Description = "SEED: judge the --corpus captures with their packet times moved as sending them again live moves them (every gap a few µs to 10 ms longer, seeded)",
        };
        var command = new Command("eval", "Evaluate the classifier on labelled captures.") { corpus, model, heuristics, train, leaveOut, seed, folds, misses, jitter };
        command.SetAction(parse =>
        {
            CaptureSplit? split = null;
            try
            {
                split = parse.GetValue(leaveOut) is { } text ? CaptureSplit.Parse(text) : null;
            }
            catch (FormatException ex)
            {
                console.Error.WriteLine($"tunnelguard: {ex.Message}");
                return ExitCodes.Usage;
            }

            var modelPath = parse.GetValue(model);
            var trainDirs = parse.GetValue(train) ?? [];
            if ((modelPath is not null || parse.GetValue(heuristics)) && (split is not null || trainDirs.Length > 0))
            {
                console.Error.WriteLine("tunnelguard: --model and --heuristics judge a fixed classifier; --train and --leave-out train their own");
                return ExitCodes.Usage;
            }

            var connections = CorpusArguments.Replay(parse.GetValue(corpus) ?? [], console, out var failed, parse.GetValue(jitter));
            var training = connections;
            if (trainDirs.Length > 0)
            {
                training = CorpusArguments.Replay(trainDirs, console, out var trainFailed);
                failed |= trainFailed;
            }

            if (failed)
            {
                return ExitCodes.BadInput;
            }

            Evaluation evaluation;
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

                evaluation = Judge(classifier, connections);
            }
            else if (split is not null)
            {
                var (overall, perValue) = ShapeTraining.LeaveOut(training, connections, split, parse.GetValue(seed));
                foreach (var fold in perValue)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"left out {fold.LeftOut}: trained on {fold.TrainedOn}, judged {fold.Evaluation.Connections}: {fold.Evaluation.Summary()}"));
                }

                evaluation = overall;
            }
            else if (trainDirs.Length > 0)
            {
                // A capture that is also in --corpus is judged, never trained on.
                var judged = connections.Select(c => c.Group).ToHashSet(StringComparer.Ordinal);
                var rows = ShapeTraining.Samples(training.Where(c => !judged.Contains(c.Group)));
                if (rows.Select(r => r.Label).Distinct().Count() < 2)
                {
                    console.Error.WriteLine("tunnelguard: training needs labelled connections of at least two classes");
                    return ExitCodes.BadInput;
                }

                evaluation = Judge(new ModelClassifier(ShapeModel.Train(rows, parse.GetValue(seed)).CreatePredictor()), connections);
            }
            else
            {
                evaluation = ShapeTraining.CrossValidate(connections, Math.Max(2, parse.GetValue(folds)), parse.GetValue(seed));
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

    private static Evaluation Judge(IShapeClassifier classifier, IEnumerable<CorpusReplay.LabelledConnection> connections)
    {
        var evaluation = new Evaluation();
        foreach (var connection in connections)
        {
            evaluation.Add(classifier, connection);
        }

        return evaluation;
    }
}
