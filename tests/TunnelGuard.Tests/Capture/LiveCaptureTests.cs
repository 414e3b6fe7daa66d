using System.Text.Json;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Capture;

/// <summary>
/// Real libpcap capture: `tunnelguard monitor` runs inside a network namespace on its loopback while a real OpenSSH
/// client talks to a real sshd there. Needs root (CI runs as root).
/// </summary>
public sealed class LiveCaptureTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll");

    [Fact]
    public void Monitor_OnLoopback_ReportsTheLiveSshConnectionWithItsFingerprints()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120");
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        var said = server.Ssh("echo live-capture-works");
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000), "monitor did not stop after SIGINT");

        Assert.Equal("live-capture-works", said.Trim());
        Assert.Equal(0, monitor.ExitCode);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("ssh", root.GetProperty("event_type").GetString());
        Assert.Equal(2022, root.GetProperty("dest_port").GetInt32());
        Assert.Equal("127.0.0.1", root.GetProperty("src_ip").GetString());
        Assert.StartsWith("OpenSSH_", root.GetProperty("ssh").GetProperty("server").GetProperty("software_version").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("ssh").GetProperty("client").GetProperty("hassh").GetString());
        Assert.Equal("key_exchange", root.GetProperty("ssh").GetProperty("roles_from").GetString());
    }

    [Fact]
    public void Monitor_ServesPrometheusMetrics_CountingSshConnectionsByVerdict()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464");
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        server.Ssh("echo metrics");
        string scraped = string.Empty;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(40) && !scraped.Contains("tunnelguard_ssh_connections_total{verdict=\"exec\"} 1", StringComparison.Ordinal))
        {
            Thread.Sleep(500);
            try
            {
                scraped = ProcessRunner.Run("ip", "netns", "exec", server.Namespace, "curl", "-s", "http://127.0.0.1:9464/metrics");
            }
            catch (InvalidOperationException)
            {
                // Not listening yet on a loaded machine: try again.
            }
        }

        Assert.Contains("tunnelguard_ssh_connections_total{verdict=\"exec\"} 1", scraped, StringComparison.Ordinal);
        Assert.Contains("tunnelguard_ssh_connections_total{verdict=\"forward-remote\"} 0", scraped, StringComparison.Ordinal);
        Assert.Matches(@"tunnelguard_packets_total [1-9]\d*", scraped);
        Assert.Contains("tunnelguard_capture_drops_total{where=\"queue\"} 0", scraped, StringComparison.Ordinal);
        Assert.Contains("tunnelguard_verdict_latency_seconds_count{verdict=\"exec\"} 1", scraped, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_AsNobodyWithOnlyNetRawAndNetAdmin_ReportsTheSshConnection()
    {
        using var server = new NetnsSshd(port: 2022);
        using var scratch = new TempDirectory();
        var monitor = server.StartInNamespace(
            "env", Unprivileged.Command(Unprivileged.MonitorCapabilities, Unprivileged.ReadableCli(scratch), "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "off"));
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        server.Ssh("echo unprivileged");
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000));

        Assert.Equal(0, monitor.ExitCode);
        Assert.Contains("\"event_type\":\"ssh\"", Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_AsNobodyWithoutCapabilities_ExitsThreeSayingWhatItNeeds()
    {
        using var server = new NetnsSshd(port: 2022);
        using var scratch = new TempDirectory();
        var monitor = server.StartInNamespace(
            "env", Unprivileged.Command(null, Unprivileged.ReadableCli(scratch), "monitor", "-i", "lo", "--duration", "2", "--metrics", "off"));
        var stderr = monitor.StandardError.ReadToEnd();
        Assert.True(monitor.WaitForExit(20_000));

        Assert.Equal(3, monitor.ExitCode);
        Assert.Contains("cannot capture on 'lo'", stderr, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_RAW", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_UnknownInterface_ExitsThree_ListingTheAvailableOnes()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "nosuch0", "--duration", "1");
        var stderr = monitor.StandardError.ReadToEnd();
        monitor.WaitForExit(20_000);

        Assert.Equal(3, monitor.ExitCode);
        Assert.Contains("no such interface 'nosuch0' (available:", stderr, StringComparison.Ordinal);
        Assert.Contains("lo", stderr, StringComparison.Ordinal);
    }
}
