using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TunnelGuard.Alerts;
using TunnelGuard.Decoding;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

public sealed class AlertDurabilityTests
{
    private const int Connections = 2000;
    private const int RulesPerConnection = 8;

    // Kill once this many alerts have been reported. The output (≈1 KB per alert) is far larger than a pipe's buffer,
    // so the writer is still in the middle of its burst, blocked on standard output, when the kill arrives.
    private const int KillAfter = 300;

    [Fact]
    public async Task SigkillDuringAnAlertBurst_EveryAlertReportedAsRaised_IsInTheStore()
    {
        using var dir = new TempDirectory();
        var pcap = ManySshConnections(dir.Path);
        var rules = new StringBuilder("rules:\n");
        for (var i = 0; i < RulesPerConnection; i++)
        {
            rules.Append($"  - {{ id: burst-{i}, match: {{ label: unknown }}, alert: {{ severity: high }}, block: {{ target: client, duration: 1h }}, suppress: 0 }}\n");
        }

        File.WriteAllText(dir.File("burst.yaml"), rules.ToString());
        var db = dir.File("alerts.db");

        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll"), "replay", pcap, "--rules", dir.Path, "--alerts-db", db })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var reported = new List<string>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (reported.Count < KillAfter && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                AddIfAlert(line, reported);
            }
        }

        process.Kill();
        await process.WaitForExitAsync();

        // Lines already in the pipe were reported too; a last line without its newline was cut by the kill.
        var rest = await process.StandardOutput.ReadToEndAsync();
        var lines = rest.Split('\n');
        foreach (var line in lines[..^1])
        {
            AddIfAlert(line, reported);
        }

        Assert.True(reported.Count >= KillAfter, $"only {reported.Count} alerts before the process ended: {await stderr}");
        Assert.NotEqual(0, process.ExitCode);
        using var store = AlertStore.Open(db);
        var stored = store.Count();
        Assert.True(stored < Connections * RulesPerConnection, "the burst finished before the kill: the test proved nothing");
        var missing = reported.Where(id => store.Get(id) is null).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {reported.Count} reported alerts are not in the store, e.g. {missing.FirstOrDefault()}");
        Assert.True(stored >= reported.Count);
    }

    private static void AddIfAlert(string line, List<string> reported)
    {
        if (!line.Contains("\"event_type\":\"alert\"", StringComparison.Ordinal))
        {
            return;
        }

        using var doc = JsonDocument.Parse(line);
        reported.Add(doc.RootElement.GetProperty("alert").GetProperty("id").GetString()!);
    }

    /// <summary>SSH connections of one SYN and one client banner each, one every millisecond.</summary>
    private static string ManySshConnections(string directory)
    {
        var builder = new PcapBuilder(linkType: 101);
        var banner = SshBytes.Ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n");
        for (var i = 0; i < Connections; i++)
        {
            var client = $"198.18.{10 + (i / 250)}.{1 + (i % 250)}";
            var port = (ushort)(30000 + i);
            var micros = 1_795_428_000_000_000 + (i * 1000L);
            builder.Add(Frames.Ipv4(client, "198.18.0.2", Frames.Tcp(port, 22, 100, TcpFlags.Syn, [])), micros);
            builder.Add(Frames.Ipv4(client, "198.18.0.2", Frames.Tcp(port, 22, 101, TcpFlags.Ack | TcpFlags.Psh, banner)), micros + 100);
        }

        return builder.WriteTo(directory, "burst.pcap");
    }
}
