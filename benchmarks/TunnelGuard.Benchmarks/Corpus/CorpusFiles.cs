using TunnelGuard.Capture;

namespace TunnelGuard.Benchmarks.Corpus;

/// <summary>Finds the committed captures in pcaps/ and loads their frames into memory, once, in a GlobalSetup.</summary>
internal static class CorpusFiles
{
    /// <summary>The repository's pcaps/ folder, found by walking up from the benchmark's (possibly generated) bin folder.</summary>
    public static string Folder { get; } = FindFolder();

    public static string PathOf(string file) => Path.Combine(Folder, file);

    /// <summary>Every capture in pcaps/, in name order, so runs are comparable.</summary>
    public static IReadOnlyList<string> All()
    {
        var files = Directory.GetFiles(Folder, "*.pcap").Concat(Directory.GetFiles(Folder, "*.pcapng")).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public static List<CorpusFrame> Load(string path)
    {
        var frames = new List<CorpusFrame>();
        using var reader = CaptureFileReader.Open(path);
        while (reader.TryRead(out var packet))
        {
            frames.Add(new CorpusFrame(packet.LinkType, packet.TimestampMicros, packet.Data.ToArray(), packet.OriginalLength));
        }

        return frames;
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "pcaps");
            if (File.Exists(Path.Combine(candidate, "manifest.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no pcaps/manifest.json above {AppContext.BaseDirectory}");
    }
}
