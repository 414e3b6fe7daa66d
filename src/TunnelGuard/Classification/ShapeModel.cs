using System.IO.Compression;
using Microsoft.ML;

namespace TunnelGuard.Classification;

/// <summary>
/// The ML.NET multiclass model over shape features (LightGBM). Training is deterministic: a fixed
/// <see cref="MLContext"/> seed and one thread give the same model from the same rows.
/// </summary>
public sealed class ShapeModel
{
    public const int DefaultSeed = 20261125;

    /// <summary>File name of the model shipped beside the program and loaded by default.</summary>
    public const string DefaultFileName = "tunnelguard-shape-model.zip";

    private static readonly DateTimeOffset EntryTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;

    private ShapeModel(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        _ml = ml;
        _model = model;
        _inputSchema = inputSchema;
    }

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, DefaultFileName);

    public static ShapeModel Train(IEnumerable<ShapeSample> samples, int seed = DefaultSeed)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(samples);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                NumberOfIterations = 150,
                NumberOfLeaves = 15,
                MinimumExampleCountPerLeaf = 5,
                LearningRate = 0.1,
                NumberOfThreads = 1,
                Seed = seed,
                Silent = true,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        return new ShapeModel(ml, model, data.Schema);
    }

    /// <summary>Loads a saved model; a missing or broken file gives an <see cref="InvalidDataException"/> naming it.</summary>
    public static ShapeModel Load(string path)
    {
        var ml = new MLContext(DefaultSeed);
        try
        {
            var model = ml.Model.Load(path, out var schema);
            return new ShapeModel(ml, model, schema);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or FormatException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a TunnelGuard shape model: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A predictor for one thread from a saved model: from its compact tree entry (<see cref="ShapeTreesEntry"/>) when
    /// it has one, without loading ML.NET, else through <see cref="Load"/>. Predictions are the same either way.
    /// </summary>
    public static ShapePredictor LoadPredictor(string path)
    {
        if (ReadTrees(path) is not var (classes, scorer))
        {
            return Load(path).CreatePredictor();
        }

        return new ShapePredictor(() => Load(path).CreateEngine(), classes, scorer);
    }

    private static (string[] Classes, TreeEnsembleScorer Scorer)? ReadTrees(string path)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null; // ML.NET's loader says what is wrong with the file, as it always did
        }

        using (archive)
        {
            try
            {
                if (archive.GetEntry(ShapeTreesEntry.Name) is not { } entry)
                {
                    return null;
                }

                using var stream = entry.Open();
                return ShapeTreesEntry.Read(stream);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                throw new InvalidDataException($"{path}: not a TunnelGuard shape model: {ShapeTreesEntry.Name}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// Writes the model. ML.NET stamps every zip entry with the current time; the entries are copied in order with a
    /// fixed time, so that the same rows and seed give a byte-identical file (the shipped model can be checked by hash).
    /// </summary>
    public void Save(string path)
    {
        using var saved = new MemoryStream();
        _ml.Model.Save(_model, _inputSchema, saved);
        saved.Position = 0;
        using var source = new ZipArchive(saved, ZipArchiveMode.Read);
        using var file = File.Create(path);
        using var target = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            var copy = target.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = EntryTime;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }

        if (CompactTrees() is var (classes, scorer))
        {
            var trees = target.CreateEntry(ShapeTreesEntry.Name, CompressionLevel.Optimal);
            trees.LastWriteTime = EntryTime;
            using var to = trees.Open();
            ShapeTreesEntry.Write(to, classes, scorer);
        }
    }

    // The trees replay scores with, when the model is of the shape TreeEnsembleScorer knows and they survive being written.
    private (string[] Classes, TreeEnsembleScorer Scorer)? CompactTrees()
    {
        var classes = CreateEngine().Classes();
        return TreeEnsembleScorer.TryCreate(_model) is { } scorer && scorer.ClassCount == classes.Length
            && scorer.RoundTrips(ShapeSample.FeatureCount) ? (classes, scorer) : null;
    }

    /// <summary>A predictor for one thread (ML.NET prediction engines are not thread-safe).</summary>
    public ShapePredictor CreatePredictor()
    {
        var engine = CreateEngine();
        return new ShapePredictor(engine, engine.Classes(), TreeEnsembleScorer.TryCreate(_model));
    }

    private ShapeEngine CreateEngine() => new(_ml.Model.CreatePredictionEngine<ShapeSample, ShapePrediction>(_model));
}
