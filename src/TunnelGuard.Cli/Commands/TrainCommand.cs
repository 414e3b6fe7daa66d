using System.CommandLine;
using System.Globalization;
using TunnelGuard.Classification;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard train --corpus DIR... --out FILE`: trains the shape model on labelled corpora, deterministically.</summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var corpus = new Option<string[]>("--corpus") { Description = "folder with captures and manifest.json (repeat for several)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "model file to write", Required = true };
        var seed = new Option<int>("--seed") { Description = "training seed", DefaultValueFactory = _ => ShapeModel.DefaultSeed };
        var command = new Command("train", "Train the traffic-shape model on labelled captures (each folder needs a manifest.json).") { corpus, output, seed };
        command.SetAction(parse =>
        {
            var connections = CorpusArguments.Replay(parse.GetValue(corpus) ?? [], console, out var failed);
            if (failed)
            {
                return ExitCodes.BadInput;
            }

            var samples = ShapeTraining.Samples(connections);
            if (samples.Select(s => s.Label).Distinct().Count() < 2)
            {
                console.Error.WriteLine("tunnelguard: training needs labelled connections of at least two classes");
                return ExitCodes.BadInput;
            }

            var model = ShapeModel.Train(samples, parse.GetValue(seed));
            var path = parse.GetValue(output)!;
            model.Save(path);
            var counts = connections.GroupBy(c => c.Expected.Primary).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}"));
            console.Out.WriteLine($"trained on {samples.Count} rows from {connections.Count} connections ({string.Join(", ", counts)}); wrote {path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
