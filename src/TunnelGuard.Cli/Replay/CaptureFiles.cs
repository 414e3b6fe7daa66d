namespace TunnelGuard.Cli.Replay;

/// <summary>Expands the PATH arguments of replay into capture files, in a stable order.</summary>
internal static class CaptureFiles
{
    private static readonly string[] Extensions = [".pcap", ".pcapng", ".cap"];

    /// <summary>Each file with the name it is reported under; a missing path or an empty folder is an error, an unknown option a usage error.</summary>
    public static IReadOnlyList<(string Path, string Name)> Expand(IEnumerable<string> paths, out string? error, out bool usageError)
    {
        error = null;
        usageError = false;
        var files = new List<(string, string)>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add((path, Path.GetFileName(path)));
                continue;
            }

            if (!Directory.Exists(path) && path.StartsWith('-'))
            {
                // System.CommandLine passes unknown options on as arguments.
                error = $"unknown option '{path}'";
                usageError = true;
                return [];
            }

            if (!Directory.Exists(path))
            {
                error = $"{path}: no such file or directory";
                return [];
            }

            var found = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (found.Count == 0)
            {
                error = $"{path}: no .pcap, .pcapng or .cap files in this folder";
                return [];
            }

            files.AddRange(found.Select(f => (f, Path.GetRelativePath(path, f))));
        }

        return files;
    }
}
