namespace TunnelGuard.Lab.Tunnels;

/// <summary>The host key lines of an OpenSSH known_hosts file.</summary>
public sealed class KnownHostsFile
{
    private readonly List<KnownHostsEntry> _entries;

    private KnownHostsFile(string path, List<KnownHostsEntry> entries, int skippedLines)
    {
        Path = path;
        _entries = entries;
        SkippedLines = skippedLines;
    }

    public string Path { get; }

    public IReadOnlyList<KnownHostsEntry> Entries => _entries;

    /// <summary>Lines that were neither blank, comments, nor valid entries (OpenSSH skips them too).</summary>
    public int SkippedLines { get; }

    /// <summary>Reads and parses a known_hosts file.</summary>
    public static KnownHostsFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(path, File.ReadAllLines(path));
    }

    /// <summary>Parses known_hosts text; <paramref name="path"/> is only used in messages.</summary>
    public static KnownHostsFile Parse(string path, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var entries = new List<KnownHostsEntry>();
        var skipped = 0;
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            var entry = KnownHostsEntry.TryParse(line, number);
            if (entry is not null)
            {
                entries.Add(entry);
            }
            else if (line.AsSpan().Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
            {
                skipped++;
            }
        }

        return new KnownHostsFile(path, entries, skipped);
    }

    /// <summary>The entries that apply to a host and port, in file order.</summary>
    public List<KnownHostsEntry> EntriesFor(string host, int port)
    {
        var found = new List<KnownHostsEntry>();
        foreach (var entry in _entries)
        {
            if (entry.Matches(host, port))
            {
                found.Add(entry);
            }
        }

        return found;
    }
}
