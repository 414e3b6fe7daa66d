using System.Globalization;
using System.Text.RegularExpressions;
using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Monitor;

/// <summary>
/// `tunnelguard monitor --rules --enforce --firewall nftables` running live on the lab SSH server's outside interface,
/// with its own policy and store in a temporary folder. Dispose stops it by PID and removes TunnelGuard's nftables
/// table from the server namespace, so each test starts with no blocks.
/// </summary>
internal sealed partial class MonitorRun : IAsyncDisposable
{
    private readonly CliProcess _process;

    private MonitorRun(CliProcess process, string directory)
    {
        _process = process;
        Directory = directory;
    }

    public string Directory { get; }

    public string Database => Path.Combine(Directory, "store.db");

    public string Log => _process.StandardError;

    public string Output => _process.StandardOutput;

    public static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"tgmon-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Starts the monitor with <paramref name="policy"/> in <paramref name="directory"/> (store.db there too) and waits until it listens.</summary>
    public static async Task<MonitorRun> StartAsync(string directory, string policy, params string[] extra)
    {
        File.WriteAllText(Path.Combine(directory, "policy.yaml"), policy);
        var process = CliProcess.StartIn(
            LabTopology.Server,
            ["monitor", "-i", "eth0", "--format", "jsonl", "--rules", Path.Combine(directory, "policy.yaml"), "--db", Path.Combine(directory, "store.db"),
             "--enforce", "--firewall", "nftables", "--metrics", "127.0.0.1:9464", .. extra]);
        var run = new MonitorRun(process, directory);
        try
        {
            await process.WaitForErrorAsync("listening on eth0", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }

        return run;
    }

    public Task<string> WaitForLogAsync(string text, TimeSpan timeout) => _process.WaitForErrorAsync(text, timeout);

    /// <summary>The wall-clock time stamped on a log line.</summary>
    public static DateTimeOffset TimeOf(string line) =>
        DateTimeOffset.Parse(line.TrimStart()[..line.TrimStart().IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The first log line that says a connection from <paramref name="client"/> reached <paramref name="label"/>.</summary>
    public string? VerdictLine(string label, string client) =>
        Log.Split('\n').FirstOrDefault(l => l.Contains($"verdict {label} ", StringComparison.Ordinal) && l.Contains($"for {client}:", StringComparison.Ordinal));

    /// <summary>Stops the monitor with SIGTERM and waits for it to exit (drained and flushed).</summary>
    public async Task<int> StopAsync()
    {
        _process.Signal("TERM");
        return await _process.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The scraped /metrics text of the monitor (it serves on the server namespace's loopback).</summary>
    public static string Scrape() => HostCommand.Run("ip", "netns", "exec", LabTopology.Server, "curl", "-sf", "http://127.0.0.1:9464/metrics");

    /// <summary>The value of a metric line such as <c>tunnelguard_blocks_active</c> or <c>tunnelguard_alerts_total{rule="x",severity="high"}</c>.</summary>
    public static double Metric(string scraped, string name)
    {
        foreach (var line in scraped.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no metric {name} in: {scraped}");
    }

    /// <summary>The elements of one of TunnelGuard's nftables sets in the server namespace (empty when the table is not there).</summary>
    public static string SetElements(string set)
    {
        var (code, output) = HostCommand.TryRun("ip", "netns", "exec", LabTopology.Server, "nft", "list", "set", "inet", "tunnelguard", set);
        return code == 0 && ElementsPattern().Match(output) is { Success: true } m ? m.Groups[1].Value : string.Empty;
    }

    /// <summary>Bytes the server's sshd has received on its connections from <paramref name="client"/> (from the kernel's socket counters).</summary>
    public static long BytesReceivedFrom(string client)
    {
        var output = HostCommand.Run("ip", "netns", "exec", LabTopology.Server, "ss", "-tinH", "state", "established", $"( sport = :22 and dst {client} )");
        return BytesReceivedPattern().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Dispose();
        HostCommand.TryRun("ip", "netns", "exec", LabTopology.Server, "nft", "delete", "table", "inet", "tunnelguard");
        await Task.CompletedTask;
    }

    [GeneratedRegex(@"elements = \{([^}]*)\}")]
    private static partial Regex ElementsPattern();

    [GeneratedRegex(@"bytes_received:(\d+)")]
    private static partial Regex BytesReceivedPattern();
}
