using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Reporting;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Capture;

public sealed class CaptureSlimmerTests
{
    private static List<(long Time, int Original, byte[] Data)> Frames(string path)
    {
        var frames = new List<(long, int, byte[])>();
        using var reader = CaptureFileReader.Open(path);
        while (reader.TryRead(out var packet))
        {
            frames.Add((packet.TimestampMicros, packet.OriginalLength, packet.Data.ToArray()));
        }

        return frames;
    }

    [Fact]
    public void BulkTransfer_LaterFramesKeepOnlyHeaders_WireLengthsAndTimesStay()
    {
        using var dir = new TempDirectory();
        var input = RepoPaths.Pcap("local-bulk-chacha20-openssh-s1.pcap");
        var output = dir.File("slim.pcap");

        var result = CaptureSlimmer.Slim(input, output);

        var full = Frames(input);
        var slim = Frames(output);
        Assert.Equal(full.Count, slim.Count);
        Assert.Equal(full.Select(f => (f.Time, f.Original)), slim.Select(f => (f.Time, f.Original)));
        Assert.All(full.Zip(slim), pair => Assert.True(pair.First.Data.AsSpan().StartsWith(pair.Second.Data)));
        Assert.True(result.FramesCut > full.Count / 4, $"{result.FramesCut} of {full.Count} frames cut");
        Assert.True(new FileInfo(output).Length * 4 < new FileInfo(input).Length, $"{new FileInfo(output).Length} of {new FileInfo(input).Length} bytes");
        Assert.Equal(slim.Sum(f => (long)f.Data.Length), result.CapturedBytesOut);
    }

    [Fact]
    public void EveryCommittedCapture_Slimmed_GivesTheSameReportsAndTrainingRows()
    {
        using var dir = new TempDirectory();
        CorpusSlimmer.Slim(RepoPaths.Pcaps, dir.Path);

        foreach (var file in Directory.EnumerateFiles(RepoPaths.Pcaps, "*.pcap*").Order(StringComparer.Ordinal))
        {
            var full = Replayer.Run(file).Select(ConnectionJsonWriter.ToJson);
            var slim = Replayer.Run(dir.File(Path.GetFileName(file))).Select(ConnectionJsonWriter.ToJson);
            Assert.Equal(full, slim);
        }

        var fullRows = ShapeTraining.Samples(CorpusReplay.Run(RepoPaths.Pcaps));
        var slimRows = ShapeTraining.Samples(CorpusReplay.Run(dir.Path));
        Assert.Equal(fullRows.Select(r => (r.Label, string.Join(' ', r.Features))), slimRows.Select(r => (r.Label, string.Join(' ', r.Features))));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoPaths.Pcaps, "manifest.json")), File.ReadAllBytes(dir.File("manifest.json")));
    }
}
