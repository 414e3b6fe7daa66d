using System.IO.Compression;
using System.Text;
using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

/// <summary>
/// The compact tree entry that <see cref="ShapeModel.Save"/> adds to a model file, read by
/// <see cref="ShapeModel.LoadPredictor"/> without ML.NET: it predicts what ML.NET predicts, a file without it (or of a
/// later version) still loads through ML.NET, and a damaged one is an error naming the file.
/// </summary>
public sealed class ShapeTreesEntryTests
{
    private static readonly List<ShapeSample> Samples = ShapeTraining.Samples(
        CorpusReplay.Run(RepoPaths.Pcaps).Where(c => c.Capture.File.StartsWith("ssh-", StringComparison.Ordinal)));

    private static readonly Lazy<byte[]> Saved = new(() =>
    {
        using var dir = new TempDirectory();
        ShapeModel.Train(Samples, seed: 7).Save(dir.File("model.zip"));
        return File.ReadAllBytes(dir.File("model.zip"));
    });

    private static string WriteModel(TempDirectory dir, Func<byte[], byte[]?>? changeEntry = null)
    {
        var path = dir.File("model.zip");
        File.WriteAllBytes(path, Saved.Value);
        if (changeEntry is not null)
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            var entry = zip.GetEntry(ShapeTreesEntry.Name)!;
            byte[] bytes;
            using (var stream = entry.Open())
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }

            entry.Delete();
            if (changeEntry(bytes) is { } changed)
            {
                using var stream = zip.CreateEntry(ShapeTreesEntry.Name).Open();
                stream.Write(changed);
            }
        }

        return path;
    }

    // An entry of two classes with one single-split tree each, whose first split leads to firstChild when at most 0.5.
    private static byte[] HandMadeEntry(int firstChild)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8))
        {
            writer.Write("tunnelguard-shape-trees");
            writer.Write(1);
            writer.Write(ShapeSample.FeatureCount);
            writer.Write(2);
            writer.Write("a");
            writer.Write("b");
            writer.Write(2);
            for (var c = 0; c < 2; c++)
            {
                writer.Write(-1.0); // slope
                writer.Write(0.0); // offset
                writer.Write(1); // trees
                writer.Write(2); // leaves
                writer.Write(0); // split feature
                writer.Write(0.5f); // threshold
                writer.Write(firstChild); // <= child
                writer.Write(~1); // > child
                writer.Write(c == 0 ? 1.0 : -1.0);
                writer.Write(c == 0 ? -1.0 : 1.0);
            }
        }

        return buffer.ToArray();
    }

    [Fact]
    public void SavedModel_LoadsWithoutAnEngine_AndPredictsWhatMlNetPredicts()
    {
        using var dir = new TempDirectory();
        var path = WriteModel(dir);

        var compact = ShapeModel.LoadPredictor(path);
        var mlNet = ShapeModel.Load(path).CreatePredictor();

        Assert.False(compact.HasEngine);
        Assert.Equal(mlNet.Classes, compact.Classes);
        foreach (var sample in Samples)
        {
            Assert.Equal(mlNet.PredictWithEngine(sample.Features), compact.Predict(sample.Features));
        }

        Assert.False(compact.HasEngine);
    }

    [Fact]
    public void ModelWithoutTheEntry_LoadsThroughMlNet()
    {
        using var dir = new TempDirectory();
        var path = WriteModel(dir, _ => null);

        var predictor = ShapeModel.LoadPredictor(path);

        Assert.True(predictor.HasEngine);
        Assert.True(predictor.ScoresTreesDirectly);
        Assert.Equal(predictor.PredictWithEngine(Samples[0].Features), predictor.Predict(Samples[0].Features));
    }

    [Fact]
    public void EntryOfAnotherVersion_LoadsThroughMlNet()
    {
        using var dir = new TempDirectory();
        var path = WriteModel(dir, bytes =>
        {
            // The version follows the magic string (a length byte and 23 characters).
            BitConverter.TryWriteBytes(bytes.AsSpan(24, 4), 2);
            return bytes;
        });

        Assert.True(ShapeModel.LoadPredictor(path).HasEngine);
    }

    [Fact]
    public void EntryCutShort_IsAnError_NamingTheFileAndTheEntry()
    {
        using var dir = new TempDirectory();
        var path = WriteModel(dir, bytes => bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => ShapeModel.LoadPredictor(path));

        Assert.Equal($"{path}: not a TunnelGuard shape model: {ShapeTreesEntry.Name}: cut short", error.Message);
    }

    [Fact]
    public void TreeWhoseSplitLeadsBackToItself_IsRejected()
    {
        using var dir = new TempDirectory();
        var good = WriteModel(dir, _ => HandMadeEntry(firstChild: ~0));
        var predictor = ShapeModel.LoadPredictor(good);
        var looping = WriteModel(dir, _ => HandMadeEntry(firstChild: 0));

        Assert.Equal(["a", "b"], predictor.Classes);
        Assert.Equal("a", predictor.Predict(new float[ShapeSample.FeatureCount]).Label);
        var error = Assert.Throws<InvalidDataException>(() => ShapeModel.LoadPredictor(looping));
        Assert.Contains("split 0 leads to 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_WithADamagedEntry_SaysSoInOneLine_AndExitsThree()
    {
        using var dir = new TempDirectory();
        var path = WriteModel(dir, bytes => bytes[..10]);

        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--model", path);

        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"tunnelguard: {path}: not a TunnelGuard shape model: {ShapeTreesEntry.Name}: cut short\n", run.Error);
    }

    [Fact]
    public void Replay_WithAFileThatIsNoZip_GivesMlNetsOneLineError_AndExitsThree()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.zip");
        File.WriteAllText(path, "not a zip");

        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--model", path);

        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"tunnelguard: {path}: not a TunnelGuard shape model: Failed to open a zip archive\n", run.Error);
    }
}
